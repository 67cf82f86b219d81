"""Guardrails on model-written text: numbers from the facts only, no income promises, no foreign links or contact
data, length limits, and the finished message still compliant."""

import dataclasses
import uuid
from decimal import Decimal

import pytest
from fixtures.senders import TEST_SENDER as SENDER

from outreach.personalization.facts import Facts
from outreach.personalization.guardrails import check_draft, check_message, check_numbers, check_text, quantities
from outreach.templates.compliance import Recipient
from outreach.templates.render import Draft, render

FACTS = Facts.from_values(
    business_name="A1 Plumbing 24/7",
    specialty="plumbing",
    region_name="San Diego, CA",
    source="license_ca",
    open_projects=37,
    average_project_value_cents=1_234_550,  # "$12,346"
)
REFERRED = FACTS.model_copy(update={"referrer_first_name": "Ana"})


def codes(violations) -> list[str]:
    return [violation.code for violation in violations]


def test_numbers_are_normalized() -> None:
    found = {(q.text, q.value, q.money) for q in quantities("37 jobs, $1,234.50, $1.2k, 2 thousand, 5%, twenty-one")}
    assert ("37", Decimal(37), False) in found
    assert ("$1,234.50", Decimal("1234.50"), True) in found
    assert ("$1.2k", Decimal("1200.0"), True) in found
    assert ("2 thousand", Decimal(2000), False) in found
    assert ("twenty-one", Decimal(21), False) in found
    assert any(q.percent for q in quantities("5%"))


@pytest.mark.parametrize(
    "text",
    [
        "There are 37 open plumbing projects near you.",
        "Projects there average $12,346.",
        "Projects there average $12,346.00.",
        "Projects there average 12346 dollars.",
        "The average project is about $12.3k.",
        "The average project is about $12k.",
        "The average project is around 12.35k USD.",
        "Thirty-seven homeowners are waiting.",
        "A1 Plumbing 24/7 could be a great fit.",
        "Homeowners in San Diego, CA need help.",
        "No numbers here at all, just one good fit.",
    ],
)
def test_numbers_from_the_facts_pass_in_any_form(text: str) -> None:
    assert check_numbers(text, FACTS) == []


@pytest.mark.parametrize(
    ("text", "culprit"),
    [
        ("There are 38 open projects.", "38"),
        ("Projects average $12,000.", "$12,000"),  # a full-precision amount must be exact
        ("Projects average $13k.", "$13k"),
        ("You could win $37 per lead.", "$37"),  # a count is not an amount
        ("37% of homeowners book within a week.", "37%"),
        ("Join 5,000 contractors.", "5,000"),
        ("Hundreds of homeowners post every day.", "Hundreds"),
        ("Three new projects this week.", "Three"),
        ("Since 2019 we have grown.", "2019"),
        ("A dozen projects are waiting.", "dozen"),
    ],
)
def test_invented_numbers_are_violations(text: str, culprit: str) -> None:
    violations = check_numbers(text, FACTS)
    assert codes(violations) and set(codes(violations)) == {"number_not_in_facts"}
    assert any(culprit in violation.detail for violation in violations)


@pytest.mark.parametrize(
    "text",
    [
        "Work here is guaranteed.",
        "You will earn more with us.",
        "Boost your income this year.",
        "Contractors make $12,346 on average.",
        "Make more money on your schedule.",
        "That's $12,346 per month for your crew.",
        "It's completely risk-free.",
        "Profitable jobs await.",
        "We promise steady work.",
        "Double your bookings.",
        "Easy cash for weekend jobs.",
    ],
)
def test_income_promises_are_violations(text: str) -> None:
    assert "income_claim" in codes(check_text(text, FACTS))


