"""Delivery to Messaging with exactly-once effect per idempotency key.

Each message is recorded in `app.outreach_messages` as `pending` (with its exact wire payload, encrypted) and
committed *before* Messaging is called, then updated after the call: `sent` with Messaging's `message_id` (and the
OutreachMessageSentEvent in the same transaction), or `rejected` with the problem code. Whatever happens in between
- a timeout, a 5xx after Messaging queued the message, a killed process - the row stays `pending` and the next run
re-sends the same payload with the same key; Messaging answers a known key with the original result (same
`message_id`), so the person gets the message once.

Messages go through `POST /messages/bulk` in chunks of at most 500. The shared HTTP layer retries 429/5xx/timeouts
with backoff honouring Retry-After, paces itself on the RateLimit-* headers and trips a per-domain circuit breaker:
here `RetriesExhausted` leaves the chunk pending for the next run, `CircuitOpen` stops the batch (all the rest stays
unsent, nothing is lost). Rejections feed back: `suppressed` puts the contact on the suppression list (all
channels), `invalid_recipient` marks the channel unusable so the next run uses the other one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar

import psycopg
from psycopg.pq import TransactionStatus

from integrations.instabids import CircuitOpen, RetriesExhausted
from integrations.instabids.messaging import MessagingClient
from integrations.instabids.wire import BulkEmailMessage, BulkResult, BulkSmsMessage, MessageMetadata
from outreach.campaigns.composer import Composed
from outreach.consent.suppression import contact_indexes, suppress
from outreach.events.outbox import publish
from outreach.privacy.access import PiiReader
from outreach.privacy.crypto import BlindIndexer, PiiCipher
from outreach.prospects.lifecycle import allowed_from

logger = logging.getLogger(__name__)

BULK_MAX = 500
PAYLOAD_CONTEXT = "app.outreach_messages.payload"
SENT_EVENT = "OutreachMessageSentEvent"
CORRELATION_NAMESPACE = uuid.UUID("2b0f7f0e-6a53-4d4b-9d0e-3c1f4f7a9b21")
CONTACTED_FROM = allowed_from("contacted")

WireMessage = BulkEmailMessage | BulkSmsMessage
T = TypeVar("T")


@dataclass(frozen=True)
class OutgoingMessage:
    """One message as recorded and sent; `wire` carries the same `idempotency_key`."""

    idempotency_key: str
    prospect_id: str
    campaign_id: str
    step: int
    channel: str
    variant: str
    template_id: str
    composer: str
    wire: WireMessage


@dataclass
class DeliveryHooks:
    """Test seams: called with the chunk index after Messaging answered (before recording) and after the commit."""

    after_call: Callable[[int], None] | None = None
    after_commit: Callable[[int], None] | None = None


@dataclass
class DeliveryReport:
    sent: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    deferred: int = 0
    chunks: int = 0
    stopped: str | None = None
    """Why sending stopped early (`circuit_open`), else None."""


def correlation_id(key: str) -> uuid.UUID:
    return uuid.uuid5(CORRELATION_NAMESPACE, key)


def build_wire(
    key: str,
    channel: str,
    composed: Composed,
    *,
    prospect_id: str,
    campaign_id: str,
    variant: str,
    to: str,
    from_name: str,
    reply_to: str,
) -> WireMessage:
    """The bulk wire message; raises pydantic's `ValidationError` when the composition breaks the contract."""
    metadata = MessageMetadata(
        prospect_id=prospect_id, campaign_id=campaign_id, template_id=composed.template_id, variant=variant,
        correlation_id=correlation_id(key),
    )  # fmt: skip
    if channel == "email":
        return BulkEmailMessage(
            idempotency_key=key, to=to, from_name=from_name, reply_to=reply_to, subject=composed.subject or "",
            body_text=composed.body_text or "", body_html=composed.body_html, headers=composed.headers,
            metadata=metadata,
        )  # fmt: skip
    return BulkSmsMessage(idempotency_key=key, to=to, body=composed.body or "", metadata=metadata)


def bulk_key(messages: Sequence[WireMessage]) -> str:
    """The bulk request's own Idempotency-Key: a digest of its exact body, so equal keys mean equal bodies."""
    body = json.dumps([m.model_dump(mode="json") for m in messages], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"bulk|{body}".encode()).hexdigest()


