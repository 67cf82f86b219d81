"""One outreach batch of one campaign for one day: the function the Dagster job and `outreach send` both call.

    run_batch(conn, clients, campaign_id, day, composer, cipher, indexer) -> BatchResult

1. Re-send what earlier runs left `pending` (same payload, same key), after checking the prospect may still be
   contacted (cancelled if suppressed, converted or a user since; left pending during quiet hours).
2. Select the campaign's targeted prospects by priority (score x supply gap), apply the eligibility rules at the
   batch clock, draw A/B variants for the new sequences (Thompson sampling, seeded by campaign and day).
3. Compose, record `pending`, send in chunks of <= 500, record `sent`/`rejected` (see `delivery`).

The batch clock is the partition day at the campaign's `send_time` (UTC), never the wall clock: quiet hours, due
follow-ups, pacing, caps and variant draws only depend on the day and the data, so a run can be repeated or
backfilled. (Only `sent_at`, the fact of when Messaging accepted a message, is wall time.)
Runs of one campaign are serialized by a PostgreSQL advisory lock.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from uuid import UUID

import psycopg
from psycopg.pq import TransactionStatus
from pydantic import ValidationError

from integrations.instabids import InstaBidsClients, correlation_scope
from outreach.campaigns.composer import MessageComposer, ProspectFacts, first_name
from outreach.campaigns.delivery import (
    BULK_MAX,
    Deliverer,
    DeliveryHooks,
    OutgoingMessage,
    build_wire,
    cancel_pending,
    chunks,
    load_pending,
    record_pending,
)
from outreach.campaigns.eligibility import (
    NOT_SENT,
    DailyCounts,
    Eligibility,
    Exclusion,
    PastMessage,
    PastReply,
    PlannedSend,
    evaluate,
    pending_check,
)
from outreach.campaigns.models import Campaign
from outreach.campaigns.seed import load_campaign
from outreach.campaigns.selection import Candidate, prospects_by_id, referrer_contact_name, select_candidates
from outreach.campaigns.variants import assign_variants, batch_rng, observed_responses, variant_stats
from outreach.consent.suppression import suppressed_prospects
from outreach.privacy.access import PiiReader
from outreach.privacy.crypto import BlindIndexer, PiiCipher

logger = logging.getLogger(__name__)


class CampaignNotActive(RuntimeError):
    """Only `active` campaigns send."""


class BatchAlreadyRunning(RuntimeError):
    """Another run of the same campaign holds its lock."""


@dataclass(frozen=True)
class BatchResult:
    campaign_id: str
    day: date
    clock: datetime
    candidates: int
    """Targeted prospects (after the score threshold)."""
    planned: int
    """Messages the eligibility rules planned for this run."""
    excluded: dict[str, int]
    """Reason -> prospects left out."""
    resent: int
    """Messages left pending by earlier runs and sent again with their key."""
    recorded: int
    """New messages recorded `pending` (and sent) in this run."""
    sent: int
    rejected: dict[str, int]
    """Problem code -> messages Messaging refused."""
    deferred: int
    """Messages still `pending` after this run (transient failures, quiet hours): the next run re-sends them."""
    cancelled: int
    chunks: int
    variants: dict[str, int] = field(default_factory=dict)
    """Variant -> new sequences started in this run."""
    stopped: str | None = None
    exclusions: tuple[Exclusion, ...] = ()

    def summary(self) -> dict:
        """Counts only (for logs and run metadata)."""
        return {
            "campaign_id": self.campaign_id, "day": self.day.isoformat(), "clock": self.clock.isoformat(),
            "candidates": self.candidates, "planned": self.planned, "excluded": self.excluded, "resent": self.resent,
            "recorded": self.recorded, "sent": self.sent, "rejected": self.rejected, "deferred": self.deferred,
            "cancelled": self.cancelled, "chunks": self.chunks, "variants": self.variants, "stopped": self.stopped,
        }  # fmt: skip


def batch_clock(campaign: Campaign, day: date) -> datetime:
    """The partition day at the campaign's send time, in UTC."""
    return datetime.combine(day, campaign.send_time, tzinfo=UTC)


