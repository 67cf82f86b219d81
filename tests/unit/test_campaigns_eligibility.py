"""Send-time eligibility: one reason per excluded prospect, quiet hours across zones and DST, channels, caps."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from outreach.campaigns.eligibility import (
    DailyCounts,
    PastMessage,
    PastReply,
    evaluate,
    idempotency_key,
    pending_check,
    quiet_hours_reason,
    recipient_zone,
)
from outreach.campaigns.models import Campaign
from outreach.campaigns.selection import Candidate

CAMPAIGN_ID = "0b4c1f0e-1111-4a2b-8c3d-000000000001"
OTHER_CAMPAIGN = "0b4c1f0e-2222-4a2b-8c3d-000000000002"
CLOCK = datetime(2025, 6, 10, 18, 0, tzinfo=UTC)  # 14:00 New York, 11:00 Los Angeles, 08:00 Honolulu


def campaign(**changes) -> Campaign:
    step = {"template_id": "t.x", "templates": {"email": "intro_email.v1", "sms": "intro_sms.v1"}, "subject": "s",
            "email_body": "e", "sms_body": "m"}
    data = {
        "id": CAMPAIGN_ID,
        "name": "Test",
        "status": "active",
        "channels": ["email", "sms"],
        "daily_cap": 100,
        "steps": [{"name": "initial", **step}, {"name": "follow_up", "delay_days": 3, **step}],
        "variants": [{"label": "a"}, {"label": "b"}],
        "frequency": {"max_messages": 3, "window_days": 7, "cooldown_hours": 48},
    }
    data.update(changes)
    return Campaign.model_validate(data)


def prospect(n: int = 1, **changes) -> Candidate:
    values = dict(
        prospect_id=f"00000000-0000-4000-8000-{n:012d}",
        status="enriched",
        registered_user_id=None,
        business_name="Acme Plumbing",
        city="Houston",
        state="TX",
        region="us-tx-houston",
        timezone="America/Chicago",
        specialties=("plumbing",),
        sources=("directory",),
        email_domain=f"acme{n}.example",
        is_email_valid=True,
        is_sms_eligible=True,
        email_enc=b"e",
        phone_enc=b"p",
        contact_name_enc=None,
        email_bidx=b"eb",
        phone_bidx=b"pb",
    )
    values.update(changes)
    return Candidate(**values)


def answer(action: str, step: int | None = 0, *, campaign_id: str = CAMPAIGN_ID, days: int | None = None) -> PastReply:
    """An analyzed reply to `step` of the campaign and the action decided for it."""
    return PastReply(campaign_id, step, action, days)


def past(
    step: int = 0,
    status: str = "sent",
    *,
    campaign_id: str = CAMPAIGN_ID,
    channel: str = "email",
    at: datetime = CLOCK - timedelta(days=4),
    error_code: str | None = None,
    variant: str = "b",
) -> PastMessage:
    return PastMessage(campaign_id, step, channel, variant, status, error_code, at)


def one(
    candidate: Candidate,
    *,
    history=(),
    suppressed=False,
    camp: Campaign | None = None,
    clock=CLOCK,
    counts: DailyCounts | None = None,
    replies=(),
):
    result = evaluate(
        [candidate],
        camp or campaign(),
        clock,
        {candidate.prospect_id: list(history)},
        {candidate.prospect_id} if suppressed else set(),
        counts,
        {candidate.prospect_id: list(replies)},
    )
    if result.planned:
        return result.planned[0]
    assert len(result.excluded) == 1
    return result.excluded[0].reason


@pytest.mark.parametrize(
    ("name", "candidate", "kwargs", "expected"),
    [
        ("fresh prospect gets the initial email", prospect(), {}, (0, "email")),
        ("suppressed contact", prospect(), {"suppressed": True}, "suppressed"),
        ("suppressed wins over everything", prospect(status="converted"), {"suppressed": True}, "suppressed"),
        ("status suppressed", prospect(status="suppressed"), {}, "status_suppressed"),
        ("status disqualified", prospect(status="disqualified"), {}, "status_disqualified"),
        ("converted", prospect(status="converted"), {}, "status_converted"),
        ("verified", prospect(status="verified"), {}, "status_verified"),
        ("registered user", prospect(registered_user_id="u1"), {}, "registered_user"),
        ("in conversation", prospect(status="responded"), {}, "in_conversation"),
        ("contacted is fine", prospect(status="contacted"), {}, (0, "email")),
        ("invalid email -> sms", prospect(is_email_valid=False), {}, (0, "sms")),
        ("no email -> sms", prospect(email_enc=None), {}, (0, "sms")),
        ("no usable channel", prospect(is_email_valid=False, is_sms_eligible=False), {}, "no_usable_channel"),
        ("landline, no email", prospect(email_enc=None, is_sms_eligible=False), {}, "no_usable_channel"),
        ("never two initials: pending one", prospect(), {"history": [past(0, "pending", at=CLOCK)]}, "pending_resend"),
        (
            "initial sent today: follow-up not due",
            prospect(),
            {"history": [past(0, "sent", at=CLOCK)]},
            "follow_up_not_due",
        ),
        ("follow-up due after its delay", prospect(), {"history": [past(0, "delivered")]}, (1, "email")),
        (
            "follow-up 1 h before due",
            prospect(),
            {"history": [past(0, "opened", at=CLOCK - timedelta(days=3) + timedelta(hours=1))]},
            "follow_up_not_due",
        ),
        (
            "sequence complete",
            prospect(),
            {"history": [past(0), past(1, at=CLOCK - timedelta(days=3))]},
            "sequence_complete",
        ),
        ("stop on reply", prospect(), {"history": [past(0, "replied")]}, "stopped_on_reply"),
        (
            "a question makes the next step due at once",
            prospect(status="responded"),
            {"history": [past(0, "replied", at=CLOCK - timedelta(hours=2))], "replies": [answer("follow_up")]},
            (1, "email"),
        ),
        (
            "a question to the last step: nothing left to send",
            prospect(status="responded"),
            {"history": [past(0), past(1, "replied", at=CLOCK - timedelta(days=3))],
             "replies": [answer("follow_up", 1)]},
            "sequence_complete",
        ),
        (
            "a question in another campaign: this one leaves the prospect to it",
            prospect(status="responded"),
            {"replies": [answer("follow_up", campaign_id=OTHER_CAMPAIGN)]},
            "in_conversation",
        ),
        (
            "an auto-reply postpones the next step past its delay",
            prospect(),
            {"history": [past(0, "replied", at=CLOCK - timedelta(days=4))], "replies": [answer("reschedule", days=3)]},
            "follow_up_not_due",
        ),
        (
            "an auto-reply's postponement is over",
            prospect(),
            {"history": [past(0, "replied", at=CLOCK - timedelta(days=6))], "replies": [answer("reschedule", days=3)]},
            (1, "email"),
        ),
        (
            "not interested: as one who responded, no campaign goes on",
            prospect(status="responded"),
            {"history": [past(0, "replied")], "replies": [answer("stop_sequence")]},
            "in_conversation",
        ),
        ("not interested stops this campaign's sequence", prospect(),
         {"history": [past(0, "replied")], "replies": [answer("stop_sequence")]}, "stopped_on_reply"),
        ("a reply for a person to read stops it", prospect(),
         {"history": [past(0, "replied")], "replies": [answer("human_review")]}, "stopped_on_reply"),
        (
            "a reply not analyzed yet stops it until it is",
            prospect(),
            {"history": [past(0), past(1, "replied", at=CLOCK - timedelta(days=1))], "replies": [answer("follow_up")]},
            "stopped_on_reply",
        ),
        (
            "a wrong contact: the sequence goes on on the other channel",
            prospect(email_disqualified=True),
            {"history": [past(0, "replied")], "replies": [answer("disqualify_contact")]},
            (1, "sms"),
        ),
        ("a disqualified email is never used", prospect(email_disqualified=True), {}, (0, "sms")),
        ("both contacts disqualified", prospect(email_disqualified=True, phone_disqualified=True), {},
         "no_usable_channel"),
        ("stop on opt-out", prospect(), {"history": [past(0, "unsubscribed")]}, "stopped_on_opt_out"),
        ("bounced email -> same step on sms", prospect(), {"history": [past(0, "bounced")]}, (0, "sms")),
        (
            "invalid recipient -> sms",
            prospect(),
            {"history": [past(0, "rejected", error_code="invalid_recipient")]},
            (0, "sms"),
        ),
        (
            "both channels dead",
            prospect(),
            {"history": [past(0, "bounced"), past(0, "failed", channel="sms")]},
            "no_usable_channel",
        ),
        (
            "rejected for another reason is not retried",
            prospect(),
            {"history": [past(0, "rejected", error_code="invalid_request")]},
            "previous_attempt_rejected",
        ),
        (
            "bounce in another campaign switches channel",
            prospect(),
            {"history": [past(0, "bounced", campaign_id=OTHER_CAMPAIGN, at=CLOCK - timedelta(days=30))]},
            (0, "sms"),
        ),
        (
            "frequency cap across campaigns",
            prospect(),
            {
                "history": [
                    past(0, campaign_id=f"0b4c1f0e-3333-4a2b-8c3d-00000000000{i}", at=CLOCK - timedelta(days=i + 2))
                    for i in range(3)
                ]
            },
            "frequency_cap",
        ),
        (
            "cooldown after another campaign",
            prospect(),
            {"history": [past(0, campaign_id=OTHER_CAMPAIGN, at=CLOCK - timedelta(hours=30))]},
            "cooldown",
        ),
        (
            "cooldown over",
            prospect(),
            {"history": [past(0, campaign_id=OTHER_CAMPAIGN, at=CLOCK - timedelta(hours=49))]},
            (0, "email"),
        ),
        (
            "a rejected message does not count for pacing",
            prospect(),
            {
                "history": [
                    past(
                        0,
                        "rejected",
                        campaign_id=OTHER_CAMPAIGN,
                        at=CLOCK - timedelta(hours=1),
                        error_code="suppressed",
                    )
                ]
            },
            (0, "email"),
        ),
        ("08:00 in Honolulu is allowed", prospect(timezone="Pacific/Honolulu", state="HI"), {}, (0, "email")),
        ("quiet hours: unknown zone, no state", prospect(timezone="Mars/Olympus", state=None), {}, "unknown_timezone"),
        ("unknown zone falls back to the state's", prospect(timezone="Mars/Olympus", state="CA"), {}, (0, "email")),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_rule(name, candidate: Candidate, kwargs: dict, expected) -> None:
    outcome = one(candidate, **kwargs)
    if isinstance(expected, tuple):
        assert not isinstance(outcome, str), f"{name}: excluded as {outcome}"
        assert (outcome.step, outcome.channel) == expected
    else:
        assert outcome == expected


@pytest.mark.parametrize(
    ("clock", "zone", "state", "expected"),
    [
        # US spring forward: 2025-03-09 02:00 local. 12:30Z is 07:30 EST the day before, 08:30 EDT that day.
        (datetime(2025, 3, 8, 12, 30, tzinfo=UTC), "America/New_York", "NY", "quiet_hours"),
        (datetime(2025, 3, 9, 12, 30, tzinfo=UTC), "America/New_York", "NY", None),
        # Arizona keeps standard time: 07:30 MST on both days (12:30Z is 05:30).
        (datetime(2025, 3, 9, 14, 30, tzinfo=UTC), "America/Phoenix", "AZ", "quiet_hours"),
        (datetime(2025, 3, 9, 15, 0, tzinfo=UTC), "America/Phoenix", "AZ", None),
        # Fall back: 2025-11-02. 01:30Z on Nov 2 is 21:30 EDT on Nov 1 (quiet); 01:30Z Nov 3 is 20:30 EST.
        (datetime(2025, 11, 2, 1, 30, tzinfo=UTC), "America/New_York", "NY", "quiet_hours"),
        (datetime(2025, 11, 3, 1, 30, tzinfo=UTC), "America/New_York", "NY", None),
        # Boundaries: 08:00 sharp is allowed, 21:00 sharp is not.
        (datetime(2025, 6, 10, 15, 0, tzinfo=UTC), "America/Los_Angeles", "CA", None),
        (datetime(2025, 6, 10, 14, 59, tzinfo=UTC), "America/Los_Angeles", "CA", "quiet_hours"),
        (datetime(2025, 6, 11, 4, 0, tzinfo=UTC), "America/Los_Angeles", "CA", "quiet_hours"),
        (datetime(2025, 6, 11, 3, 59, tzinfo=UTC), "America/Los_Angeles", "CA", None),
        # One UTC clock, many zones: 12:00Z is 08:00 EDT, 07:00 CDT, 05:00 PDT, 02:00 HST.
        (datetime(2025, 6, 10, 12, 0, tzinfo=UTC), "America/New_York", "NY", None),
        (datetime(2025, 6, 10, 12, 0, tzinfo=UTC), "America/Chicago", "TX", "quiet_hours"),
        (datetime(2025, 6, 10, 12, 0, tzinfo=UTC), "Pacific/Honolulu", "HI", "quiet_hours"),
        # Missing zone: the state's zone (Texas -> Chicago); 14:00Z is 09:00 CDT.
        (datetime(2025, 6, 10, 14, 0, tzinfo=UTC), None, "TX", None),
        (datetime(2025, 6, 10, 12, 0, tzinfo=UTC), None, "TX", "quiet_hours"),
    ],
)
def test_quiet_hours_at_the_recipient(clock: datetime, zone: str | None, state: str, expected: str | None) -> None:
    reason = quiet_hours_reason(clock, prospect(timezone=zone, state=state), campaign())
    assert (reason[0] if reason else None) == expected


def test_the_send_window_narrows_quiet_hours() -> None:
    narrow = campaign(send_window={"start": "10:00", "end": "16:00"})
    morning = datetime(2025, 6, 10, 13, 30, tzinfo=UTC)  # 09:30 New York
    assert quiet_hours_reason(morning, prospect(timezone="America/New_York"), narrow)[0] == "outside_send_window"
    assert quiet_hours_reason(morning, prospect(timezone="America/New_York"), campaign()) is None


def test_recipient_zone_prefers_the_prospect_zone() -> None:
    assert recipient_zone("America/Denver", "CA").key == "America/Denver"
    assert recipient_zone(None, "ca").key == "America/Los_Angeles"
    assert recipient_zone("", None) is None


def test_a_naive_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        quiet_hours_reason(datetime(2025, 6, 10, 18, 0), prospect(), campaign())


def test_every_excluded_prospect_has_exactly_one_reason() -> None:
    candidates = [
        prospect(1),
        prospect(2, status="converted"),
        prospect(3, timezone="Pacific/Honolulu", state="HI"),
        prospect(4, is_email_valid=False, is_sms_eligible=False),
    ]
    result = evaluate(candidates, campaign(), datetime(2025, 6, 10, 16, 0, tzinfo=UTC), {}, {candidates[0].prospect_id})
    assert result.planned == []
    assert {e.prospect_id: e.reason for e in result.excluded} == {
        candidates[0].prospect_id: "suppressed",
        candidates[1].prospect_id: "status_converted",
        candidates[2].prospect_id: "quiet_hours",  # 06:00 in Honolulu
        candidates[3].prospect_id: "no_usable_channel",
    }
    assert sum(result.reasons().values()) == len(candidates)


def test_daily_cap_keeps_the_highest_priority_and_follow_ups_first() -> None:
    low, high, follow = prospect(1, score=0.2), prospect(2, score=0.9), prospect(3, score=0.1)
    history = {follow.prospect_id: [past(0, "delivered")]}
    result = evaluate([low, high, follow], campaign(daily_cap=2), CLOCK, history, set())
    assert [(p.prospect_id, p.step) for p in result.planned] == [(follow.prospect_id, 1), (high.prospect_id, 0)]
    assert [(e.prospect_id, e.reason) for e in result.excluded] == [(low.prospect_id, "daily_cap")]


def test_daily_cap_counts_what_the_day_already_holds() -> None:
    result = evaluate(
        [prospect(1), prospect(2)], campaign(daily_cap=5), CLOCK, {}, set(), DailyCounts(campaign_messages=4)
    )
    assert len(result.planned) == 1 and result.reasons() == {"daily_cap": 1}


def test_per_domain_cap_spares_free_mail_and_sms() -> None:
    same = [prospect(i, email_domain="bigco.example") for i in range(1, 5)]
    gmail = [prospect(i, email_domain="gmail.com") for i in range(5, 8)]
    sms = [prospect(9, email_domain="bigco.example", is_email_valid=False)]
    result = evaluate(
        [*same, *gmail, *sms],
        campaign(per_domain_cap=2),
        CLOCK,
        {},
        set(),
        DailyCounts(emails_by_domain={"bigco.example": 1}),
    )
    assert result.reasons() == {"domain_cap": 3}
    assert sum(p.candidate.email_domain == "bigco.example" and p.channel == "email" for p in result.planned) == 1
    assert sum(p.channel == "sms" for p in result.planned) == 1


def test_follow_ups_keep_the_sequence_variant_and_initials_draw_one() -> None:
    fresh, following = prospect(1), prospect(2)
    result = evaluate(
        [fresh, following], campaign(), CLOCK, {following.prospect_id: [past(0, "sent", variant="b")]}, set()
    )
    variants = {p.prospect_id: p.variant for p in result.planned}
    assert variants == {fresh.prospect_id: None, following.prospect_id: "b"}


def test_fallback_keys_differ_from_the_primary_key() -> None:
    outcome = one(prospect(), history=[past(0, "bounced")])
    assert outcome.fallback
    assert outcome.idempotency_key == idempotency_key(prospect().prospect_id, CAMPAIGN_ID, 0, fallback_channel="sms")
    assert outcome.idempotency_key != idempotency_key(prospect().prospect_id, CAMPAIGN_ID, 0)


def test_a_step_channel_is_preferred_but_falls_back_when_dead() -> None:
    step = {"template_id": "t.x", "templates": {"email": "intro_email.v1", "sms": "intro_sms.v1"}, "subject": "s",
            "email_body": "e", "sms_body": "m"}
    sms_first = campaign(steps=[{"name": "initial", "channel": "sms", **step}])
    assert one(prospect(), camp=sms_first).channel == "sms"
    assert one(prospect(is_sms_eligible=False), camp=sms_first).channel == "email"
    email_only = campaign(channels=["email"])
    assert one(prospect(is_email_valid=False), camp=email_only) == "no_usable_channel"


@pytest.mark.parametrize(
    ("candidate", "suppressed", "clock", "expected"),
    [
        (prospect(), False, CLOCK, None),
        (None, False, CLOCK, ("cancel", "prospect_removed")),
        (prospect(), True, CLOCK, ("cancel", "suppressed")),
        (prospect(status="converted"), False, CLOCK, ("cancel", "status_converted")),
        (prospect(registered_user_id="u"), False, CLOCK, ("cancel", "registered_user")),
        (prospect(), False, datetime(2025, 6, 10, 3, 0, tzinfo=UTC), ("defer", "quiet_hours")),
    ],
)
def test_pending_messages_are_rechecked_before_a_resend(candidate, suppressed, clock, expected) -> None:
    assert pending_check(candidate, campaign(), clock, suppressed) == expected


def test_a_pending_message_to_a_contact_disqualified_since_is_cancelled_and_the_other_channel_kept() -> None:
    candidate = prospect(phone_disqualified=True)
    assert pending_check(candidate, campaign(), CLOCK, False, "sms") == ("cancel", "contact_disqualified")
    assert pending_check(candidate, campaign(), CLOCK, False, "email") is None


def test_idempotency_keys_are_deterministic_and_distinct() -> None:
    pid = "7C9E6679-7425-40DE-944B-E07FC1F90AE7"
    key = idempotency_key(pid, CAMPAIGN_ID, 0)
    assert key == idempotency_key(pid.lower(), CAMPAIGN_ID, 0)
    assert len(key) == 64 and int(key, 16) >= 0
    assert key == hashlib.sha256(f"{pid.lower()}|{CAMPAIGN_ID}|0".encode()).hexdigest()
    others = {
        idempotency_key(pid, CAMPAIGN_ID, 1),
        idempotency_key(pid, OTHER_CAMPAIGN, 0),
        idempotency_key("00000000-0000-4000-8000-000000000001", CAMPAIGN_ID, 0),
    }
    assert key not in others and len(others) == 3


def test_evaluation_is_reproducible() -> None:
    candidates = [prospect(i, score=(i % 7) / 7) for i in range(1, 40)]
    first = evaluate(candidates, campaign(daily_cap=20), CLOCK, {}, set())
    second = evaluate(list(reversed(candidates)), campaign(daily_cap=20), CLOCK, {}, set())
    assert [p.idempotency_key for p in first.planned] == [p.idempotency_key for p in second.planned]
    assert sorted(first.excluded, key=lambda e: e.prospect_id) == sorted(second.excluded, key=lambda e: e.prospect_id)


def test_replace_keeps_candidates_frozen() -> None:
    assert replace(prospect(), score=0.8).priority == pytest.approx(0.8)