def test_a_referral_may_be_mentioned_only_for_a_referred_prospect() -> None:
    text = "Ana referred you to us."
    assert "invented_referral" in codes(check_text(text.replace("Ana", "A friend"), FACTS))
    assert "invented_referral" not in codes(check_text(text, REFERRED))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("See https://cheap-leads.example.com/join today.", "foreign_url"),
        ("Visit www.instabids.com for more.", "foreign_url"),
        ("Find us at leadsplus.io.", "foreign_url"),
        ("Write to owner@plumbing-example.com.", "contact_data"),
        ("Call us at (619) 555-0100.", "contact_data"),
        ("Call +1 619 555 0100.", "contact_data"),
        ("<b>Hello</b> there.", "markup"),
        ("Hello {{ name }}.", "markup"),
    ],
)
def test_links_contact_data_and_markup_are_violations(text: str, code: str) -> None:
    assert code in codes(check_text(text, FACTS, allowed_hosts=SENDER.hosts))


def test_our_own_links_are_allowed() -> None:
    assert check_text("Details: https://outreach.instabids.example/privacy", FACTS, allowed_hosts=SENDER.hosts) == []


def test_a_clean_text_has_no_violations() -> None:
    text = (
        "Homeowners in San Diego, CA have 37 open plumbing projects on InstaBids right now, with an average "
        "project value of $12,346. A1 Plumbing 24/7 could be a strong fit for them."
    )
    assert check_text(text, FACTS, allowed_hosts=SENDER.hosts) == []


def test_draft_lengths_and_presence() -> None:
    ok = Draft(subject="37 plumbing projects near San Diego, CA", opening="Homeowners nearby need plumbers.")
    assert check_draft(ok, "email", FACTS, SENDER) == []
    long_subject = Draft(subject="Plumbing work " * 6, opening="Hello.")
    assert codes(check_draft(long_subject, "email", FACTS, SENDER)) == ["too_long"]
    long_opening = Draft(subject="Hi", opening="Homeowners need plumbers. " * 30)
    assert codes(check_draft(long_opening, "email", FACTS, SENDER)) == ["too_long"]
    assert codes(check_draft(Draft(subject="Hi", opening="  "), "email", FACTS, SENDER)) == ["empty"]
    assert codes(check_draft(Draft(opening=None), "sms", FACTS, SENDER)) == ["empty"]


def test_an_sms_over_two_segments_before_the_footer_is_a_violation() -> None:
    recipient = Recipient(uuid.uuid4(), uuid.uuid4())
    short = render("intro_sms", "a", FACTS, SENDER, recipient=recipient, draft=Draft(opening="Hi A1 Plumbing 24/7!"))
    assert check_message(short, SENDER) == []
    long = render("intro_sms", "a", FACTS, SENDER, recipient=recipient, draft=Draft(opening="Plumbers wanted. " * 20))
    assert [v.code for v in check_message(long, SENDER)] == ["too_long"]
    ucs2 = render("intro_sms", "a", FACTS, SENDER, recipient=recipient, draft=Draft(opening="Hi 👋 " * 25))
    assert "UCS-2" in check_message(ucs2, SENDER)[0].detail


def test_a_message_without_its_compliance_parts_is_a_violation() -> None:
    recipient = Recipient(uuid.uuid4(), uuid.uuid4())
    email = render("intro_email", "a", FACTS, SENDER, recipient=recipient)
    assert check_message(email, SENDER) == []
    stripped = dataclasses.replace(email, body_text=email.content, headers={})
    problems = [v.detail for v in check_message(stripped, SENDER)]
    assert all(v == "compliance" for v in codes(check_message(stripped, SENDER)))
    assert any("postal address" in p for p in problems) and any("List-Unsubscribe" in p for p in problems)
    assert any("GDPR" in p for p in problems)
    sms = render("followup_sms", "a", FACTS, SENDER, recipient=recipient)
    cut = dataclasses.replace(sms, body=sms.body.replace(" Reply STOP to opt out.", ""))
    assert codes(check_message(cut, SENDER)) == ["compliance"]