def load_history(conn: psycopg.Connection, prospect_ids: Sequence[str]) -> dict[str, list[PastMessage]]:
    """Every message (all campaigns) of the given prospects."""
    history: dict[str, list[PastMessage]] = defaultdict(list)
    if not prospect_ids:
        return history
    rows = conn.execute(
        "select prospect_id, campaign_id, step, channel, variant, status, error_code, "
        "scheduled_at from app.outreach_messages where prospect_id = any(%s::uuid[])",
        (list(prospect_ids),),
    )
    for pid, campaign_id, step, channel, variant, status, error_code, at in rows:
        history[str(pid)].append(PastMessage(str(campaign_id), step, channel, variant, status, error_code, at))
    return history


def load_replies(conn: psycopg.Connection, prospect_ids: Sequence[str]) -> dict[str, list[PastReply]]:
    """Every analyzed reply (to any campaign) of the given prospects, with the step it answered and its action."""
    replies: dict[str, list[PastReply]] = defaultdict(list)
    if not prospect_ids:
        return replies
    rows = conn.execute(
        "select prospect_id, campaign_id, step, action, reschedule_days from app.prospect_responses "
        "where prospect_id = any(%s::uuid[]) and campaign_id is not null",
        (list(prospect_ids),),
    )
    for pid, campaign_id, step, action, reschedule_days in rows:
        replies[str(pid)].append(PastReply(str(campaign_id), step, action, reschedule_days))
    return replies


def daily_counts(conn: psycopg.Connection, campaign: Campaign, day: date) -> DailyCounts:
    """Messages the campaign already holds for `day`, and emails per recipient domain that day (all campaigns)."""
    not_sent = list(NOT_SENT)
    (campaign_messages,) = conn.execute(
        "select count(*) from app.outreach_messages where campaign_id = %s and batch_date = %s and status <> all(%s)",
        (campaign.campaign_id, day, not_sent),
    ).fetchone()
    rows = conn.execute(
        "select lower(p.email_domain), count(*) from app.outreach_messages m join app.prospects p using (prospect_id) "
        "where m.batch_date = %s and m.channel = 'email' and m.status <> all(%s) and p.email_domain is not null "
        "group by 1",
        (day, not_sent),
    )
    return DailyCounts(campaign_messages=int(campaign_messages), emails_by_domain={d: int(n) for d, n in rows})