def record_pending(
    conn: psycopg.Connection,
    messages: Sequence[OutgoingMessage],
    *,
    batch_date: date,
    clock: datetime,
    cipher: PiiCipher,
) -> list[OutgoingMessage]:
    """Insert the rows as `pending` and commit; returns those newly recorded (a known key is never recorded twice).

    Refuses a connection inside a transaction: there the rows would only be committed with it, maybe after the
    call to Messaging, and a process killed meanwhile would forget messages Messaging had accepted.
    """
    if not messages:
        return []
    if conn.info.transaction_status != TransactionStatus.IDLE:
        raise RuntimeError("record_pending must commit: the connection is inside a transaction")
    with conn.transaction():
        rows = conn.execute(
            "insert into app.outreach_messages (idempotency_key, prospect_id, campaign_id, step, channel, variant, "
            "template_id, composer, status, batch_date, scheduled_at, payload_enc) "
            "select k, p, c, s, ch, v, t, co, 'pending', %s, %s, pl "
            "from unnest(%s::text[], %s::uuid[], %s::uuid[], %s::int[], %s::text[], %s::text[], %s::text[], "
            "%s::text[], %s::bytea[]) as u(k, p, c, s, ch, v, t, co, pl) "
            "on conflict (idempotency_key) do nothing returning idempotency_key",
            (
                batch_date,
                clock,
                [m.idempotency_key for m in messages],
                [m.prospect_id for m in messages],
                [m.campaign_id for m in messages],
                [m.step for m in messages],
                [m.channel for m in messages],
                [m.variant for m in messages],
                [m.template_id for m in messages],
                [m.composer for m in messages],
                [cipher.encrypt(m.wire.model_dump_json(), PAYLOAD_CONTEXT) for m in messages],
            ),
        ).fetchall()
    inserted = {r[0] for r in rows}
    return [m for m in messages if m.idempotency_key in inserted]


def load_pending(conn: psycopg.Connection, campaign_id: str, cipher: PiiCipher) -> list[OutgoingMessage]:
    """Messages of the campaign left `pending` by earlier runs, oldest first, with their stored payloads."""
    rows = conn.execute(
        "select idempotency_key, prospect_id, campaign_id, step, channel, variant, template_id, composer, payload_enc "
        "from app.outreach_messages where campaign_id = %s and status = 'pending' "
        "order by scheduled_at, created_at, idempotency_key",
        (campaign_id,),
    ).fetchall()
    pending = []
    reader = PiiReader(cipher, "re-sending pending messages")
    for key, prospect_id, campaign, step, channel, variant, template_id, composer, payload in rows:
        data = json.loads(reader.decrypt(payload, PAYLOAD_CONTEXT, prospect_id))
        wire: WireMessage = (BulkEmailMessage if channel == "email" else BulkSmsMessage).model_validate(data)
        pending.append(
            OutgoingMessage(key, str(prospect_id), str(campaign), step, channel, variant, template_id, composer, wire)
        )
    reader.record(conn)
    return pending


def cancel_pending(conn: psycopg.Connection, cancellations: Sequence[tuple[str, str]]) -> int:
    """Mark pending rows `cancelled` with a reason (the prospect may no longer be contacted); never sends them."""
    if not cancellations:
        return 0
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            "update app.outreach_messages set status = 'cancelled', error_code = %s, payload_enc = null, "
            "status_updated_at = now() where idempotency_key = %s and status = 'pending'",
            [(reason, key) for key, reason in cancellations],
        )
    return len(cancellations)


