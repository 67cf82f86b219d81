"""The consent ledger and the first-email notice on a real database: every change with basis and evidence, the
current state per channel derived from it, and the GDPR Art. 14 notice on whichever email reaches a prospect first."""

from __future__ import annotations

import json
import secrets
import uuid

import psycopg
import pytest
from fixtures.api_server import fresh_database
from fixtures.privacy_world import campaign_id, seed_person

from outreach.campaigns.composer import ProspectFacts
from outreach.consent.ledger import history, prospect_consent, record_change
from outreach.consent.notice import is_first_email
from outreach.consent.suppression import contact_indexes, suppress
from outreach.privacy.crypto import BlindIndexer, PiiCipher, new_key_spec

pytestmark = pytest.mark.integration

REFERRAL_WARM = "155dbfb7-9d28-4ec2-abb6-be30c2d5f100"  # campaigns/referral-warm.yaml: SMS first, then email


@pytest.fixture(scope="module")
def keys() -> tuple[PiiCipher, BlindIndexer]:
    return PiiCipher.from_spec(new_key_spec("k1")), BlindIndexer(secrets.token_bytes(32))


@pytest.fixture(scope="module")
def url(pg_server_url):
    with fresh_database(pg_server_url) as database:
        yield database


@pytest.fixture
def conn(url):
    with psycopg.connect(url) as connection:
        yield connection


def _person(conn, keys, **kwargs):
    cipher, indexer = keys
    n = uuid.uuid4().int % 10_000_000
    return seed_person(conn, cipher, indexer, email=f"p{n}@example-trades.com", phone=f"+1619{n:07d}",
                       with_message=False, **kwargs)


def test_an_opt_out_is_a_revocation_on_every_channel_with_its_evidence(conn, keys) -> None:
    person = _person(conn, keys)
    assert {c: s.state for c, s in prospect_consent(conn, person.prospect_id).items()} == {
        "email": "legitimate_interest", "sms": "legitimate_interest"}

    contacts = contact_indexes(keys[1], person.email, person.phone)
    evidence = {"event_id": "evt-1", "message_id": str(uuid.uuid4())}
    suppress(conn, contacts, "opt_out", prospect_id=person.prospect_id, basis="objection", evidence=evidence)

    current = prospect_consent(conn, person.prospect_id)
    assert {c: (s.state, s.basis, s.evidence) for c, s in current.items()} == {
        "email": ("revoked", "objection", evidence), "sms": ("revoked", "objection", evidence)}
    assert not current["sms"].may_contact
    assert [(e["contact_kind"], e["channel"], e["state"]) for e in history(conn, person.prospect_id)] == [
        ("email", "all", "revoked"), ("phone", "all", "revoked")]


def test_the_current_state_is_the_latest_entry_per_channel(conn, keys) -> None:
    person = _person(conn, keys)
    email = contact_indexes(keys[1], person.email, None)
    record_change(conn, email, "email", "granted", "consent", prospect_id=person.prospect_id,
                  evidence={"event_id": "signup-form"})
    record_change(conn, email, "email", "revoked", "unsubscribed", evidence={"message_id": "m-1"})
    record_change(conn, email, "sms", "granted", "consent", evidence={"event_id": "e-2"})

    current = prospect_consent(conn, person.prospect_id)

    assert (current["email"].state, current["email"].basis) == ("revoked", "unsubscribed")
    assert (current["sms"].state, current["sms"].evidence) == ("granted", {"event_id": "e-2"})
    rows = conn.execute("select channel, state from app.consent_current where contact_bidx = %s order by channel",
                        (email[0][1],)).fetchall()
    assert rows == [("email", "revoked"), ("sms", "granted")]


def _message(conn, prospect_id: str, channel: str, status: str, sent: bool = True) -> None:
    conn.execute(
        "insert into app.outreach_messages (idempotency_key, prospect_id, campaign_id, step, channel, variant, "
        "template_id, composer, status, batch_date, scheduled_at, sent_at) values (%s, %s, %s, 0, %s, 'a', 't.v1', "
        "'template', %s, current_date, now(), case when %s then now() end)",
        (str(uuid.uuid4()), prospect_id, campaign_id(conn), channel, status, sent),
    )


def test_the_first_email_is_the_first_that_reached_the_prospect(conn, keys) -> None:
    person = _person(conn, keys)
    assert is_first_email(conn, person.prospect_id)
    _message(conn, person.prospect_id, "sms", "delivered")
    _message(conn, person.prospect_id, "email", "bounced")
    _message(conn, person.prospect_id, "email", "pending", sent=False)
    assert is_first_email(conn, person.prospect_id)
    _message(conn, person.prospect_id, "email", "delivered")
    assert not is_first_email(conn, person.prospect_id)


def test_a_follow_up_email_after_an_sms_carries_the_art_14_notice_with_the_source(conn, keys, monkeypatch) -> None:
    from outreach.campaigns.personalized import build_composer
    from outreach.campaigns.seed import load_campaign
    from outreach.personalization.facts import describe_source

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    person = _person(conn, keys)
    campaign_id(conn)
    campaign = load_campaign(conn, REFERRAL_WARM)
    assert campaign.steps[0].template_of("sms")[0] == "intro_sms"
    facts = ProspectFacts(prospect_id=person.prospect_id, business_name=person.business_name, city="San Diego",
                          region="us-ca-san-diego", specialties=("plumbing",))
    composer = build_composer(conn)
    _message(conn, person.prospect_id, "sms", "delivered")

    first_email = composer.compose(facts, campaign, 1, "control", "email")
    _message(conn, person.prospect_id, "email", "delivered")
    later_email = composer.compose(facts, campaign, 1, "control", "email")

    assert "Why we are writing to you" in first_email.body_text
    assert f"found your business contact details in {describe_source('license_ca')}" in first_email.body_text
    assert "You can object at any time" in first_email.body_text
    assert "Why we are writing to you" not in later_email.body_text


def test_the_cli_prints_the_current_state_and_the_ledger(conn, keys, url, monkeypatch) -> None:
    from click.testing import CliRunner

    from outreach.cli import main

    person = _person(conn, keys)
    suppress(conn, contact_indexes(keys[1], person.email, None), "opt_out", prospect_id=person.prospect_id,
             evidence={"event_id": "evt-9", "message_id": "msg-9"})
    conn.commit()
    monkeypatch.setenv("DATABASE_URL", url)

    result = CliRunner().invoke(main, ["privacy", "consent", person.prospect_id])

    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["current"]["email"]["state"] == "revoked"
    assert [(e["basis"], e["evidence"]) for e in shown["ledger"]] == [
        ("opt_out", {"event_id": "evt-9", "message_id": "msg-9"})]
