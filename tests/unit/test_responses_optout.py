"""Opt-out detection: FCC revocation words in every form, phrasings, privacy objections, and what is NOT one."""

from __future__ import annotations

import pytest

from outreach.responses import Intent, classify_intent
from outreach.responses.local_model import load_dataset
from outreach.responses.optout import SUPPRESS_CHANNELS, detect_opt_out

FCC_WORDS = ["stop", "quit", "end", "revoke", "opt out", "cancel", "unsubscribe"]
CARRIER_WORDS = ["stopall", "stop all", "optout", "opt-out", "remove"]


def _variants(word: str) -> list[str]:
    """The word as people type it: cases, punctuation, emoji, padding, filler."""
    title = word.title()
    return [
        word, word.upper(), title, f"{word}.", f"{title}!!", f"{word.upper()}!!!", f"  {word}  ", f"{word}?",
        f"'{word}'", f'"{word.upper()}"', f"{word} 🛑", f"🛑 {word.upper()} 🛑", f"{word}\n", f"-{word}-",
        f"please {word}", f"{title} please", f"{word} now", f"{word.upper()} thanks", f"{word}, thank you",
        f"Hi, {word}.", f"{word} {word}", f"*{word}*", f"{word}…", f"¡{word}!",
    ]


@pytest.mark.parametrize("word", FCC_WORDS + CARRIER_WORDS)
def test_every_revocation_word_in_any_case_and_punctuation(word: str) -> None:
    for text in _variants(word):
        for channel in ("sms", "email"):
            found = detect_opt_out(text, channel)
            assert found is not None, repr(text)
            assert found.category in ("keyword", "phrase")  # "please unsubscribe" is also a phrase
            assert found.suppress_channels == SUPPRESS_CHANNELS == ("email", "sms")
            assert found.channel == channel


@pytest.mark.parametrize(
    "text",
    [
        "STOPALL", "StopAll", "STOP ALL", "s t o p", "S.T.O.P", "S-T-O-P", "stoppppp", "STOOOP", "st0p", "$TOP",
        "5T0P", "sotp", "unsubscibe", "UNSUBSRCIBE", "un-subscribe", "ＳＴＯＰ", "ЅТОР", "𝐒𝐓𝐎𝐏", "🇸🇹🇴🇵",
        "S\u200bTOP", "<b>STOP</b>", "STOP I never signed up for this", "Stop who is this",
        "End this is spam", "STOP STOP STOP", "Stop. Who is this?", "Not interested, stop", "not interested. STOP",
        "Wrong number, stop", "ok stop", "Hey stop", "Stop texting me", "Quit it", "Cancel my subscription",
        "Unsubscribe me", "Opt me out", "STOP!!!!!!!!!!", "Alto", "BAJA",
    ],
)
def test_keyword_variants(text: str) -> None:
    assert detect_opt_out(text, "sms") is not None


@pytest.mark.parametrize(
    "text",
    [
        "please don't text me again", "Please don't text me again.", "Don't text me", "dont txt me anymore",
        "do not contact me", "Do not contact us again about this.", "Please do not email me again",
        "Never contact me again.", "Don't ever message this number", "don't call or text me",
        "Do not call or text this number", "please stop texting this number", "Stop emailing me.",
        "quit messaging me", "stop contacting us", "Please stop sending me these messages", "stop the texts",
        "Stop with the emails!", "take me off your list", "Take me off your list!",
        "Please take us off your list, thank you.", "take my number off your list", "Take this number off your list",
        "Remove me from your mailing list", "remove me", "Please remove my number", "remove us", "remove this email",
        "leave me alone", "Leave us alone please", "unsubscribe me from these emails", "I want to unsubscribe",
        "I'd like to opt out", "how do I unsubscribe?", "I wish to opt out of all communications",
        "no more texts", "No more messages please", "I don't want any more messages", "I do not want to receive these",
        "put me on your do not call list", "add me to your DNC list", "lose my number", "Delete my number",
        "go away", "please go away", "f off", "back off", "This is harassment.", "Cease and desist.",
        "I already unsubscribed", "I already asked to be removed", "How many times do I have to say stop",
        "I told you to stop", "I'm opting out", "u r spamming me, stop", "I asked 2 be removed",
        "Stop spamming me", "No more emails from you", "I never signed up for this, remove me",
        "STOP\n\nMike\nApex Roofing", "Hi there,\n\nPlease remove me from your list.\n\nThanks,\nMike",
        "Please remove me from your mailing list.", "Stop emailing me. Remove this address from your list.",
        "I want out", "No more", "Leave me be", "I'd like to be removed from your list", "I want to be removed",
        "I'd like to be taken off your contact list", "STOP 2", "Don't reach out again", "Kindly unsubscribe",
        "No longer wish to receive emails", "Not interested, remove", "Take my name off your list",
        "I've asked you to stop", "Wrong number. Please stop texting.", "Kindly refrain from contacting me",
        "I'd rather not be contacted", "Please cease all communication", "enough with the texts",
    ],
)
def test_phrasings(text: str) -> None:
    found = detect_opt_out(text, "sms")
    assert found is not None, text
    assert found.rule.split(":")[0] in ("keyword", "phrase", "privacy")


