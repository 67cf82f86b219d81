"""Consumed events under the conditions of production: each delivered three times at once over real HTTP to our
API, in shuffled order, handled by concurrent workers, or by a process killed in the middle; then the next batch.

Every scenario ends in one known state whatever the order, with each side effect once: published events (the
outbox), suppressions and consent records, and the writes the sandbox received (its call log counts attempts, so
"called once" is told from "called twice and deduplicated").
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from fixtures.api_server import body_of, running_api, secret_of, signed_headers
from fixtures.campaign_world import DAY, add_prospects, contacts_of, make_clients, own_campaign, received

from integrations.api.intake import CONSUMED_TYPES, PUBLISHER
from integrations.instabids import InstaBidsClients
from integrations.instabids.wire import CreateContractorRequest
from outreach.campaigns import BasicComposer, run_batch
from outreach.campaigns.incentives import apply_incentive_status, incentive_issuer, incentive_key
from outreach.events.handlers import handler_context, handlers
from outreach.events.processing import ProcessResult, process_pending
from outreach.privacy.crypto import BlindIndexer, PiiCipher, load_blind_indexer, load_cipher
from outreach.settings import Settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
EVENTS = "/ai-outreach/events"
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def at(minutes: int) -> str:
    return _iso(T0 + timedelta(minutes=minutes))


def event(event_type: str, data: dict) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": PUBLISHER[event_type],
            "type": event_type, "time": at(0), "datacontenttype": "application/json", "data": data}


# -- fixtures ------------------------------------------------------------------------------------------------------


@pytest.fixture
def keys(pipeline_env) -> tuple[PiiCipher, BlindIndexer]:
    state_dir = Settings().state_dir
    return load_cipher(state_dir), load_blind_indexer(state_dir)


@pytest.fixture
def api(database_url, sandbox, keys):
    """Our API on the pipeline's database with the pipeline's keys: what it stores, the pipeline handles."""
    cipher, indexer = keys
    with running_api(database_url, sandbox.url, cipher=cipher, indexer=indexer) as running:
        yield running


@pytest.fixture
def clients(pipeline_env) -> Iterator[InstaBidsClients]:
    with make_clients() as bundle:
        yield bundle


@dataclass(frozen=True)
class World:
    """One prospect of a campaign offering an incentive, reached by one email and one SMS two days ago."""

    prospect_id: str
    campaign_id: str
    email: str
    phone: str
    email_message: str
    sms_message: str
    bidx: tuple[bytes, bytes]


@pytest.fixture
def make_world(db, keys) -> Callable[[], World]:
    return lambda: new_world(db, keys)


@pytest.fixture
def world(make_world) -> World:
    return make_world()


def new_world(db, keys: tuple[PiiCipher, BlindIndexer]) -> World:
    cipher, indexer = keys
    campaign = own_campaign(db, "Roofing")
    prospect_id = str(uuid.uuid4())
    email, phone = f"pat.{prospect_id[:8]}@roofs.example", f"+1737{int(prospect_id[:7], 16) % 10_000_000:07d}"
    bidx = (indexer.index("email", email), indexer.index("phone", phone))
    db.execute(
        "insert into app.prospects (prospect_id, status, business_name, email_enc, phone_enc, email_bidx, phone_bidx,"
        " region, state, city, specialties, license_number, license_state, discovered_at) values (%s, 'contacted', "
        "'Pat Roofing', %s, %s, %s, %s, 'us-tx-austin', 'TX', 'Austin', %s, 'TX123', 'TX', %s)",
        (prospect_id, cipher.encrypt(email, "app.prospects.email"), cipher.encrypt(phone, "app.prospects.phone"),
         *bidx, ["roofing"], T0 - timedelta(days=5)),
    )
    messages = {}
    for channel in ("email", "sms"):
        messages[channel] = str(uuid.uuid4())
        db.execute(
            "insert into app.outreach_messages (idempotency_key, prospect_id, campaign_id, step, channel, variant, "
            "template_id, composer, status, message_id, batch_date, scheduled_at, sent_at) "
            "values (%s, %s, %s, 0, %s, 'a', %s, 'test', 'sent', %s, %s, %s, %s)",
            (f"k-{messages[channel]}", prospect_id, campaign.id, channel, f"intro_{channel}.v1", messages[channel],
             T0.date(), T0 - timedelta(days=2), T0 - timedelta(days=2)),
        )
    db.commit()
    return World(prospect_id, campaign.campaign_id, email, phone, messages["email"], messages["sms"], bidx)


def sign_up(clients: InstaBidsClients, world: World) -> str:
    """The prospect opens an account on their own (before the events about it exist); returns the user id."""
    request = CreateContractorRequest(
        prospect_id=world.prospect_id, business_name="Pat Roofing", contact_name=None, email=world.email, phone=None,
        specialties=["roofing"], region="us-tx-austin", state="TX", city="Austin", invite=False,
    )  # fmt: skip
    return str(clients.users.create_contractor(request, idempotency_key=f"self-signup:{world.prospect_id}").user_id)


# -- delivery, handling, observation -----------------------------------------------------------------------------


def deliver_concurrently(api, events: list[dict], seed: int, copies: int = 3) -> None:
    """Each event `copies` times, shuffled, from 6 threads over HTTP: every delivery 202, each event stored once."""
    deliveries = [e for e in events for _ in range(copies)]
    random.Random(seed).shuffle(deliveries)

    def deliver(payload: dict) -> tuple[str, bool]:
        body = body_of(payload)
        with api.client() as http:
            response = http.post(EVENTS, content=body, headers=signed_headers(body, secret_of(payload["source"])))
        assert response.status_code == 202, response.text
        (result,) = response.json()["results"]
        assert result["accepted"] is True
        return payload["id"], result["duplicate"]

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(deliver, deliveries))
    firsts = Counter(event_id for event_id, duplicate in answers if not duplicate)
    assert firsts == {e["id"]: 1 for e in events}


def process_concurrently(database_url: str, workers: int = 3) -> ProcessResult:
    """`workers` concurrent handlers of the inbox (own connection and clients each), started together."""
    start = threading.Barrier(workers)
    now = datetime.now(UTC) + timedelta(minutes=1)

    def work(_: int) -> ProcessResult:
        with psycopg.connect(database_url) as conn, make_clients() as bundle:
            context = handler_context(Settings(), now, bundle)
            start.wait()
            return process_pending(conn, handlers(), context, batch_size=2)

    with ThreadPoolExecutor(workers) as pool:
        return sum(pool.map(work, range(workers)), ProcessResult())


def inbox_states(db, events: list[dict]) -> Counter:
    rows = db.execute("select status, attempts from app.inbox_events where event_id = any(%s)",
                      ([e["id"] for e in events],)).fetchall()
    return Counter(rows)


BASELINE = {
    "status": "contacted", "verification": None, "user_id": None, "messages": {"email": "sent", "sms": "sent"},
    "suppressions": [], "consent_records": 0, "responses": [], "outbox": {}, "incentives": [],
    "calls": {"contractor": 0, "incentive": 0, "opt_out_confirmation": 0}, "confirmations_queued": 0,
}  # fmt: skip


def snapshot(db, sandbox, world: World) -> dict:
    """Everything the consumed events may change about the world, and every side effect, counted."""
    db.commit()
    status, verification, user_id = db.execute(
        "select status, verification_status, user_id::text from app.prospects where prospect_id = %s",
        (world.prospect_id,)).fetchone()
    channel_of = {world.email_message: "email", world.sms_message: "sms"}
    messages = {channel_of[m]: s for m, s in db.execute(
        "select message_id::text, status from app.outreach_messages where prospect_id = %s", (world.prospect_id,))}
    calls = sandbox.sandbox.calls
    with sandbox.sandbox.lock:
        confirmations = [m for m in sandbox.sandbox.runtime.messages.values()
                         if m.metadata["prospect_id"] == world.prospect_id
                         and m.metadata["template_id"] == "opt_out_confirmation"]
    return {
        "status": status, "verification": verification, "user_id": user_id, "messages": messages,
        "suppressions": sorted(db.execute("select contact_kind, reason from app.suppressions "
                                          "where contact_bidx = any(%s)", (list(world.bidx),)).fetchall()),
        "consent_records": db.execute("select count(*) from app.consent_ledger where prospect_id = %s",
                                      (world.prospect_id,)).fetchone()[0],
        "responses": sorted(r[0] for r in db.execute(
            "select intent from app.prospect_responses where prospect_id = %s", (world.prospect_id,))),
        "outbox": dict(db.execute(
            "select type, count(*) from app.outbox_events where data->>'prospect_id' = %s "
            "or data->>'campaign_id' = %s group by type", (world.prospect_id, world.campaign_id)).fetchall()),
        "incentives": sorted(r[0] for r in db.execute(
            "select status from app.incentives where prospect_id = %s", (world.prospect_id,))),
        "calls": {
            "contractor": calls.count("/users/contractors", f"contractor:{world.prospect_id}"),
            "incentive": calls.count("/payment/incentives/issue", incentive_key(world.prospect_id, world.campaign_id)),
            "opt_out_confirmation": calls.count("/messages/sms", f"opt-out-confirmation:{world.prospect_id}"),
        },
        "confirmations_queued": len(confirmations),
    }  # fmt: skip


# -- events ------------------------------------------------------------------------------------------------------


def status_update(message_id: str, channel: str, status: str, minute: int) -> dict:
    return event("MessageStatusUpdatedEvent", {"message_id": message_id, "channel": channel, "status": status,
                                               "reason": None, "occurred_at": at(minute)})


def reply(channel: str, sender: str, text: str, in_reply_to: str | None) -> dict:
    return event("MessageReceivedEvent", {
        "message_id": str(uuid.uuid4()), "in_reply_to_message_id": in_reply_to, "channel": channel, "from": sender,
        "to": "replies@outreach.instabids.example" if channel == "email" else "+15125550000", "subject": None,
        "body_text": text, "received_at": at(5)})


def user_created(w: World, user_id: str, role: str = "contractor") -> dict:
    return event("UserCreatedEvent", {
        "user_id": user_id, "role": role, "email": w.email if role == "contractor" else None,
        "phone": None if role == "contractor" else w.phone, "business_name": None,
        "prospect_id": w.prospect_id if role == "contractor" else None, "created_at": at(10)})


def verification(w: World, user_id: str, status: str, minute: int) -> dict:
    reasons = [] if status == "verified" else ["license_not_found"]
    return event("VerificationCompletedEvent", {"user_id": user_id, "prospect_id": w.prospect_id, "status": status,
                                                "reasons": reasons, "completed_at": at(minute)})


def referral(campaign_id: str | None, phone: str, referrer: str | None = None) -> dict:
    return event("ReferralCreatedEvent", {
        "referral_id": str(uuid.uuid4()), "referrer_user_id": referrer or str(uuid.uuid4()),
        "referred_name": "Dan Okafor", "referred_business_name": "Okafor Electric", "referred_email": None,
        "referred_phone": phone, "specialty_hint": "electrical", "region": "us-tx-austin",
        "campaign_id": campaign_id, "created_at": at(3)})


def project(minute: int) -> dict:
    return event("ProjectCreatedEvent", {
        "project_id": str(uuid.uuid4()), "specialty": "roofing", "region": "us-tx-austin", "state": "TX",
        "city": "Austin", "budget_min_cents": 100_000, "budget_max_cents": 500_000, "currency": "USD",
        "created_at": at(minute)})


# -- the scenarios: events of one type (several, where their order matters) and the one state they end in ---------


def status_updates(db, clients, w: World) -> tuple[list[dict], dict]:
    events = [status_update(w.email_message, "email", s, i) for i, s in enumerate(("delivered", "opened", "clicked"))]
    events += [status_update(w.sms_message, "sms", s, i) for i, s in enumerate(("delivered", "complained"))]
    return events, {"status": "suppressed", "messages": {"email": "clicked", "sms": "complained"},
                    "suppressions": [("email", "complaint"), ("phone", "complaint")], "consent_records": 2}


def replies(db, clients, w: World) -> tuple[list[dict], dict]:
    # Two opt-outs by SMS (one answering no message of ours) and one by email: one confirmation text at most.
    events = [reply("sms", w.phone, "STOP", w.sms_message), reply("sms", w.phone, "Stop all", None),
              reply("email", w.email, "Please take me off your list.", w.email_message)]
    return events, {
        "status": "suppressed", "messages": {"email": "replied", "sms": "replied"},
        "suppressions": [("email", "opt_out"), ("phone", "opt_out")], "consent_records": 2,
        "responses": ["opt_out"] * 3, "outbox": {"ProspectResponseReceivedEvent": 3},
        "calls": {**BASELINE["calls"], "opt_out_confirmation": 1}, "confirmations_queued": 1,
    }  # fmt: skip


def sign_ups(db, clients, w: World) -> tuple[list[dict], dict]:
    user_id = sign_up(clients, w)
    events = [user_created(w, str(uuid.uuid4()), role="homeowner"), user_created(w, user_id)]
    return events, {
        "status": "converted", "user_id": user_id, "incentives": ["pending"],
        "outbox": {"ProspectConvertedEvent": 1, "ContractorReadyForVerificationEvent": 1},
        "calls": {**BASELINE["calls"], "incentive": 1},
    }  # fmt: skip


def verifications(db, clients, w: World) -> tuple[list[dict], dict]:
    user_id = str(uuid.uuid4())
    events = [verification(w, user_id, "rejected", 20), verification(w, user_id, "verified", 30)]
    return events, {"status": "verified", "verification": "verified", "user_id": user_id}


def referrals(db, clients, w: World) -> tuple[list[dict], dict]:
    events = [referral(w.campaign_id, "+17375550101"), referral(w.campaign_id, "+17375550102"),
              referral(None, "+17375550103")]  # not through our campaign: nothing to announce
    return events, {"outbox": {"OutreachReferralEvent": 2}}


def incentive_statuses(db, clients, w: World) -> tuple[list[dict], dict]:
    issued = incentive_issuer(clients.payment)(db, w.prospect_id, sign_up(clients, w), w.campaign_id)
    db.commit()

    def status(value: str, minute: int) -> dict:
        return event("PaymentIncentiveStatusEvent", {"incentive_id": issued.incentive_id, "status": value,
                                                     "amount_cents": 5000, "currency": "USD",
                                                     "updated_at": at(minute)})

    # `failed` is older than `issued`; the late `pending` is newer but may not undo an outcome.
    events = [status("failed", 1), status("issued", 2), status("pending", 3)]
    return events, {"incentives": ["issued"], "calls": {**BASELINE["calls"], "incentive": 1}}


def projects(db, clients, w: World) -> tuple[list[dict], dict]:
    return [project(0), project(1)], {}


def demand_changes(db, clients, w: World) -> tuple[list[dict], dict]:
    events = [event("SpecialtyDemandChangedEvent", {
        "specialty": "roofing", "region": "us-tx-austin", "previous_demand_index": before, "demand_index": after,
        "changed_at": at(n)}) for n, (before, after) in enumerate(((1.0, 1.3), (1.3, 0.9)))]
    return events, {}


Scenario = Callable[..., tuple[list[dict], dict]]
SCENARIOS: dict[str, Scenario] = {
    "MessageStatusUpdatedEvent": status_updates, "MessageReceivedEvent": replies, "UserCreatedEvent": sign_ups,
    "VerificationCompletedEvent": verifications, "ReferralCreatedEvent": referrals,
    "PaymentIncentiveStatusEvent": incentive_statuses, "ProjectCreatedEvent": projects,
    "SpecialtyDemandChangedEvent": demand_changes,
}  # fmt: skip


def test_every_consumed_event_type_has_a_scenario() -> None:
    assert set(SCENARIOS) == CONSUMED_TYPES == set(handlers())


@pytest.mark.parametrize("event_type", sorted(SCENARIOS))
def test_each_event_delivered_three_times_at_once_in_shuffled_order_ends_in_one_state_with_no_duplicate_effect(
    db, sandbox, api, clients, world, database_url, event_type
) -> None:
    events, changes = SCENARIOS[event_type](db, clients, world)
    assert {e["type"] for e in events} == {event_type}
    deliver_concurrently(api, events, seed=len(event_type))
    process_concurrently(database_url)
    assert inbox_states(db, events) == {("processed", 1): len(events)}  # each handled once, none failed or retried
    assert snapshot(db, sandbox, world) == BASELINE | changes
    process_concurrently(database_url)  # nothing left to do: a second pass changes nothing
    assert snapshot(db, sandbox, world) == BASELINE | changes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_events_of_a_conversion_in_any_order_end_in_one_state(
    db, sandbox, api, clients, world, database_url, seed
) -> None:
    """An interested reply, the sign-up, its verification, delivery statuses, a referral by the new user and a
    project: delivered in any order (three times each, at once) they end the same way, each effect once."""
    user_id = sign_up(clients, world)  # the account exists before any event about it
    events = [
        reply("email", world.email, "Yes, I am interested. Please send me the link.", world.email_message),
        user_created(world, user_id), verification(world, user_id, "verified", 30),
        status_update(world.email_message, "email", "delivered", 1), status_update(world.sms_message, "sms",
                                                                                   "delivered", 1),
        referral(world.campaign_id, "+17375550104", referrer=user_id), project(2),
    ]
    deliver_concurrently(api, events, seed=seed)
    process_concurrently(database_url)
    assert inbox_states(db, events) == {("processed", 1): len(events)}
    assert snapshot(db, sandbox, world) == BASELINE | {
        "status": "verified", "verification": "verified", "user_id": user_id,
        "messages": {"email": "replied", "sms": "delivered"}, "responses": ["interested"],
        "outbox": {"ProspectResponseReceivedEvent": 1, "ProspectConvertedEvent": 1,
                   "ContractorReadyForVerificationEvent": 1, "OutreachReferralEvent": 1},
        "incentives": ["pending"], "calls": {"contractor": 1, "incentive": 1, "opt_out_confirmation": 0},
    }  # fmt: skip


# -- order of different events about one prospect: the lifecycle only moves forward ------------------------------

PAIRS = {
    "opt-out and sign-up": (lambda w, user: reply("sms", w.phone, "STOP", w.sms_message),
                            lambda w, user: user_created(w, user), "converted"),
    "opt-out and verification": (lambda w, user: reply("sms", w.phone, "STOP", w.sms_message),
                                 lambda w, user: verification(w, user, "verified", 30), "verified"),
    "interest and opt-out": (lambda w, user: reply("email", w.email, "Yes, I am interested.", w.email_message),
                             lambda w, user: reply("sms", w.phone, "STOP", w.sms_message), "suppressed"),
    "interest and sign-up": (lambda w, user: reply("email", w.email, "Yes, I am interested.", w.email_message),
                             lambda w, user: user_created(w, user), "converted"),
}  # fmt: skip


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_two_updates_of_a_prospect_end_in_the_same_status_in_either_order(
    db, api, clients, make_world, database_url, pair
) -> None:
    first, second, expected = PAIRS[pair]
    statuses = []
    for order in ((first, second), (second, first)):
        world = make_world()
        user_id = sign_up(clients, world)
        for build in order:  # the second event only once the first is handled: a late, out-of-order update
            deliver_concurrently(api, [build(world, user_id)], seed=0, copies=1)
            process_concurrently(database_url, workers=1)
        statuses.append(db.execute("select status from app.prospects where prospect_id = %s",
                                   (world.prospect_id,)).fetchone()[0])
        db.commit()
    assert statuses == [expected, expected]


def test_incentive_updates_in_every_order_end_in_the_same_status(db, clients, world) -> None:
    issued = incentive_issuer(clients.payment)(db, world.prospect_id, sign_up(clients, world), world.campaign_id)
    db.commit()
    updates = [{"incentive_id": issued.incentive_id, "status": status, "amount_cents": 5000, "currency": "USD",
                "updated_at": at(minute)}
               for status, minute in (("pending", 1), ("issued", 2), ("failed", 3), ("pending", 4))]
    finals = set()
    for order in itertools.permutations(updates):
        with db.transaction(force_rollback=True):
            for update in order:
                apply_incentive_status(db, update)
            finals.add(db.execute("select status, status_updated_at from app.incentives where incentive_id = %s",
                                  (issued.incentive_id,)).fetchone())
    assert finals == {("failed", T0 + timedelta(minutes=3))}  # the newest outcome; a later `pending` never undoes it


# -- a worker killed in the middle of an event --------------------------------------------------------------------


def cli(*args: str) -> subprocess.Popen:
    """`outreach ARGS` in a process of its own, with this test's environment (no model key: no network)."""
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    return subprocess.Popen([sys.executable, "-m", "outreach.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_a_worker_killed_while_handling_a_stored_event_handles_it_after_restart(
    db, sandbox, api, world, monkeypatch
) -> None:
    stop = reply("sms", world.phone, "STOP", world.sms_message)
    deliver_concurrently(api, [stop], seed=0, copies=1)  # acknowledged: durably in the inbox

    # The sandbox kills the worker when the opt-out confirmation reaches it: the text is queued, the worker never
    # learns it and never commits the suppression it made before the call.
    worker: dict[str, subprocess.Popen] = {}
    accept = sandbox.sandbox.reactions.on_message

    def kill_the_worker(message, now):
        if message.metadata["prospect_id"] == world.prospect_id and "process" in worker:
            os.kill(worker.pop("process").pid, signal.SIGKILL)
        return accept(message, now)

    monkeypatch.setattr(sandbox.sandbox.reactions, "on_message", kill_the_worker)
    worker["process"] = killed = cli("events", "process")
    output, _ = killed.communicate(timeout=300)
    assert killed.returncode == -signal.SIGKILL, output
    db.execute("set lock_timeout = '60s'")
    db.execute("select 1 from app.inbox_events where event_id = %s for update", (stop["id"],))  # its locks are gone
    db.commit()
    assert inbox_states(db, [stop]) == {("pending", 0): 1}
    assert snapshot(db, sandbox, world) == BASELINE | {
        "calls": {**BASELINE["calls"], "opt_out_confirmation": 1}, "confirmations_queued": 1}

    restarted = cli("events", "process")
    output, _ = restarted.communicate(timeout=300)
    assert restarted.returncode == 0, output
    assert inbox_states(db, [stop]) == {("processed", 1): 1}
    assert snapshot(db, sandbox, world) == BASELINE | {
        "status": "suppressed", "messages": {"email": "sent", "sms": "replied"},
        "suppressions": [("email", "opt_out"), ("phone", "opt_out")], "consent_records": 2,
        "responses": ["opt_out"], "outbox": {"ProspectResponseReceivedEvent": 1},
        # Asked twice (once per run), queued once: the same key and body are answered from Messaging's record.
        "calls": {**BASELINE["calls"], "opt_out_confirmation": 2}, "confirmations_queued": 1,
    }  # fmt: skip


# -- an opt-out reply and the next batch ---------------------------------------------------------------------------


def test_an_opt_out_reply_is_honoured_before_the_next_batch_on_every_channel(
    db, sandbox, api, clients, keys, database_url
) -> None:
    cipher, indexer = keys
    campaign = own_campaign(db)
    by_email, by_sms, other = add_prospects(db, cipher, indexer, campaign, 3, timezone="America/New_York",
                                            is_email_valid=True)
    db.execute("update app.prospects set is_email_valid = false where prospect_id = %s", (by_sms,))
    db.commit()
    first = run_batch(db, clients, campaign.id, DAY, BasicComposer(), cipher, indexer)
    assert first.sent == 3
    initial = {m.metadata["prospect_id"]: m for m in received(sandbox, campaign)}
    assert (initial[by_email].channel, initial[by_sms].channel) == ("email", "sms")

    email, _ = contacts_of(db, cipher, by_email)
    _, phone = contacts_of(db, cipher, by_sms)
    deliver_concurrently(api, [
        reply("email", email, "Please take me off your list.", initial[by_email].message_id),
        reply("sms", phone, "STOP", initial[by_sms].message_id),
    ], seed=3)
    process_concurrently(database_url)

    db.commit()
    follow_up = run_batch(db, clients, campaign.id, DAY + timedelta(days=3), BasicComposer(), cipher, indexer)
    assert follow_up.sent == 1
    assert {e.prospect_id: e.reason for e in follow_up.exclusions} == {by_email: "suppressed", by_sms: "suppressed"}
    messages = received(sandbox, campaign)
    sent = Counter(m.metadata["prospect_id"] for m in messages if m.metadata["template_id"] != "opt_out_confirmation")
    assert sent == {by_email: 1, by_sms: 1, other: 2}
    confirmations = [m for m in messages if m.metadata["template_id"] == "opt_out_confirmation"]
    assert [(m.metadata["prospect_id"], m.channel) for m in confirmations] == [(by_sms, "sms")]
    suppressed = db.execute("select prospect_id::text, contact_kind from app.suppressions "
                            "where prospect_id = any(%s::uuid[])", ([by_email, by_sms],)).fetchall()
    assert sorted(suppressed) == sorted((p, k) for p in (by_email, by_sms) for k in ("email", "phone"))