def chunks(items: Iterable[T], size: int = BULK_MAX) -> Iterator[list[T]]:
    if not 1 <= size <= BULK_MAX:
        raise ValueError(f"chunk size must be within 1..{BULK_MAX}")
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Deliverer:
    """Sends recorded chunks and records their outcome; one per batch (it keeps the report)."""

    def __init__(
        self,
        conn: psycopg.Connection,
        messaging: MessagingClient,
        clock: datetime,
        indexer: BlindIndexer,
        hooks: DeliveryHooks | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.conn = conn
        self.messaging = messaging
        self.clock = clock
        self.now = now or (lambda: datetime.now(UTC))
        self.indexer = indexer
        self.hooks = hooks or DeliveryHooks()
        self.report = DeliveryReport()

    @property
    def stopped(self) -> bool:
        return self.report.stopped is not None

    def send(self, chunk: Sequence[OutgoingMessage]) -> None:
        """Send one recorded chunk (<= 500) and record the results; transient failures leave it pending."""
        if not chunk:
            return
        if self.stopped:
            self.report.deferred += len(chunk)
            return
        index = self.report.chunks
        self.report.chunks += 1
        wires = [m.wire for m in chunk]
        try:
            results = self.messaging.send_bulk(wires, idempotency_key=bulk_key(wires))
        except CircuitOpen as exc:
            logger.warning("messaging circuit open; %d messages stay pending: %s", len(chunk), exc)
            self._note_attempt(chunk, "circuit_open")
            self.report.deferred += len(chunk)
            self.report.stopped = "circuit_open"
            return
        except RetriesExhausted as exc:
            logger.warning("bulk send gave up; %d messages stay pending: %s", len(chunk), exc)
            self._note_attempt(chunk, "retries_exhausted")
            self.report.deferred += len(chunk)
            return
        if self.hooks.after_call:
            self.hooks.after_call(index)
        self._record(chunk, results)
        if self.hooks.after_commit:
            self.hooks.after_commit(index)

    def _note_attempt(self, chunk: Sequence[OutgoingMessage], error: str) -> None:
        with self.conn.transaction():
            self.conn.execute(
                "update app.outreach_messages set attempts = attempts + 1, error_code = %s, status_updated_at = now() "
                "where idempotency_key = any(%s) and status = 'pending'",
                (error, [m.idempotency_key for m in chunk]),
            )

    def _record(self, chunk: Sequence[OutgoingMessage], results: list[BulkResult]) -> None:
        """Results of one chunk, in one transaction: `sent` rows with their events, `rejected` rows with their
        effects. A row no longer `pending` (recorded by a concurrent run) is left alone and publishes nothing."""
        by_key = {r.idempotency_key: r for r in results}
        sent_at = self.now().astimezone(UTC).replace(microsecond=0)
        accepted: list[tuple[OutgoingMessage, str]] = []
        with self.conn.transaction():
            for message in chunk:
                result = by_key.get(message.idempotency_key)
                if result is None:  # Messaging left it out: keep it pending, the next run asks again
                    self.report.deferred += 1
                elif result.status == "queued" and result.message_id is not None:
                    accepted.append((message, str(result.message_id)))
                else:
                    code = result.error.code if result.error else "unknown"
                    self._mark_rejected(message, code)
                    self.report.rejected[code] += 1
            self.report.sent += len(accepted)
            self._mark_sent(accepted, sent_at)

    def _mark_sent(self, accepted: list[tuple[OutgoingMessage, str]], sent_at: datetime) -> None:
        if not accepted:
            return
        # sent_at is when Messaging accepted it (a fact for attribution and response times); scheduled_at becomes the
        # clock of the batch that sent it (what the sequence's follow-up delays and pacing count from).
        rows = self.conn.execute(
            "update app.outreach_messages m set status = 'sent', message_id = u.message_id, sent_at = %s, "
            "scheduled_at = %s, error_code = null, attempts = m.attempts + 1, payload_enc = null, "
            "status_updated_at = now() from unnest(%s::text[], %s::uuid[]) as u(idempotency_key, message_id) "
            "where m.idempotency_key = u.idempotency_key and m.status = 'pending' returning m.idempotency_key",
            (sent_at, self.clock, [m.idempotency_key for m, _ in accepted], [mid for _, mid in accepted]),
        ).fetchall()
        updated = {r[0] for r in rows}
        contacted = []
        with self.conn.pipeline():  # one round trip for the chunk's events rather than one per event
            self._publish_sent(accepted, updated, sent_at, contacted)
        self._mark_contacted(contacted)

    def _publish_sent(
        self,
        accepted: list[tuple[OutgoingMessage, str]],
        updated: set[str],
        sent_at: datetime,
        contacted: list[str],
    ) -> None:
        for message, message_id in accepted:
            if message.idempotency_key not in updated:
                continue  # recorded meanwhile (a concurrent or earlier run): its event is queued already
            contacted.append(message.prospect_id)
            publish(
                self.conn, SENT_EVENT, key=message.idempotency_key, subject=message.prospect_id, occurred_at=sent_at,
                data={
                    "prospect_id": message.prospect_id, "campaign_id": message.campaign_id,
                    "message_id": message_id, "channel": message.channel, "template_id": message.template_id,
                    "variant": message.variant, "sent_at": _iso(sent_at),
                },
            )  # fmt: skip

    def _mark_rejected(self, message: OutgoingMessage, code: str) -> None:
        updated = self.conn.execute(
            "update app.outreach_messages set status = 'rejected', error_code = %s, attempts = attempts + 1, "
            "payload_enc = null, status_updated_at = now() where idempotency_key = %s and status = 'pending'",
            (code, message.idempotency_key),
        ).rowcount
        if not updated:
            return
        if code == "suppressed":
            email = message.wire.to if message.channel == "email" else None
            phone = message.wire.to if message.channel == "sms" else None
            suppress(
                self.conn, contact_indexes(self.indexer, email, phone), "messaging_suppressed",
                prospect_id=message.prospect_id, basis="messaging_suppressed",
                evidence={"idempotency_key": message.idempotency_key, "channel": message.channel},
            )  # fmt: skip
        elif code == "invalid_recipient":
            column = "is_email_valid" if message.channel == "email" else "is_sms_eligible"
            self.conn.execute(
                f"update app.prospects set {column} = false, updated_at = now() where prospect_id = %s",
                (message.prospect_id,),
            )

    def _mark_contacted(self, prospect_ids: list[str]) -> None:
        if not prospect_ids:
            return
        self.conn.execute(
            "update app.prospects set status = 'contacted', updated_at = now(), status_changed_at = now() "
            "where prospect_id = any(%s::uuid[]) and status = any(%s)",
            (prospect_ids, CONTACTED_FROM),
        )


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
