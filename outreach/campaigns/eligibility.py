"""Who may receive which message of a campaign at the batch clock: pure rules, one reason per excluded prospect.

Rules, in the order they are checked (the first that fails is the reason):

1. `suppressed` — the prospect's email or phone is on the suppression list (an opt-out on any channel stops all).
2. Status — `status_suppressed`, `status_disqualified`, `status_converted` / `status_verified`, `registered_user`
   (already an InstaBids user), `in_conversation` (interested, or responded: response handling owns them, except
   in the campaign whose sequence a question of theirs keeps going).
3. Sequence — the next step of this campaign for this prospect: step 0 when it never got one (never two initial
   messages), step n+1 once step n was sent `delay_days` ago (`follow_up_not_due`, `sequence_complete`), nothing
   while a message waits to be re-sent (`pending_resend`); `stopped_on_opt_out` per the campaign's `stop_on`.
   Replies (with `stop_on: reply`), as decided when they were analyzed (`outreach.responses.decision`): a question
   makes step n+1 due at once (it follows up on the question), an auto-reply to step n postpones step n+1 by the
   recorded `reschedule_days`, a wrong-contact reply only takes that contact out (rule 4); any other reply, or one
   not analyzed yet, stops the sequence (`stopped_on_reply`). A step whose message died on a channel (invalid
   recipient, bounced, failed) is retried once on another channel (`fallback`); a step refused for another reason
   is not retried (`previous_attempt_rejected`).
4. Channel — the step's channel, else the campaign's preference order, skipping a channel that bounced or was
   refused before or whose contact was disqualified (a wrong-contact reply), email unless `is_email_valid`, SMS
   unless `is_sms_eligible` (`no_usable_channel`).
5. Quiet hours — 08:00-21:00 at the recipient (47 CFR 64.1200(c)), from the prospect's IANA zone, else its
   state's zone (`unknown_timezone` without either); then the campaign's own `send_window`.
6. `frequency_cap` — at most `max_messages` messages in `window_days` across campaigns; `cooldown` — none from
   another campaign within `cooldown_hours`.
7. Caps, in priority order (follow-ups and fallbacks first, then score x supply gap): `domain_cap` (emails per
   recipient domain per day across campaigns), `daily_cap` (messages of the campaign per day).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from outreach.campaigns.models import QUIET_HOURS_END, QUIET_HOURS_START, Campaign, Channel
from outreach.campaigns.selection import Candidate
from outreach.enrichment.region import STATE_TIME_ZONES
from outreach.responses.decision import SEQUENCE_CONTINUES, Action

# Rows that never reached the person: they do not count as sent, and a channel failure may be retried elsewhere.
NOT_SENT = frozenset({"rejected", "cancelled"})
DEAD = frozenset({"rejected", "cancelled", "bounced", "failed"})
CHANNEL_FAILURES = frozenset({"invalid_recipient", "bounced", "failed"})
REPLIED = frozenset({"replied"})
OPTED_OUT = frozenset({"unsubscribed", "complained"})
CONTINUING_ACTIONS = frozenset(action.value for action in SEQUENCE_CONTINUES)
EXCLUDED_STATUSES = {
    "suppressed": "status_suppressed",
    "disqualified": "status_disqualified",
    "converted": "status_converted",
    "verified": "status_verified",
}
IN_CONVERSATION = frozenset({"responded", "interested"})


def idempotency_key(prospect_id: str, campaign_id: str, step: int, fallback_channel: str | None = None) -> str:
    """sha256(prospect|campaign|step): the same message of a sequence always has the same key, on every run.

    A step re-sent on another channel after its first channel failed gets `...|step|channel` (a different message).
    """
    parts = [str(prospect_id).lower(), str(campaign_id).lower(), str(step)]
    if fallback_channel is not None:
        parts.append(fallback_channel)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class PastMessage:
    """A row of `app.outreach_messages` as eligibility sees it; `at` is its `scheduled_at` (a batch clock)."""

    campaign_id: str
    step: int
    channel: str
    variant: str
    status: str
    error_code: str | None
    at: datetime

    @property
    def channel_failed(self) -> bool:
        return self.status in ("bounced", "failed") or (
            self.status == "rejected" and self.error_code == "invalid_recipient"
        )


@dataclass(frozen=True)
class PastReply:
    """A row of `app.prospect_responses`: the step of a campaign a reply answered and the action decided for it."""

    campaign_id: str
    step: int | None
    action: str
    reschedule_days: int | None = None


@dataclass(frozen=True)
class DailyCounts:
    """What the batch day already holds: messages of this campaign, emails per recipient domain (all campaigns)."""

    campaign_messages: int = 0
    emails_by_domain: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedSend:
    candidate: Candidate
    step: int
    channel: Channel
    idempotency_key: str
    fallback: bool = False
    variant: str | None = None
    """Set for follow-ups and fallbacks (the variant of the prospect's sequence); None: to be drawn."""

    @property
    def prospect_id(self) -> str:
        return self.candidate.prospect_id


@dataclass(frozen=True)
class Exclusion:
    prospect_id: str
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class Eligibility:
    planned: list[PlannedSend]
    excluded: list[Exclusion]

    def reasons(self) -> Counter[str]:
        return Counter(e.reason for e in self.excluded)


class _Excluded(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def recipient_zone(timezone: str | None, state: str | None) -> ZoneInfo | None:
    """The prospect's IANA zone; an unknown or missing one falls back to its state's main zone; else None."""
    zone = _zone(timezone) if timezone else None
    if zone is None and state:
        fallback = STATE_TIME_ZONES.get(state.upper())
        zone = _zone(fallback) if fallback else None
    return zone


def within(local: time, start: time, end: time) -> bool:
    return start <= local < end


def local_time(clock: datetime, zone: ZoneInfo) -> time:
    if clock.tzinfo is None:
        raise ValueError("the batch clock must be timezone-aware (UTC)")
    return clock.astimezone(zone).time()


def quiet_hours_reason(clock: datetime, candidate: Candidate, campaign: Campaign) -> tuple[str, str] | None:
    """(reason, detail) when the batch clock is outside quiet hours or the send window at the recipient."""
    zone = recipient_zone(candidate.timezone, candidate.state)
    if zone is None:
        return "unknown_timezone", f"timezone={candidate.timezone!r} state={candidate.state!r}"
    local = local_time(clock, zone)
    if not within(local, QUIET_HOURS_START, QUIET_HOURS_END):
        return "quiet_hours", f"{local:%H:%M} in {zone.key}"
    if not within(local, campaign.send_window.start, campaign.send_window.end):
        return "outside_send_window", f"{local:%H:%M} in {zone.key}"
    return None


def _channel_order(campaign: Campaign, step_channel: str | None) -> list[Channel]:
    order: list[Channel] = list(campaign.channels)
    if step_channel is not None:
        order.remove(step_channel)
        order.insert(0, step_channel)
    return order


def usable_channels(candidate: Candidate, history: Sequence[PastMessage]) -> dict[str, bool]:
    failed = {m.channel for m in history if m.channel_failed}
    return {
        "email": candidate.has_email and candidate.is_email_valid and not candidate.email_disqualified
        and "email" not in failed,
        "sms": candidate.has_phone and candidate.is_sms_eligible and not candidate.phone_disqualified
        and "sms" not in failed,
    }


def _pick_channel(
    campaign: Campaign, step: int, candidate: Candidate, history: Sequence[PastMessage], tried: set[str]
) -> Channel:
    usable = usable_channels(candidate, history)
    for channel in _channel_order(campaign, campaign.steps[step].channel):
        if channel not in tried and usable[channel]:
            return channel
    detail = ", ".join(f"{c}={'ok' if ok else 'no'}" for c, ok in usable.items())
    raise _Excluded("no_usable_channel", detail + (f"; tried {','.join(sorted(tried))}" if tried else ""))


def _sticky_variant(own: Sequence[PastMessage]) -> str | None:
    """The variant the prospect's sequence started with (its first live initial message, else its first message)."""
    first = min(own, key=lambda m: (m.step, m.status in DEAD, m.at), default=None)
    return first.variant if first is not None else None


def _reply_stops(own: Sequence[PastMessage], answers: Sequence[PastReply]) -> bool:
    """A reply stops the sequence unless its action lets it go on; a message marked replied whose reply has not
    been analyzed yet (no answer recorded for its step) stops it too, until the analysis says otherwise."""
    if any(r.action not in CONTINUING_ACTIONS for r in answers):
        return True
    answered = {r.step for r in answers}
    return any(m.status in REPLIED and m.step not in answered for m in own)


def _follow_up_due(last_at: datetime, delay_days: int, answers: Sequence[PastReply]) -> datetime:
    """When the next step is due after a step last sent at `last_at`, given the replies to that step."""
    if any(r.action == Action.FOLLOW_UP for r in answers):
        return last_at  # a question: the next step follows up on it now
    postponed = max((r.reschedule_days or 0 for r in answers if r.action == Action.RESCHEDULE), default=0)
    return last_at + timedelta(days=delay_days + postponed)


def next_send(
    candidate: Candidate,
    campaign: Campaign,
    clock: datetime,
    history: Sequence[PastMessage],
    replies: Sequence[PastReply] = (),
) -> PlannedSend:
    """The campaign's next message for this prospect (rules 3-4), or `_Excluded`."""
    campaign_id = campaign.campaign_id
    own = [m for m in history if m.campaign_id == campaign_id]
    answers = [r for r in replies if r.campaign_id == campaign_id]
    if "reply" in campaign.stop_on and _reply_stops(own, answers):
        raise _Excluded("stopped_on_reply")
    if "opt_out" in campaign.stop_on and any(m.status in OPTED_OUT for m in own):
        raise _Excluded("stopped_on_opt_out")
    if not own:
        channel = _pick_channel(campaign, 0, candidate, history, set())
        return PlannedSend(candidate, 0, channel, idempotency_key(candidate.prospect_id, campaign_id, 0))
    last_step = max(m.step for m in own)
    at_step = [m for m in own if m.step == last_step]
    variant = _sticky_variant(own)
    if any(m.status == "pending" for m in at_step):
        raise _Excluded("pending_resend", f"step {last_step}")
    live = [m for m in at_step if m.status not in DEAD]
    if live:
        next_step = last_step + 1
        if next_step >= len(campaign.steps):
            raise _Excluded("sequence_complete")
        due = _follow_up_due(max(m.at for m in live), campaign.steps[next_step].delay_days,
                             [r for r in answers if r.step == last_step])
        if clock < due:
            raise _Excluded("follow_up_not_due", f"step {next_step} due {due:%Y-%m-%dT%H:%MZ}")
        channel = _pick_channel(campaign, next_step, candidate, history, set())
        key = idempotency_key(candidate.prospect_id, campaign_id, next_step)
        return PlannedSend(candidate, next_step, channel, key, variant=variant)
    if not all(m.channel_failed for m in at_step):
        codes = ",".join(sorted({m.error_code or m.status for m in at_step}))
        raise _Excluded("previous_attempt_rejected", f"step {last_step}: {codes}")
    tried = {m.channel for m in at_step}
    channel = _pick_channel(campaign, last_step, candidate, history, tried)
    key = idempotency_key(candidate.prospect_id, campaign_id, last_step, fallback_channel=channel)
    return PlannedSend(candidate, last_step, channel, key, fallback=True, variant=variant)


def pending_check(
    candidate: Candidate | None, campaign: Campaign, clock: datetime, suppressed: bool, channel: str | None = None
) -> tuple[str, str] | None:
    """Before re-sending a message left `pending` by an earlier run (on `channel`): ("cancel", reason) when the
    prospect may no longer be contacted there, ("defer", reason) when not now (quiet hours), None to send it."""
    if candidate is None:
        return "cancel", "prospect_removed"
    if suppressed:
        return "cancel", "suppressed"
    if (channel == "email" and candidate.email_disqualified) or (channel == "sms" and candidate.phone_disqualified):
        return "cancel", "contact_disqualified"
    if candidate.status in EXCLUDED_STATUSES:
        return "cancel", EXCLUDED_STATUSES[candidate.status]
    if candidate.registered_user_id is not None:
        return "cancel", "registered_user"
    if (reason := quiet_hours_reason(clock, candidate, campaign)) is not None:
        return "defer", reason[0]
    return None


def _pacing_reason(campaign: Campaign, clock: datetime, history: Sequence[PastMessage]) -> tuple[str, str] | None:
    """Frequency cap and cooldown across campaigns (rule 6). Times on either side of the clock count, so a
    backfill of an earlier day respects what later days already sent."""
    policy = campaign.frequency
    counted = [m for m in history if m.status not in NOT_SENT]
    window = timedelta(days=policy.window_days)
    recent = [m for m in counted if abs(m.at - clock) < window]
    if len(recent) >= policy.max_messages:
        return "frequency_cap", f"{len(recent)} messages within {policy.window_days} days"
    cooldown = timedelta(hours=policy.cooldown_hours)
    others = [m for m in counted if m.campaign_id != campaign.campaign_id and abs(m.at - clock) < cooldown]
    if others:
        return "cooldown", f"message of campaign {others[0].campaign_id} within {policy.cooldown_hours} h"
    return None


def _conversation_continues_here(campaign: Campaign, replies: Sequence[PastReply]) -> bool:
    """A prospect who asked a question keeps getting this campaign's sequence (its next step answers)."""
    return any(r.campaign_id == campaign.campaign_id and r.action == Action.FOLLOW_UP for r in replies)


def _individual(
    candidate: Candidate,
    campaign: Campaign,
    clock: datetime,
    history: Sequence[PastMessage],
    suppressed: bool,
    replies: Sequence[PastReply] = (),
) -> PlannedSend:
    if suppressed:
        raise _Excluded("suppressed")
    if candidate.status in EXCLUDED_STATUSES:
        raise _Excluded(EXCLUDED_STATUSES[candidate.status])
    if candidate.registered_user_id is not None:
        raise _Excluded("registered_user")
    if candidate.status in IN_CONVERSATION and not (
        candidate.status == "responded" and _conversation_continues_here(campaign, replies)
    ):
        raise _Excluded("in_conversation", candidate.status)
    planned = next_send(candidate, campaign, clock, history, replies)
    if (reason := quiet_hours_reason(clock, candidate, campaign)) is not None:
        raise _Excluded(*reason)
    if (reason := _pacing_reason(campaign, clock, history)) is not None:
        raise _Excluded(*reason)
    return planned


def evaluate(
    candidates: Iterable[Candidate],
    campaign: Campaign,
    clock: datetime,
    history: Mapping[str, Sequence[PastMessage]],
    suppressed: set[str] | frozenset[str],
    counts: DailyCounts | None = None,
    replies: Mapping[str, Sequence[PastReply]] | None = None,
) -> Eligibility:
    """Plan the batch: who gets which step on which channel, and why everyone else does not.

    `history` maps prospect id to its messages of every campaign; `suppressed` holds the prospect ids whose contacts
    are on the suppression list; `counts` what the batch day already holds (for the caps); `replies` maps prospect
    id to its analyzed replies (every campaign).
    """
    replies = replies or {}
    counts = counts or DailyCounts()
    planned: list[PlannedSend] = []
    excluded: list[Exclusion] = []
    for candidate in candidates:
        try:
            planned.append(
                _individual(
                    candidate,
                    campaign,
                    clock,
                    history.get(candidate.prospect_id, ()),
                    candidate.prospect_id in suppressed,
                    replies.get(candidate.prospect_id, ()),
                )
            )
        except _Excluded as exc:
            excluded.append(Exclusion(candidate.prospect_id, exc.reason, exc.detail))
    planned.sort(key=lambda p: (p.step == 0 and not p.fallback, -p.candidate.priority, p.prospect_id))
    kept, capped = apply_caps(planned, campaign, counts)
    return Eligibility(planned=kept, excluded=excluded + capped)


def apply_caps(
    planned: Sequence[PlannedSend], campaign: Campaign, counts: DailyCounts
) -> tuple[list[PlannedSend], list[Exclusion]]:
    """Rule 7, in the given (priority) order."""
    left = campaign.daily_cap - counts.campaign_messages
    per_domain = Counter(counts.emails_by_domain)
    exempt = {d.lower() for d in campaign.per_domain_cap_exempt}
    kept: list[PlannedSend] = []
    capped: list[Exclusion] = []
    for send in planned:
        domain = (send.candidate.email_domain or "").lower()
        limited = send.channel == "email" and campaign.per_domain_cap is not None and domain and domain not in exempt
        if limited and per_domain[domain] >= campaign.per_domain_cap:
            capped.append(Exclusion(send.prospect_id, "domain_cap", domain))
            continue
        if left <= 0:
            capped.append(Exclusion(send.prospect_id, "daily_cap", f"{campaign.daily_cap} per day"))
            continue
        left -= 1
        if send.channel == "email" and domain:
            per_domain[domain] += 1
        kept.append(send)
    return kept, capped
