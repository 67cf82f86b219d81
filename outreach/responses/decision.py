"""What to do after a reply: the follow-up decision per intent. Pure: the caller acts (and checks its data).

| intent | action | what the caller does |
| --- | --- | --- |
| interested | `convert` | stop the outreach sequence, start conversion (account invitation, hand-off) |
| question | `follow_up` | keep the sequence: its next step is due at once (`next_step_now`), not after its delay |
| auto_reply | `reschedule` | keep the sequence, its next step waits `reschedule_days` longer than its own delay |
| wrong_contact | `disqualify_contact` | disqualify the contact the reply came on (`disqualify_channel`), keep others |
| not_interested | `stop_sequence` | stop the campaign's sequence for this prospect (no suppression: not a revocation) |
| opt_out | `suppress_all` | suppress every channel (`suppress_channels`) at once and stop everything |
| unknown | `human_review` | no automatic message: the sequence stops and the reply waits for a person |

The handler records the action (and `reschedule_days`) with the reply in `app.prospect_responses`, against the
sequence step the reply answers; eligibility (`outreach.campaigns.eligibility`) reads it at the next batch. Only
the actions of `SEQUENCE_CONTINUES` let a sequence go on after a reply.

Opt-out confirmation: **at most one** SMS, only when the opt-out came by SMS (`confirmation_sms_allowed`) and
only if none was sent before. The caller knows what it sent: pass `confirmation_already_sent=True`, or check
`confirmation_sms_allowed` against its own record; `send_confirmation_sms` is the combination of both.

An opt-out is final whatever the confidence. Optionally (`review_below`), a non-opt-out intent whose confidence
is below the threshold goes to human review instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from outreach.responses.intent import Intent, IntentResult
from outreach.responses.optout import SUPPRESS_CHANNELS

DEFAULT_RESCHEDULE_DAYS: Final = 3
"""An out-of-office reply moves the next step this many days past its own delay (most absences are short)."""
# FCC 2024 rule: one confirmation text, within 5 minutes, no marketing, confirming the revocation.
CONFIRMATION_SMS_TEXT: Final = "InstaBids: you are unsubscribed and will receive no more messages from us."


class Action(StrEnum):
    CONVERT = "convert"
    FOLLOW_UP = "follow_up"
    RESCHEDULE = "reschedule"
    DISQUALIFY_CONTACT = "disqualify_contact"
    STOP_SEQUENCE = "stop_sequence"
    SUPPRESS_ALL = "suppress_all"
    HUMAN_REVIEW = "human_review"


SEQUENCE_CONTINUES: Final = frozenset({Action.FOLLOW_UP, Action.RESCHEDULE, Action.DISQUALIFY_CONTACT})
"""Actions after which the campaign's sequence goes on; after any other the sequence stops (`stop_on: reply`)."""


@dataclass(frozen=True)
class FollowUp:
    """The decision for one analysed reply."""

    action: Action
    intent: Intent
    reason: str
    stop_sequence: bool = False  # end the campaign's outreach sequence for this prospect
    next_step_now: bool = False  # question → the sequence's next step follows up at once, without its delay
    reschedule_days: int | None = None  # auto_reply → the next step waits this many days past its delay
    disqualify_channel: str | None = None  # wrong_contact → the contact ("email"/"sms") to disqualify
    suppress_channels: tuple[str, ...] = ()  # opt_out → every channel
    send_confirmation_sms: bool = False  # opt_out by SMS and no confirmation sent before
    confirmation_sms_allowed: bool = False  # opt_out by SMS: a confirmation is allowed if none was sent yet
    confirmation_text: str | None = None


def _as_intent(intent: Intent | IntentResult | str) -> tuple[Intent, IntentResult | None]:
    if isinstance(intent, IntentResult):
        return intent.intent, intent
    return Intent(intent), None


def decide(intent: Intent | IntentResult | str, channel: str | None = None, *,
           confirmation_already_sent: bool = False, reschedule_days: int = DEFAULT_RESCHEDULE_DAYS,
           review_below: float | None = None) -> FollowUp:
    """The follow-up for an intent (or an `IntentResult`) of a reply received on `channel` ("email"/"sms")."""
    value, result = _as_intent(intent)
    why = f" ({result.reason})" if result is not None and result.reason else ""
    if value is Intent.OPT_OUT:
        by_sms = channel == "sms"
        return FollowUp(
            Action.SUPPRESS_ALL, value, f"opt-out: suppress every channel{why}", stop_sequence=True,
            suppress_channels=SUPPRESS_CHANNELS, confirmation_sms_allowed=by_sms,
            send_confirmation_sms=by_sms and not confirmation_already_sent,
            confirmation_text=CONFIRMATION_SMS_TEXT if by_sms else None,
        )
    if result is not None and review_below is not None and result.confidence < review_below:
        return FollowUp(Action.HUMAN_REVIEW, value,
                        f"{value.value} with confidence {result.confidence:.2f} < {review_below:.2f}: human review",
                        stop_sequence=True)
    if value is Intent.INTERESTED:
        return FollowUp(Action.CONVERT, value, f"interested: start conversion{why}", stop_sequence=True)
    if value is Intent.QUESTION:
        return FollowUp(Action.FOLLOW_UP, value, f"question: follow up with the next step now{why}",
                        next_step_now=True)
    if value is Intent.AUTO_REPLY:
        return FollowUp(Action.RESCHEDULE, value, f"auto-reply: next step {reschedule_days} days later{why}",
                        reschedule_days=reschedule_days)
    if value is Intent.WRONG_CONTACT:
        return FollowUp(Action.DISQUALIFY_CONTACT, value,
                        f"wrong contact: disqualify the {channel or 'replying'} contact{why}",
                        disqualify_channel=channel)
    if value is Intent.NOT_INTERESTED:
        return FollowUp(Action.STOP_SEQUENCE, value, f"not interested: stop the sequence{why}", stop_sequence=True)
    return FollowUp(Action.HUMAN_REVIEW, value, f"unknown intent: no automatic action{why}", stop_sequence=True)
