"""Sign-up incentives: issued through Payment when a prospect converts and its campaign offers one.

Issuing is idempotent end to end: the key is `sha256(incentive|prospect|campaign)`, the row in `app.incentives`
(unique per prospect, campaign and kind) is written `requested` before the call and `pending` with Payment's
`incentive_id` after it. A call that fails transiently leaves the row `requested`; `sync_incentives` re-issues it
with the same key (Payment answers the original incentive) and polls `GET /payment/incentives/status/{id}` for
pending ones. PaymentIncentiveStatusEvents apply through `apply_incentive_status`; both paths only accept a newer
`updated_at`, so late or duplicate updates never move a status back.

These functions run in the caller's transaction (the conversion handler's, or one per `sync_incentives` row).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import psycopg

from integrations.instabids import CircuitOpen, NotFound, ProblemError, RetriesExhausted
from integrations.instabids.payment import PaymentClient
from integrations.instabids.wire import IssueIncentiveRequest
from outreach.campaigns.models import Campaign
from outreach.campaigns.seed import CampaignNotFound, load_campaign

logger = logging.getLogger(__name__)

_COLUMNS = (
    "idempotency_key, incentive_id, prospect_id, campaign_id, recipient_user_id, kind, amount_cents, currency, "
    "status, error_code, status_updated_at"
)


@dataclass(frozen=True)
class IncentiveRecord:
    idempotency_key: str
    incentive_id: str | None
    prospect_id: str
    campaign_id: str
    recipient_user_id: str
    kind: str
    amount_cents: int
    currency: str
    status: str
    error_code: str | None
    status_updated_at: datetime | None


@dataclass(frozen=True)
class IncentiveSync:
    reissued: int
    polled: int
    changed: int
    unknown: int = 0
    """Pending incentives Payment answers 404 for: left pending and logged, never blocking the rest."""


def incentive_key(prospect_id: UUID | str, campaign_id: UUID | str) -> str:
    return hashlib.sha256(f"incentive|{str(prospect_id).lower()}|{str(campaign_id).lower()}".encode()).hexdigest()


def _record(row: tuple) -> IncentiveRecord:
    key, incentive_id, prospect_id, campaign_id, user_id, kind, amount, currency, status, error, updated = row
    return IncentiveRecord(
        key, str(incentive_id) if incentive_id else None, str(prospect_id), str(campaign_id), str(user_id), kind,
        amount, currency, status, error, updated,
    )  # fmt: skip


def get_incentive(conn: psycopg.Connection, key: str) -> IncentiveRecord | None:
    row = conn.execute(f"select {_COLUMNS} from app.incentives where idempotency_key = %s", (key,)).fetchone()
    return _record(row) if row else None


def issue_incentive(
    conn: psycopg.Connection,
    payment: PaymentClient,
    campaign: Campaign,
    prospect_id: UUID | str,
    user_id: UUID | str,
) -> IncentiveRecord | None:
    """Issue the campaign's incentive to a converted prospect's user; None when the campaign offers none.

    Repeating it returns the existing record without calling Payment again (unless it is still `requested`).
    `RetriesExhausted` / `CircuitOpen` propagate with the row left `requested` (re-issued by `sync_incentives`);
    a refusal (e.g. the user does not exist) marks it `rejected` with the problem code.
    """
    offer = campaign.incentive
    if offer is None:
        return None
    key = incentive_key(prospect_id, campaign.id)
    conn.execute(
        "insert into app.incentives (idempotency_key, prospect_id, campaign_id, recipient_user_id, kind, "
        "amount_cents, currency) values (%s, %s, %s, %s, %s, %s, %s) on conflict do nothing",
        (key, str(prospect_id), campaign.campaign_id, str(user_id), offer.kind, offer.amount_cents, offer.currency),
    )
    record = get_incentive(conn, key)
    if record is None:  # another kind-equal incentive of this prospect and campaign exists under another key
        return None
    if record.status != "requested":
        return record
    return _request(conn, payment, record)


def _request(conn: psycopg.Connection, payment: PaymentClient, record: IncentiveRecord) -> IncentiveRecord:
    request = IssueIncentiveRequest(
        recipient_user_id=record.recipient_user_id, prospect_id=record.prospect_id, campaign_id=record.campaign_id,
        kind=record.kind, amount_cents=record.amount_cents, currency=record.currency,
    )  # fmt: skip
    try:
        created = payment.issue_incentive(request, idempotency_key=record.idempotency_key)
    except ProblemError as exc:
        conn.execute(
            "update app.incentives set status = 'rejected', error_code = %s, updated_at = now() "
            "where idempotency_key = %s and status = 'requested'",
            (exc.code, record.idempotency_key),
        )
    else:
        conn.execute(
            "update app.incentives set incentive_id = %s, status = 'pending', error_code = null, updated_at = now() "
            "where idempotency_key = %s and status = 'requested'",
            (created.incentive_id, record.idempotency_key),
        )
    updated = get_incentive(conn, record.idempotency_key)
    assert updated is not None
    return updated


def issue_for_conversion(
    conn: psycopg.Connection,
    payment: PaymentClient,
    prospect_id: UUID | str,
    user_id: UUID | str,
    campaign_id: UUID | str,
) -> IncentiveRecord | None:
    """On conversion attributed to `campaign_id`: issue its incentive if it offers one (unknown campaign: None)."""
    try:
        campaign = load_campaign(conn, campaign_id)
    except CampaignNotFound:
        return None
    return issue_incentive(conn, payment, campaign, prospect_id, user_id)


def incentive_issuer(
    payment: PaymentClient,
) -> Callable[[psycopg.Connection, str, str, str], IncentiveRecord | None]:
    """`issue(conn, prospect_id, user_id, campaign_id)`, the shape the conversion handler calls
    (`context.services["issue_incentive"]`)."""

    def issue(conn: psycopg.Connection, prospect_id: str, user_id: str, campaign_id: str) -> IncentiveRecord | None:
        return issue_for_conversion(conn, payment, prospect_id, user_id, campaign_id)

    return issue


def apply_incentive_status(conn: psycopg.Connection, data: dict) -> bool:
    """Apply a PaymentIncentiveStatusEvent's `data` (or a status response); True when the row changed.

    Unknown incentives are ignored (an event may arrive before the issue call returned; `sync_incentives` polls the
    status once the id is known). Updates are ordered by (outcome over `pending`, `updated_at`) and only a greater
    one applies: an outcome (`issued`, `failed`, `cancelled`) is never moved back to `pending`, whatever the
    timestamps say, and among outcomes the newest wins, so any order of the same updates ends in the same state.
    """
    updated_at = data["updated_at"]
    if isinstance(updated_at, str):
        updated_at = datetime.fromisoformat(updated_at.replace("Z", "+00:00"))
    changed = conn.execute(
        "update app.incentives set status = %(status)s, status_updated_at = %(at)s, updated_at = now() "
        "where incentive_id = %(id)s and status in ('pending', 'issued', 'failed', 'cancelled') "
        "and ((status <> 'pending')::int, coalesce(status_updated_at, '-infinity')) < (%(outcome)s::int, %(at)s)",
        {"status": data["status"], "at": updated_at, "id": str(data["incentive_id"]),
         "outcome": data["status"] != "pending"},
    ).rowcount
    return changed == 1


def on_payment_incentive_status(conn: psycopg.Connection, event: object, context: object = None) -> None:
    """Inbox handler shape `(conn, event, context)` for PaymentIncentiveStatusEvent (uses `event.data`)."""
    apply_incentive_status(conn, event.data)  # type: ignore[attr-defined]


def sync_incentives(
    conn: psycopg.Connection, payment: PaymentClient, now: datetime, *, limit: int = 500
) -> IncentiveSync:
    """Re-issue `requested` incentives and poll `pending` ones, one committed transaction per incentive.

    Stops early (what is left waits for the next sync) when Payment is unreachable.
    """
    with conn.transaction():
        rows = conn.execute(
            f"select {_COLUMNS} from app.incentives where status in ('requested', 'pending') "
            "order by created_at, idempotency_key limit %s",
            (limit,),
        ).fetchall()
    reissued = polled = changed = unknown = 0
    for record in map(_record, rows):
        try:
            with conn.transaction():
                if record.status == "requested":
                    after = _request(conn, payment, record)
                    reissued += 1
                    changed += after.status != record.status
                    continue
                status = payment.incentive_status(record.incentive_id)
                polled += 1
                conn.execute(
                    "update app.incentives set last_polled_at = %s where idempotency_key = %s",
                    (now, record.idempotency_key),
                )
                changed += apply_incentive_status(conn, status.model_dump(mode="json"))
        except NotFound:
            # One incentive Payment lost must not stop the others (nor the daily batches this sync precedes).
            logger.warning("payment does not know incentive %s; left pending", record.incentive_id)
            unknown += 1
        except (RetriesExhausted, CircuitOpen) as exc:
            logger.warning("payment unavailable, incentive sync stops here: %s", exc)
            break
    return IncentiveSync(reissued=reissued, polled=polled, changed=changed, unknown=unknown)
