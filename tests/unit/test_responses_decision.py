"""The follow-up decision per intent."""

from __future__ import annotations

import pytest

from outreach.responses import CONFIRMATION_SMS_TEXT, Action, Intent, IntentResult, classify_intent, decide
from outreach.responses.decision import SEQUENCE_CONTINUES


def test_interested_converts() -> None:
    follow_up = decide("interested", "email")
    assert follow_up.action is Action.CONVERT and follow_up.stop_sequence
    assert not follow_up.suppress_channels and not follow_up.send_confirmation_sms


def test_question_makes_the_next_step_due_now_with_a_reason() -> None:
    follow_up = decide(classify_intent("How much does it cost?", "sms"), "sms")
    assert follow_up.action is Action.FOLLOW_UP and follow_up.action in SEQUENCE_CONTINUES
    assert follow_up.next_step_now
    assert not follow_up.stop_sequence
    assert "question" in follow_up.reason and "model" in follow_up.reason


def test_auto_reply_reschedules_and_keeps_the_sequence() -> None:
    assert decide(Intent.AUTO_REPLY).reschedule_days == 3
    follow_up = decide("auto_reply", "email", reschedule_days=7)
    assert (follow_up.action, follow_up.reschedule_days, follow_up.stop_sequence) == (Action.RESCHEDULE, 7, False)
    assert follow_up.action in SEQUENCE_CONTINUES


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_wrong_contact_disqualifies_that_contact_only(channel: str) -> None:
    follow_up = decide("wrong_contact", channel)
    assert follow_up.action is Action.DISQUALIFY_CONTACT
    assert follow_up.disqualify_channel == channel
    assert not follow_up.suppress_channels and not follow_up.stop_sequence


def test_not_interested_stops_the_sequence_without_suppression() -> None:
    follow_up = decide("not_interested", "sms")
    assert follow_up.action is Action.STOP_SEQUENCE and follow_up.stop_sequence
    assert follow_up.action not in SEQUENCE_CONTINUES
    assert not follow_up.suppress_channels and not follow_up.send_confirmation_sms


def test_opt_out_by_sms_suppresses_all_and_allows_one_confirmation() -> None:
    follow_up = decide(classify_intent("STOP", "sms"), "sms")
    assert follow_up.action is Action.SUPPRESS_ALL and follow_up.stop_sequence
    assert follow_up.suppress_channels == ("email", "sms")
    assert follow_up.confirmation_sms_allowed and follow_up.send_confirmation_sms
    assert follow_up.confirmation_text == CONFIRMATION_SMS_TEXT
    assert "keyword:stop" in follow_up.reason


def test_opt_out_confirmation_at_most_once() -> None:
    follow_up = decide("opt_out", "sms", confirmation_already_sent=True)
    assert follow_up.suppress_channels == ("email", "sms")
    assert follow_up.confirmation_sms_allowed and not follow_up.send_confirmation_sms


def test_opt_out_by_email_suppresses_all_without_sms() -> None:
    follow_up = decide("opt_out", "email")
    assert follow_up.suppress_channels == ("email", "sms")
    assert not follow_up.send_confirmation_sms and not follow_up.confirmation_sms_allowed
    assert follow_up.confirmation_text is None


def test_unknown_goes_to_human_review_and_no_automatic_message_follows() -> None:
    follow_up = decide("unknown", "sms")
    assert follow_up.action is Action.HUMAN_REVIEW and follow_up.action not in SEQUENCE_CONTINUES
    assert follow_up.stop_sequence
    assert not (follow_up.suppress_channels or follow_up.reschedule_days)


def test_low_confidence_review_is_optional_and_never_overrides_opt_out() -> None:
    unsure = IntentResult(Intent.INTERESTED, 0.4, "model", "model p(interested)=0.40")
    assert decide(unsure, "sms").action is Action.CONVERT
    assert decide(unsure, "sms", review_below=0.5).action is Action.HUMAN_REVIEW
    opt_out = IntentResult(Intent.OPT_OUT, 0.3, "llm", "unsure")
    assert decide(opt_out, "sms", review_below=0.9).action is Action.SUPPRESS_ALL


def test_every_intent_has_a_decision() -> None:
    actions = {intent: decide(intent, "sms").action for intent in Intent}
    assert len(actions) == 7
    with pytest.raises(ValueError):
        decide("maybe", "sms")
