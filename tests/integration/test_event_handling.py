"""Consumed events end to end in the database: stored once, handled once, in any order, with dead letters."""

import json
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from outreach.events import inbox
from outreach.events.handlers import handler_context, handlers
from outreach.events.processing import HandlerContext, dead_letters, process_pending, redrive, replay
from outreach.privacy.crypto import load_blind_indexer, load_cipher
from outreach.settings import Settings

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def world(db, pipeline_env):
    """One prospect reached by one sent SMS of one campaign."""
    settings = Settings()
    cipher, indexer = load_cipher(settings.state_dir), load_blind_indexer(settings.state_dir)
    prospect_id, campaign_id, message_id = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    email, phone = f"pat.{prospect_id[:8]}@roofs.example", f"+1512555{random.randint(1000, 9999)}"
    db.execute(
        "insert into app.prospects (prospect_id, status, business_name, email_enc, phone_enc, email_bidx, phone_bidx,"
        " region, state, city, specialties, license_number, license_state, discovered_at) "
        "values (%s, 'contacted', 'Pat Roofing', %s, %s, %s, %s, 'us-tx-austin', 'TX', 'Austin', %s, 'TX123', 'TX',"
        " %s)",
        (prospect_id, cipher.encrypt(email, "app.prospects.email"), cipher.encrypt(phone, "app.prospects.phone"),
         indexer.index("email", email), indexer.index("phone", phone), ["roofing"], NOW - timedelta(days=5)),
    )
    db.execute(
        "insert into app.campaigns (campaign_id, title, status, channels, send_time, daily_cap, definition, "
        "definition_sha256) values (%s, 'Test', 'paused', %s, '10:00', 100, '{}', 'x')",
        (campaign_id, ["sms"]),
    )
    db.execute(
        "insert into app.outreach_messages (idempotency_key, prospect_id, campaign_id, step, channel, variant, "
        "template_id, composer, status, message_id, batch_date, scheduled_at, sent_at) "
        "values (%s, %s, %s, 0, 'sms', 'a', 'intro_sms.v1', 'test', 'sent', %s, %s, %s, %s)",
        (f"k-{message_id}", prospect_id, campaign_id, message_id, NOW.date(), NOW - timedelta(days=2),
         NOW - timedelta(days=2)),
    )
    db.commit()
    return {"prospect_id": prospect_id, "campaign_id": campaign_id, "message_id": message_id, "email": email,
            "phone": phone, "cipher": cipher}


def event(event_type: str, source: str, data: dict) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": f"/instabids/{source}", "type": event_type,
            "time": _iso(NOW), "datacontenttype": "application/json", "data": data}


def store_all(db, cipher, events: list[dict], copies: int = 3) -> int:
    deliveries = [e for e in events for _ in range(copies)]
    random.Random(7).shuffle(deliveries)
    stored = sum(inbox.store(db, e, cipher) for e in deliveries)
    db.commit()
    return stored


def process(db) -> object:
    context = handler_context(Settings(), datetime.now(UTC) + timedelta(minutes=1))
    return process_pending(db, handlers(), context)


def outbox_types(db, world: dict) -> list[str]:
    """Types of the published events about this test's prospect (the outbox is shared by the session)."""
    return [r[0] for r in db.execute("select type from app.outbox_events where data->>'prospect_id' = %s order by type",
                                     (world["prospect_id"],))]


def inbox_status(db, stored: dict) -> str:
    return db.execute("select status from app.inbox_events where event_id = %s", (stored["id"],)).fetchone()[0]


def status_of(db, prospect_id: str) -> str:
    return db.execute("select status from app.prospects where prospect_id = %s", (prospect_id,)).fetchone()[0]


def test_an_sms_stop_suppresses_every_channel_once_however_often_it_arrives(db, world) -> None:
    reply = event("MessageReceivedEvent", "messaging", {
        "message_id": str(uuid.uuid4()), "in_reply_to_message_id": world["message_id"], "channel": "sms",
        "from": world["phone"], "to": "+15125550000", "subject": None, "body_text": "Stop!!", "received_at": _iso(NOW),
    })
    assert store_all(db, world["cipher"], [reply]) == 1
    assert process(db).processed >= 1
    assert inbox_status(db, reply) == "processed"
    kinds = {r[0] for r in db.execute(
        "select contact_kind from app.suppressions where prospect_id = %s", (world["prospect_id"],))}
    assert kinds == {"email", "phone"}
    assert status_of(db, world["prospect_id"]) == "suppressed"
    intent = db.execute("select intent from app.prospect_responses where prospect_id = %s",
                        (world["prospect_id"],)).fetchall()
    assert intent == [("opt_out",)]
    assert outbox_types(db, world).count("ProspectResponseReceivedEvent") == 1


@pytest.mark.parametrize(("text", "basis", "rule"), [
    ("I object to the processing of my personal data.", "objection", "privacy:object_to_processing"),
    ("Please take me off your list.", "opt_out", "phrase:take_me_off"),
])
def test_a_privacy_objection_is_recorded_as_an_objection_with_the_rule_that_matched(db, world, text, basis,
                                                                                    rule) -> None:
    reply = event("MessageReceivedEvent", "messaging", {
        "message_id": str(uuid.uuid4()), "in_reply_to_message_id": world["message_id"], "channel": "email",
        "from": world["email"], "to": "partners@instabids.example", "subject": None, "body_text": text,
        "received_at": _iso(NOW),
    })
    store_all(db, world["cipher"], [reply], copies=1)
    process(db)
    ledger = db.execute("select contact_kind, channel, state, basis, evidence from app.consent_ledger "
                        "where prospect_id = %s order by contact_kind", (world["prospect_id"],)).fetchall()
    assert [row[:4] for row in ledger] == [("email", "all", "revoked", basis), ("phone", "all", "revoked", basis)]
    assert {row[4]["rule"] for row in ledger} == {rule}
    assert {row[4]["event_id"] for row in ledger} == {reply["id"]}
    assert status_of(db, world["prospect_id"]) == "suppressed"