@pytest.mark.parametrize(
    "text",
    [
        "I object to processing", "I object to the processing of my personal data.",
        "I object to you processing my data", "Under GDPR I object to further processing of my information.",
        "do not sell my data", "Do not sell or share my personal information.", "Don't sell my info",
        "Under the CCPA I am asking you not to sell my personal information.", "Opt me out of the sale of my data",
        "delete my data", "Please delete all my information", "Erase my personal data.", "Remove my details",
        "I request erasure under GDPR", "right to be forgotten", "I'm exercising my right to erasure",
        "I withdraw my consent", "I revoke my consent to be contacted", "I do not consent to these messages",
        "Per CCPA, delete everything you have on me", "GDPR request: remove my data from your systems",
    ],
)
def test_gdpr_ccpa_objections_are_opt_outs(text: str) -> None:
    found = detect_opt_out(text, "email")
    assert found is not None, text
    assert found.category in ("privacy", "phrase", "keyword")


def test_privacy_objections_are_labelled_privacy() -> None:
    for text in ("I object to the processing of my data", "do not sell my personal information", "delete my data",
                 "Under GDPR please erase everything"):
        found = detect_opt_out(text, "email")
        assert found is not None and found.category == "privacy", text


NOT_OPT_OUTS = [
    "don't stop the project", "Don't stop sending me leads!", "I can't quit my day job, but interested",
    "when does the work end?", "What happens at the end of the trial?", "we end most jobs in a week",
    "We can start Monday and end Friday", "the end", "End of the day works for a call",
    "Stop by anytime", "stop by the shop tomorrow", "Thanks, I will stop by your booth", "she said to stop by",
    "Stop sign installation is one of our services", "Is this a stop-work order?", "You can't stop progress",
    "No stopping us now, interested!", "Never stop hustling", "Stop the leak first then we talk",
    "We stop all calls after 5pm", "How do I stop getting leads I don't want?", "Non-stop work lately, but interested",
    "Quit playing, is this real?", "I quit my old job last year and started this company",
    "Can I cancel anytime?", "Is there a way to cancel later?", "cancellation policy?", "We had to cancel a job",
    "Can I opt out later if it doesn't work out?", "If I want to unsubscribe later can I?",
    "Will I be able to unsubscribe?", "Is there a way to unsubscribe later if it's not for me?",
    "I would never opt out of free leads", "Subscribe", "Sign me up",
    "I unsubscribed from HomeAdvisor because of the fees, tell me about yours",
    "remove the old deck", "Please remove the old address from my profile and add the new one",
    "Please don't call me before 9am", "don't text me after 8pm", "Don't text or call before noon",
    "Don't email, text me instead", "Don't call me, text me", "I don't text much, call me",
    "Do not contact my customers directly", "please don't send me the wrong leads", "don't bother",
    "No thanks", "not interested", "No", "Nope, we're booked", "Who is this?", "How much does it cost?",
    "wrong number", "I'm out of the office until Monday", "I'm not a contractor", "Yes, I'm interested, sign me up",
    "we do not sell leads", "Are you GDPR compliant?", "How do you handle my data?",
    "What do you do with my personal data?", "Are you CCPA compliant? I want to know my rights first",
    "no, I get enough calls already", "we have enough emails to answer", "Kindly stop by the office",
    "the old deck needs to be removed", "I was removed from Angi last year, tell me more", "No more leads needed",
    "no more questions, sign me up", "We end at 5", "Don't reach out to the homeowner directly",
    "Reply STOP to opt out",  # someone pasting our footer back is not asking... it is the template text
]