def campaign_lock_id(campaign_id: str) -> int:
    """The advisory lock key of a campaign's batches (a session lock: it lasts as long as the batch's connection)."""
    return int.from_bytes(hashlib.sha256(f"campaign-batch|{campaign_id}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def campaign_lock(conn: psycopg.Connection, campaign_id: str) -> Iterator[None]:
    """A session-level advisory lock: a second run of the same campaign fails fast instead of racing the first."""
    lock = campaign_lock_id(campaign_id)
    with conn.transaction():
        (acquired,) = conn.execute("select pg_try_advisory_lock(%s)", (lock,)).fetchone()
    if not acquired:
        raise BatchAlreadyRunning(f"a batch of campaign {campaign_id} is already running")
    try:
        yield
    finally:
        if not conn.closed and not conn.broken:
            with conn.transaction():
                conn.execute("select pg_advisory_unlock(%s)", (lock,))


class _Composer:
    """Turns planned sends into wire messages: decrypts what the message needs, composes, validates."""

    def __init__(self, conn: psycopg.Connection, campaign: Campaign, composer: MessageComposer,
                 reader: PiiReader) -> None:
        self.conn = conn
        self.campaign = campaign
        self.composer = composer
        self.reader = reader
        self.invalid: list[Exclusion] = []
        self.method = getattr(composer, "method", type(composer).__name__)
        self.wanted = frozenset(campaign.targeting.specialties)
        self._referrers: dict[str, str | None] = {}

    def referrer_first_name(self, user_id: str | None) -> str | None:
        """The first name (only) of the referrer, when the referrer is a prospect of ours; once per referrer."""
        if user_id is None:
            return None
        if user_id not in self._referrers:
            found = referrer_contact_name(self.conn, user_id)
            name = self.reader.decrypt(found[1], "app.prospects.contact_name", found[0]) if found else None
            self._referrers[user_id] = first_name(name, default=None)
        return self._referrers[user_id]

    def facts(self, candidate: Candidate) -> ProspectFacts:
        specialties = sorted(candidate.specialties, key=lambda s: s not in self.wanted)  # targeted ones first
        return ProspectFacts(
            prospect_id=candidate.prospect_id,
            business_name=candidate.business_name,
            contact_name=self.reader.decrypt(candidate.contact_name_enc, "app.prospects.contact_name",
                                             candidate.prospect_id),
            city=candidate.city,
            state=candidate.state,
            region=candidate.region,
            specialties=tuple(specialties),
            referrer_first_name=self.referrer_first_name(candidate.referred_by_user_id),
        )

    def message(self, send: PlannedSend, variant: str) -> OutgoingMessage | None:
        candidate = send.candidate
        context = "app.prospects.email" if send.channel == "email" else "app.prospects.phone"
        blob = candidate.email_enc if send.channel == "email" else candidate.phone_enc
        to = self.reader.decrypt(blob, context, candidate.prospect_id)
        try:
            composed = self.composer.compose(self.facts(candidate), self.campaign, send.step, variant, send.channel)
            wire = build_wire(
                send.idempotency_key, send.channel, composed, prospect_id=candidate.prospect_id,
                campaign_id=self.campaign.campaign_id, variant=variant, to=to or "",
                from_name=self.campaign.sender.from_name, reply_to=self.campaign.sender.reply_to,
            )  # fmt: skip
        except (ValidationError, ValueError, KeyError) as exc:
            # The message would break the contract (e.g. a malformed stored address): skip it, say why.
            first = exc.errors()[0]["loc"] if isinstance(exc, ValidationError) else type(exc).__name__
            self.invalid.append(Exclusion(candidate.prospect_id, "compose_invalid", str(first)))
            return None
        return OutgoingMessage(
            send.idempotency_key, candidate.prospect_id, self.campaign.campaign_id, send.step, send.channel,
            variant, composed.template_id, composed.method or self.method, wire,
        )  # fmt: skip


def _plan(
    conn: psycopg.Connection, campaign: Campaign, day: date, clock: datetime
) -> tuple[int, Eligibility, dict[str, str]]:
    """(candidates, eligibility, variant per new sequence), read in one snapshot."""
    with conn.transaction():
        candidates = select_candidates(conn, campaign, day)
        ids = [c.prospect_id for c in candidates]
        history = load_history(conn, ids)
        replies = load_replies(conn, ids)
        suppressed = suppressed_prospects(conn, ids) if ids else set()
        counts = daily_counts(conn, campaign, day)
        observed = observed_responses(conn, campaign, clock)
    eligibility = evaluate(candidates, campaign, clock, history, suppressed, counts, replies)
    new = [p.prospect_id for p in eligibility.planned if p.variant is None]
    assignment = assign_variants(new, variant_stats(campaign, observed), batch_rng(campaign.campaign_id, day))
    return len(candidates), eligibility, assignment


def _recheck_pending(
    conn: psycopg.Connection, campaign: Campaign, clock: datetime, cipher: PiiCipher
) -> tuple[list[OutgoingMessage], list[tuple[str, str]], int]:
    """(to re-send, (key, reason) to cancel, number deferred) of the campaign's pending messages."""
    with conn.transaction():
        pending = load_pending(conn, campaign.campaign_id, cipher)
        ids = sorted({m.prospect_id for m in pending})
        prospects = prospects_by_id(conn, ids) if ids else {}
        suppressed = suppressed_prospects(conn, ids) if ids else set()
    resend: list[OutgoingMessage] = []
    cancel: list[tuple[str, str]] = []
    deferred = 0
    for message in pending:
        verdict = pending_check(prospects.get(message.prospect_id), campaign, clock, message.prospect_id in suppressed,
                                message.channel)
        if verdict is None:
            resend.append(message)
        elif verdict[0] == "cancel":
            cancel.append((message.idempotency_key, verdict[1]))
        else:
            deferred += 1
    return resend, cancel, deferred


def run_batch(
    conn: psycopg.Connection,
    clients: InstaBidsClients,
    campaign_id: UUID | str,
    day: date,
    composer: MessageComposer,
    cipher: PiiCipher,
    indexer: BlindIndexer,
    *,
    chunk_size: int = BULK_MAX,
    hooks: DeliveryHooks | None = None,
    now: Callable[[], datetime] | None = None,
) -> BatchResult:
    """Run one batch of `campaign_id` for partition `day`; safe to repeat (nothing is ever sent twice).

    `conn` must not be inside a transaction: the batch commits as it goes (pending rows before each call, results
    after), which is what makes a killed run resumable. `now` (default: the wall clock) only timestamps when
    Messaging accepted each message (`sent_at`); every decision uses the batch clock.
    """
    if conn.info.transaction_status != TransactionStatus.IDLE:
        raise ValueError("run_batch needs a connection with no open transaction (it commits as it goes)")
    campaign_id = str(campaign_id).lower()
    with campaign_lock(conn, campaign_id), correlation_scope(f"outreach-batch:{campaign_id}:{day.isoformat()}"):
        with conn.transaction():
            campaign = load_campaign(conn, campaign_id)
        if campaign.status != "active":
            raise CampaignNotActive(f"campaign {campaign_id} is {campaign.status}")
        clock = batch_clock(campaign, day)
        deliverer = Deliverer(conn, clients.messaging, clock, indexer, hooks, now)

        resend, cancellations, deferred_pending = _recheck_pending(conn, campaign, clock, cipher)
        cancelled = cancel_pending(conn, cancellations)
        for chunk in chunks(resend, chunk_size):
            deliverer.send(chunk)

        candidates, eligibility, assignment = _plan(conn, campaign, day, clock)
        builder = _Composer(conn, campaign, composer, PiiReader(cipher, f"outreach batch of campaign {campaign_id}"))
        recorded = not_attempted = 0
        for sends in chunks(eligibility.planned, chunk_size):
            if deliverer.stopped:
                not_attempted += len(sends)
                continue
            # Composing reads and writes through `conn` (market facts, model drafts and usage, the audit of the
            # contacts decrypted): in a transaction of its own, so that no implicit one stays open and the pending
            # rows below are committed before the call (else a killed run would forget what Messaging accepted).
            with conn.transaction():
                composed = [builder.message(send, send.variant or assignment[send.prospect_id]) for send in sends]
                builder.reader.record(conn)
            new = record_pending(conn, [m for m in composed if m is not None], batch_date=day, clock=clock,
                                 cipher=cipher)
            recorded += len(new)
            deliverer.send(new)

        report = deliverer.report
        exclusions = (*eligibility.excluded, *builder.invalid)
        result = BatchResult(
            campaign_id=campaign_id,
            day=day,
            clock=clock,
            candidates=candidates,
            planned=len(eligibility.planned),
            excluded=dict(sorted(Counter(e.reason for e in exclusions).items())),
            resent=len(resend),
            recorded=recorded,
            sent=report.sent,
            rejected=dict(report.rejected),
            deferred=report.deferred + deferred_pending,
            cancelled=cancelled,
            chunks=report.chunks,
            variants=dict(
                sorted(Counter(assignment[p.prospect_id] for p in eligibility.planned if p.variant is None).items())
            ),
            stopped=report.stopped,
            exclusions=exclusions,
        )
    if not_attempted:
        logger.warning(
            "campaign %s: %d planned messages not attempted (%s)", campaign_id, not_attempted, result.stopped
        )
    logger.info("campaign batch done", extra={"batch": result.summary()})
    return result