def test_status_updates_in_any_order_end_at_the_furthest_status(db, world) -> None:
    updates = [
        event("MessageStatusUpdatedEvent", "messaging", {"message_id": world["message_id"], "channel": "sms",
              "status": status, "reason": None, "occurred_at": _iso(NOW + timedelta(minutes=i))})
        for i, status in enumerate(["sent", "delivered", "bounced"])
    ]
    store_all(db, world["cipher"], list(reversed(updates)))
    process(db)
    (status,) = db.execute("select status from app.outreach_messages where message_id = %s",
                           (world["message_id"],)).fetchone()
    assert status == "bounced"


def test_verification_before_sign_up_still_converts_verifies_and_announces_both(db, world) -> None:
    user_id = str(uuid.uuid4())
    verified = event("VerificationCompletedEvent", "labor-marketplace", {
        "user_id": user_id, "prospect_id": world["prospect_id"], "status": "verified", "reasons": [],
        "completed_at": _iso(NOW + timedelta(hours=2))})
    created = event("UserCreatedEvent", "user-management", {
        "user_id": user_id, "role": "contractor", "email": None, "phone": world["phone"], "business_name": None,
        "prospect_id": None, "created_at": _iso(NOW + timedelta(hours=1))})
    store_all(db, world["cipher"], [verified])
    process(db)
    store_all(db, world["cipher"], [created])
    process(db)
    assert status_of(db, world["prospect_id"]) == "verified"
    types = outbox_types(db, world)
    assert types.count("ProspectConvertedEvent") == 1
    assert types.count("ContractorReadyForVerificationEvent") == 1
    converted = db.execute(
        "select data from app.outbox_events where type = 'ProspectConvertedEvent' and data->>'prospect_id' = %s",
        (world["prospect_id"],)).fetchone()[0]
    assert converted["attribution"] == {"first_touch_message_id": world["message_id"],
                                        "last_touch_message_id": world["message_id"], "touches": 1}


def test_attribution_follows_the_batch_clock_not_the_wall_clock_of_the_send(db, world) -> None:
    # a backfilled (or simulated) batch: handed over today, scheduled two days before the sign-up
    db.execute("update app.outreach_messages set sent_at = %s where message_id = %s",
               (NOW + timedelta(days=30), world["message_id"]))
    db.commit()
    created = event("UserCreatedEvent", "user-management", {
        "user_id": str(uuid.uuid4()), "role": "contractor", "email": world["email"], "phone": None,
        "business_name": None, "prospect_id": world["prospect_id"], "created_at": _iso(NOW)})
    store_all(db, world["cipher"], [created])
    process(db)
    converted = db.execute(
        "select data from app.outbox_events where type = 'ProspectConvertedEvent' and data->>'prospect_id' = %s",
        (world["prospect_id"],)).fetchone()
    assert converted is not None
    assert converted[0]["attribution"]["first_touch_message_id"] == world["message_id"]


def test_replaying_twice_changes_nothing(db, world) -> None:
    created = event("UserCreatedEvent", "user-management", {
        "user_id": str(uuid.uuid4()), "role": "contractor", "email": world["email"], "phone": None,
        "business_name": None, "prospect_id": world["prospect_id"], "created_at": _iso(NOW)})
    store_all(db, world["cipher"], [created])
    process(db)
    before = (outbox_types(db, world), status_of(db, world["prospect_id"]))
    for _ in range(2):
        assert replay(db, NOW - timedelta(days=365)) >= 1
        db.commit()
        process(db)
    assert (outbox_types(db, world), status_of(db, world["prospect_id"])) == before


def test_a_failing_handler_retries_with_backoff_then_dead_letters_and_can_be_redriven(db, world) -> None:
    calls = []

    def broken(conn, evt, context):
        calls.append(evt.event_id)
        raise RuntimeError("downstream unavailable")

    bad = event("ProjectCreatedEvent", "project-management", {
        "project_id": str(uuid.uuid4()), "specialty": "roofing", "region": "us-tx-austin", "state": "TX",
        "city": "Austin", "budget_min_cents": 1, "budget_max_cents": 2, "currency": "USD", "created_at": _iso(NOW)})
    store_all(db, world["cipher"], [bad], copies=1)
    cipher = world["cipher"]
    clock = datetime.now(UTC)
    for _ in range(3):
        clock += timedelta(days=1)  # past any backoff
        process_pending(db, {"ProjectCreatedEvent": broken}, HandlerContext(cipher, clock), max_attempts=3)
    assert len(calls) == 3
    letters = [row for row in dead_letters(db) if row["event_id"] == bad["id"]]
    assert letters and letters[0]["last_error"] == "RuntimeError: downstream unavailable"
    assert redrive(db, letters[0]["inbox_id"]) == 1
    db.commit()
    result = process_pending(db, handlers(), handler_context(Settings(), clock), types=("ProjectCreatedEvent",))
    assert result.processed == 1
    assert json.dumps(dead_letters(db), default=str).count(bad["id"]) == 0