@pytest.mark.parametrize("text", NOT_OPT_OUTS)
def test_tricky_non_opt_outs(text: str) -> None:
    found = detect_opt_out(text, "sms")
    assert found is None, (text, found)
    # nor does the local model turn them into one: opt-outs are the rules' decision only
    assert classify_intent(text, "sms").intent is not Intent.OPT_OUT


def test_tricky_examples_keep_their_real_intent() -> None:
    assert classify_intent("I can't quit my day job, but interested", "sms").intent is Intent.INTERESTED
    assert classify_intent("when does the work end?", "sms").intent is Intent.QUESTION
    assert classify_intent("Can I cancel anytime?", "sms").intent is Intent.QUESTION


@pytest.mark.parametrize(
    "body",
    [
        "Sounds good, how do I sign up?\n\nOn Mon, Jan 6, 2025 at 9:00 AM InstaBids <hi@instabids.example> wrote:\n"
        "> Hi Mike, more roofing jobs in Fresno?\n> Reply STOP to opt out.\n> STOP\n> unsubscribe",
        "Interested!\n\n-----Original Message-----\nFrom: InstaBids\nSent: Monday\n\nReply STOP to unsubscribe.\nSTOP",
        "Interested!\n\nFrom: InstaBids <hi@instabids.example>\nSent: Monday\nTo: me\nSubject: jobs\n\nSTOP",
        "<div>Interested!</div><blockquote>STOP<br>Unsubscribe</blockquote>",
        "> STOP\nInterested, call me",
        "Interested\n-- \nMike | Apex Roofing | Unsubscribe",
    ],
)
def test_opt_out_word_only_in_quoted_history_does_not_count(body: str) -> None:
    assert detect_opt_out(body, "email") is None


def test_opt_out_after_a_quote_counts() -> None:
    body = "On Mon, Jan 6, 2025 at 9:00 AM InstaBids <hi@instabids.example> wrote:\n> More jobs?\n\nSTOP"
    assert detect_opt_out(body, "email") is not None
    assert detect_opt_out("Please remove me\n\n> Reply STOP to opt out", "email") is not None


def test_subject_counts_for_email() -> None:
    assert detect_opt_out("", "email", subject="Unsubscribe") is not None
    assert detect_opt_out("", "email", subject="RE: remove me") is not None
    assert detect_opt_out("Interested", "email", subject="Re: More roofing jobs in Fresno") is None


def test_result_carries_the_matched_rule() -> None:
    found = detect_opt_out("STOP!!", "sms")
    assert found is not None
    assert (found.rule, found.category, found.matched, found.channel) == ("keyword:stop", "keyword", "stop", "sms")
    assert 0.0 <= found.confidence <= 1.0
    phrase = detect_opt_out("Please take me off your list", "email")
    assert phrase is not None and phrase.rule == "phrase:take_me_off"
    privacy = detect_opt_out("I object to processing", "email")
    assert privacy is not None and privacy.rule == "privacy:object_to_processing"


def test_dataset_opt_outs_are_all_detected_and_nothing_else() -> None:
    """Recall and precision of the rules on every labelled reply shipped with the package."""
    rows = load_dataset()
    missed = [r.text for r in rows if r.intent == "opt_out" and detect_opt_out(r.text, r.channel) is None]
    false = [r.text for r in rows if r.intent != "opt_out" and detect_opt_out(r.text, r.channel) is not None]
    assert not missed, missed[:5]
    assert not false, false[:5]
