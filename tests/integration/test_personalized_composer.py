"""The personalization engine behind the campaign batch, on real rows: a referred prospect is told who referred them
(by first name, from our data), the GDPR notice names where we first found the prospect, and the arms of an A/B
test render different template variants. With the real `openai` package against a local compatible server, a
draft naming the referrer passes the guardrails."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time

import pytest
from fixtures.campaign_world import DAY, make_clients, own_campaign, received
from fixtures.openai_server import API_KEY, OpenAIServer, structured

from integrations.llm import LlmClient
from outreach.campaigns import BasicComposer, Campaign, run_batch
from outreach.campaigns.composer import ProspectFacts
from outreach.campaigns.personalized import PersonalizedComposer
from outreach.discovery.records import CandidateRecord
from outreach.enrichment.enrich import enrich
from outreach.personalization.engine import Personalizer
from outreach.personalization.facts import SOURCE_DESCRIPTIONS
from outreach.personalization.settings import PersonalizationSettings
from outreach.privacy.crypto import load_blind_indexer, load_cipher
from outreach.prospects import source_records
from outreach.settings import Settings

pytestmark = pytest.mark.integration

SENDER = PersonalizationSettings(OUTREACH_UNSUBSCRIBE_KEY="integration-test-unsubscribe-key-0123456789").sender()


def add_prospect(db, cipher, region: str, contact_name: str, **columns) -> str:
    prospect_id = str(uuid.uuid4())
    phone = f"+1415{int(prospect_id[:7], 16) % 10_000_000:07d}"
    values = {"status": "enriched", "business_name": "Okafor Electric", "city": "Testville", "state": "CA",
              "region": region, "timezone": "America/New_York", "is_sms_eligible": True, "is_phone_valid": True,
              "specialties": ["electrical"], "sources": ["directory", "referral"], "discovered_at": "2025-01-01",
              "contact_name_enc": cipher.encrypt(contact_name, "app.prospects.contact_name"),
              "phone_enc": cipher.encrypt(phone, "app.prospects.phone"), **columns}
    db.execute(f"insert into app.prospects (prospect_id, {', '.join(values)}) "
               f"values (%s, {', '.join(['%s'] * len(values))})", (prospect_id, *values.values()))
    return prospect_id


def add_source_record(db, prospect_id: str, source: str, first_seen: date) -> None:
    """A record of `source` first seen on `first_seen`, stored by the product's writer and mapped to the prospect."""
    settings = Settings()
    record_id = str(uuid.uuid4())
    candidate = CandidateRecord(source=source, source_record_id=record_id, business_name="Okafor Electric",
                                fetched_at=datetime.combine(first_seen, time(9), tzinfo=UTC))
    source_records.upsert(db, first_seen, [enrich(candidate, first_seen)], load_cipher(settings.state_dir),
                          load_blind_indexer(settings.state_dir))
    db.execute("update app.source_records set prospect_id = %s where source = %s and source_record_id = %s",
               (prospect_id, source, record_id))


@pytest.fixture
def referral(db, pipeline_env) -> tuple[Campaign, str, str]:
    """The referral campaign (own copy) and a prospect referred by a contractor we converted, Maria Lopez."""
    cipher = load_cipher(Settings().state_dir)
    campaign = own_campaign(db, "Referral")
    region = campaign.targeting.regions[0]
    referrer_user = str(uuid.uuid4())
    referrer = add_prospect(db, cipher, f"{region}-elsewhere", "lopez, maria", status="converted",
                            user_id=referrer_user, business_name="Lopez Plumbing")
    referred = add_prospect(db, cipher, region, "Dan Okafor", referred_by_user_id=referrer_user)
    # Found by the directory crawl later, but first through the referral: the notice names the referral.
    add_source_record(db, referred, "referral", date(2025, 1, 1))
    add_source_record(db, referred, "directory", date(2025, 3, 1))
    db.commit()
    return campaign, referred, referrer


def test_the_batch_tells_a_referred_prospect_who_referred_them(db, sandbox, referral) -> None:
    campaign, referred, referrer = referral
    settings = Settings()
    cipher, indexer = load_cipher(settings.state_dir), load_blind_indexer(settings.state_dir)
    with make_clients() as clients:
        assert run_batch(db, clients, campaign.id, DAY, BasicComposer(), cipher, indexer).sent == 1
    (message,) = [m for m in received(sandbox, campaign) if m.metadata["prospect_id"] == referred]
    assert message.channel == "sms" and "Maria recommended" in message.body  # either arm
    assert "Lopez" not in message.body  # the first name only
    audited = db.execute("select fields from app.audit_log where purpose = %s and %s = any(subject_ids::text[])",
                         (f"outreach batch of campaign {campaign.campaign_id}", referrer)).fetchall()
    assert audited  # decrypting the referrer's name is audited like any other contact data


def facts_of(referred: str, referrer: str | None = "Maria") -> ProspectFacts:
    return ProspectFacts(prospect_id=referred, business_name="Okafor Electric", city="Testville", state="CA",
                         specialties=("electrical",), referrer_first_name=referrer)


def test_templates_name_the_referrer_and_the_first_source_and_each_arm_renders_its_own_wording(
    db, referral
) -> None:
    campaign, referred, _ = referral
    composer = PersonalizedComposer(db, Personalizer(None, conn=db), SENDER)
    control = composer.compose(facts_of(referred), campaign, 0, "control", "sms")
    peer = composer.compose(facts_of(referred), campaign, 0, "peer", "sms")
    assert control.template_id == peer.template_id == "intro_sms.v2"
    assert control.body != peer.body  # the arms differ: variant a and variant b of the template
    for message in (control, peer):
        assert "Maria suggested we reach out." in message.body
        assert f"We found your business in {SOURCE_DESCRIPTIONS['referral']}." in message.body
    email = composer.compose(facts_of(referred), campaign, 0, "control", "email")
    assert email.subject == "Maria suggested we get in touch about InstaBids"
    assert SOURCE_DESCRIPTIONS["referral"] in email.body_text
    anonymous = composer.compose(facts_of(referred, None), campaign, 0, "peer", "sms")
    assert "suggested" not in anonymous.body


@pytest.fixture
def llm() -> Iterator[tuple[OpenAIServer, LlmClient]]:
    with OpenAIServer() as server, LlmClient(server.url, API_KEY, "gpt-4o-mini", timeout=2.0) as client:
        yield server, client


def test_a_model_draft_naming_the_referrer_passes_the_guardrails(db, referral, llm) -> None:
    campaign, referred, _ = referral
    server, client = llm
    server.script(structured({"text": "Hi Okafor Electric, Maria suggested we reach out about electrical jobs "
                                      "near Testville on InstaBids."}))
    composer = PersonalizedComposer(db, Personalizer(client, conn=db), SENDER)
    composed = composer.compose(facts_of(referred), campaign, 0, "control", "sms")
    assert composed.method == "llm"
    assert "Maria suggested we reach out" in composed.body
    (request,) = server.requests
    assert '"referrer_first_name": "Maria"' in request.body["messages"][1]["content"]
    db.rollback()
