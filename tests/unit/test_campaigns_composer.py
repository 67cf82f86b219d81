"""BasicComposer: compliant, deterministic messages that Messaging's contract accepts."""

import dataclasses
import uuid

import pytest

from outreach.campaigns.composer import BasicComposer, ProspectFacts, first_name
from outreach.campaigns.delivery import build_wire, bulk_key, chunks
from outreach.campaigns.eligibility import idempotency_key
from outreach.campaigns.models import load_campaigns

CAMPAIGNS = {c.name: c for c in load_campaigns()}
HVAC = CAMPAIGNS["HVAC & plumbing under-supply"]
ROOFING = CAMPAIGNS["Roofing sign-up credit"]
REFERRAL = CAMPAIGNS["Referral warm introduction"]
FACTS = ProspectFacts(
    prospect_id="7c9e6679-7425-40de-944b-e07fc1f90ae7",
    business_name="Liberty Air & Heat LLC",
    contact_name="James Brian Jacobs",
    city="Houston",
    state="TX",
    region="us-tx-houston",
    specialties=("hvac", "plumbing"),
)


def _wire(campaign, step, variant, channel, to):
    composed = BasicComposer().compose(FACTS, campaign, step, variant, channel)
    key = idempotency_key(FACTS.prospect_id, campaign.campaign_id, step)
    wire = build_wire(
        key,
        channel,
        composed,
        prospect_id=FACTS.prospect_id,
        campaign_id=campaign.campaign_id,
        variant=variant,
        to=to,
        from_name=campaign.sender.from_name,
        reply_to=campaign.sender.reply_to,
    )
    return composed, wire


def test_email_carries_the_can_spam_footer_and_one_click_unsubscribe() -> None:
    composed, wire = _wire(HVAC, 0, "a", "email", "james@liberty.example")
    assert composed.subject == "Houston homeowners are waiting for HVAC bids"
    assert composed.body_text.startswith("Hi James,")
    footer = composed.body_text.split("\n--\n", 1)[1]
    assert "advertisement" in footer and HVAC.sender.postal_address in footer and "unsubscribe" in footer
    assert composed.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        composed.headers["List-Unsubscribe"].startswith("<mailto:")
        and "<https://" in composed.headers["List-Unsubscribe"]
    )
    assert "Liberty Air &amp; Heat LLC" in composed.body_html and "<a href=" in composed.body_html
    assert wire.channel == "email" and wire.metadata.variant == "a"
    assert wire.metadata.template_id == "hvac_plumbing_undersupply.initial"


def test_no_contact_data_in_the_composed_parts() -> None:
    composed, _ = _wire(HVAC, 0, "a", "email", "james@liberty.example")
    assert "james@liberty.example" not in f"{composed.body_text}{composed.body_html}{composed.headers}"


def test_sms_names_the_sender_and_ends_with_stop() -> None:
    composed, wire = _wire(HVAC, 0, "b", "sms", "+18325550100")
    assert composed.body.startswith("InstaBids: Hi James,")
    assert composed.body.endswith("Reply STOP to opt out.")
    assert len(composed.body) <= 1600 and wire.channel == "sms"
    assert composed.subject is None and composed.headers is None


def test_variant_texts_apply_to_the_initial_step_only() -> None:
    initial_b = BasicComposer().compose(FACTS, HVAC, 0, "b", "email")
    follow_b = BasicComposer().compose(FACTS, HVAC, 1, "b", "email")
    follow_a = BasicComposer().compose(FACTS, HVAC, 1, "a", "email")
    assert initial_b.subject.startswith("Liberty Air & Heat LLC")
    assert follow_b.subject == follow_a.subject == "Still open: HVAC projects in Houston"


def test_incentive_placeholder_uses_the_campaign_offer() -> None:
    composed = BasicComposer().compose(FACTS, ROOFING, 0, "a", "email")
    assert "$50" in composed.subject


def test_composition_is_deterministic() -> None:
    composer = BasicComposer()
    assert composer.compose(FACTS, HVAC, 0, "a", "email") == BasicComposer().compose(FACTS, HVAC, 0, "a", "email")


def test_missing_facts_read_naturally() -> None:
    bare = ProspectFacts(prospect_id=FACTS.prospect_id)
    composed = BasicComposer().compose(bare, HVAC, 0, "a", "sms")
    assert "Hi there," in composed.body and "your area" in composed.body


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("James Brian Jacobs", "James"),
        ("Jacobs, James", "James"),
        ("  maria ", "Maria"),
        (None, "there"),
        ("", "there"),
    ],
)
def test_first_name(raw, expected) -> None:
    assert first_name(raw) == expected


def test_a_long_sms_is_cut_to_fit_with_the_opt_out_line() -> None:
    campaign = HVAC.model_copy(update={"steps": [HVAC.steps[0].model_copy(update={"sms_body": "x" * 1200})]})
    long_facts = ProspectFacts(prospect_id=FACTS.prospect_id)
    body = BasicComposer().compose(long_facts, campaign, 0, "a", "sms").body
    assert len(body) <= 1600 and body.endswith("Reply STOP to opt out.")


def test_correlation_id_and_bulk_key_are_deterministic() -> None:
    _, one = _wire(HVAC, 0, "a", "email", "james@liberty.example")
    _, two = _wire(HVAC, 0, "a", "email", "james@liberty.example")
    assert one.metadata.correlation_id == two.metadata.correlation_id
    assert isinstance(one.metadata.correlation_id, uuid.UUID)
    assert bulk_key([one]) == bulk_key([two])
    _, other = _wire(HVAC, 0, "b", "email", "james@liberty.example")
    assert bulk_key([one]) != bulk_key([other])


def test_chunks_never_exceed_the_bulk_maximum() -> None:
    assert [len(c) for c in chunks(range(1201), 500)] == [500, 500, 201]
    with pytest.raises(ValueError):
        list(chunks(range(3), 501))


@pytest.mark.parametrize("variant", ["control", "peer"])
def test_a_referral_message_says_who_referred_the_prospect_by_first_name(variant: str) -> None:
    referred = dataclasses.replace(FACTS, referrer_first_name="Maria")
    sms = BasicComposer().compose(referred, REFERRAL, 0, variant, "sms").body
    email = BasicComposer().compose(referred, REFERRAL, 0, variant, "email")
    assert "Maria recommended" in sms
    assert email.subject.startswith("Maria recommended") and "Maria recommended" in email.body_text


def test_a_referral_message_without_a_known_referrer_names_no_one() -> None:
    sms = BasicComposer().compose(FACTS, REFERRAL, 0, "control", "sms").body
    assert "Someone in the InstaBids network recommended Liberty Air & Heat LLC" in sms
