"""Delivery to the sandbox's Messaging over real HTTP and a real database: exactly once per key, whatever fails.

Each test runs its own campaign, targeted at a region of its own, so tests (and other suites sharing the session
database and sandbox) never see each other's prospects. Retries never sleep (injected no-op sleep).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from fixtures.campaign_world import DAY, add_prospects, contacts_of, make_clients, own_campaign, received

from integrations.instabids import InstaBidsClients
from integrations.instabids.wire import CreateContractorRequest
from outreach.campaigns import BasicComposer, Campaign, active_campaign_ids, load_campaign, run_batch, seed_campaigns
from outreach.campaigns.batch import campaign_lock_id
from outreach.campaigns.daily import run_campaign
from outreach.campaigns.delivery import DeliveryHooks
from outreach.campaigns.eligibility import idempotency_key
from outreach.campaigns.incentives import (
    apply_incentive_status,
    get_incentive,
    incentive_issuer,
    incentive_key,
    sync_incentives,
)
from outreach.campaigns.models import QUIET_HOURS_END, QUIET_HOURS_START, load_campaigns
from outreach.campaigns.selection import relation_exists
from outreach.campaigns.variants import observed_responses
from outreach.consent.suppression import contact_indexes, suppress
from outreach.events.outbox import event_id
from outreach.privacy.crypto import BlindIndexer, PiiCipher, load_blind_indexer, load_cipher
from outreach.settings import DOMAINS, Settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


class Killed(RuntimeError):
    """Stands for the process dying in the middle of a batch."""


@pytest.fixture
def clients(pipeline_env) -> Iterator[InstaBidsClients]:
    bundle = make_clients()
    yield bundle
    bundle.close()


@pytest.fixture
def keys(pipeline_env) -> tuple[PiiCipher, BlindIndexer]:
    state_dir = Settings().state_dir
    return load_cipher(state_dir), load_blind_indexer(state_dir)


@pytest.fixture
def sandbox_config(sandbox) -> Iterator[Callable[..., None]]:
    """Change the sandbox's run-time settings for one test; restored afterwards."""
    before = httpx.get(f"{sandbox.url}/sandbox/config").json()

    def change(**settings) -> None:
        httpx.post(f"{sandbox.url}/sandbox/config", json=settings).raise_for_status()

    yield change
    restore = {k: before[k] for k in ("failure_rate", "latency_ms", "messaging_rate_limit_per_minute")}
    httpx.post(f"{sandbox.url}/sandbox/config", json=restore).raise_for_status()


@pytest.fixture
def campaign(db) -> Campaign:
    """A campaign of this test only: the HVAC seed, retargeted at a fresh region, uncapped."""
    return own_campaign(db)


def our_rows(db, campaign: Campaign) -> list[tuple]:
    return db.execute(
        "select idempotency_key, prospect_id::text, step, channel, status, message_id::text, error_code "
        "from app.outreach_messages where campaign_id = %s",
        (campaign.id,),
    ).fetchall()


def run(db, clients, campaign, keys, **kwargs):
    cipher, indexer = keys
    db.commit()  # end the test's own reads: a batch commits as it goes and wants no open transaction
    return run_batch(db, clients, campaign.id, DAY, BasicComposer(), cipher, indexer, chunk_size=10, **kwargs)


def assert_exactly_once(db, sandbox, campaign: Campaign, expected_prospects: set[str]) -> None:
    rows = our_rows(db, campaign)
    messages = received(sandbox, campaign)
    per_prospect = Counter(m.metadata["prospect_id"] for m in messages)
    assert set(per_prospect) == expected_prospects
    assert set(per_prospect.values()) == {1}, "a prospect got the initial message more than once"
    sent = {r[5] for r in rows if r[4] == "sent"}
    assert sent == {m.message_id for m in messages}
    assert {r[0] for r in rows} == {idempotency_key(r[1], campaign.campaign_id, 0) for r in rows}
    (events,) = db.execute(
        "select count(*) from app.outbox_events where type = 'OutreachMessageSentEvent' and event_id = any(%s)",
        ([event_id("OutreachMessageSentEvent", r[0]) for r in rows if r[4] == "sent"],),
    ).fetchone()
    assert events == len(sent)


def test_every_eligible_message_is_delivered_exactly_once_with_30_percent_of_calls_failing(
    db, sandbox, sandbox_config, campaign, keys
) -> None:
    cipher, indexer = keys
    eligible = set(add_prospects(db, cipher, indexer, campaign, 100))
    quiet = set(add_prospects(db, cipher, indexer, campaign, 8, timezone="Pacific/Honolulu"))
    opted_out = add_prospects(db, cipher, indexer, campaign, 8)
    for n, prospect_id in enumerate(opted_out):  # an opt-out on either channel stops both
        email, phone = contacts_of(db, cipher, prospect_id)
        suppress(
            db,
            contact_indexes(indexer, email if n % 2 else None, None if n % 2 else phone),
            "opt_out",
            prospect_id=prospect_id,
        )
    db.commit()
    sandbox_config(failure_rate=0.3)
    # Three attempts per call: with 30 % failures some chunks give up and stay pending for the next run.
    flaky = make_clients(max_attempts=3, breaker_fail_max=50)
    try:
        runs = []
        for _ in range(12):
            runs.append(run(db, flaky, campaign, keys))
            if runs[-1].deferred == 0:
                break
    finally:
        flaky.close()
    sandbox_config(failure_rate=0.0)
    assert runs[-1].deferred == 0, [r.summary() for r in runs]
    assert runs[0].excluded["quiet_hours"] == len(quiet)
    assert runs[0].excluded["suppressed"] == len(opted_out)
    assert sum(r.sent for r in runs) == len(eligible)
    assert_exactly_once(db, sandbox, campaign, eligible)
    zones = dict(db.execute("select prospect_id::text, timezone from app.prospects where prospect_id = any(%s::uuid[])",
                            (list(eligible | quiet),)).fetchall())
    for message in received(sandbox, campaign):  # none outside 08:00-21:00 at the recipient
        local = runs[0].clock.astimezone(ZoneInfo(zones[message.metadata["prospect_id"]])).time()
        assert QUIET_HOURS_START <= local < QUIET_HOURS_END, (zones[message.metadata["prospect_id"]], local)
    channels = Counter(r[3] for r in our_rows(db, campaign))
    assert channels == {"email": 75, "sms": 25}
    assert db.execute(
        "select count(*) from app.prospects where prospect_id = any(%s::uuid[]) and status = 'contacted'",
        (list(eligible),),
    ).fetchone() == (len(eligible),)


def test_a_send_process_killed_midway_and_run_again_sends_nothing_twice(
    db, sandbox, campaign, keys, monkeypatch
) -> None:
    """`outreach send` as a real process, SIGKILLed by the sandbox when the 501st message reaches it (in the
    second bulk of 500, before its answer), then run again: every prospect gets the message once."""
    cipher, indexer = keys
    prospects = set(add_prospects(db, cipher, indexer, campaign, 1100))
    accepted: Counter[str] = Counter()  # Messaging queues a key once; a repeat of a known key never gets here
    sender: dict[str, subprocess.Popen] = {}
    accept = sandbox.sandbox.reactions.on_message

    def count_and_kill(message, now):
        if message.metadata["campaign_id"] == campaign.campaign_id:
            accepted[message.metadata["prospect_id"]] += 1
            if accepted.total() == 501 and "process" in sender:
                os.kill(sender.pop("process").pid, signal.SIGKILL)
        return accept(message, now)

    monkeypatch.setattr(sandbox.sandbox.reactions, "on_message", count_and_kill)
    command = [sys.executable, "-m", "outreach.cli", "send", "--campaign", campaign.campaign_id, "--date", str(DAY)]
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}  # templates only: no network
    sender["process"] = killed = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                                  stderr=subprocess.STDOUT, text=True)
    output, _ = killed.communicate(timeout=600)
    assert killed.returncode == -signal.SIGKILL, output
    with sandbox.sandbox.lock:  # the bulk the process died waiting for is accepted whole under this lock
        assert accepted.total() == 1000
    db.execute("select pg_advisory_lock(%s)", (campaign_lock_id(campaign.campaign_id),))  # the dead run's lock
    db.execute("select pg_advisory_unlock(%s)", (campaign_lock_id(campaign.campaign_id),))
    db.commit()
    # The first bulk recorded sent; the second recorded pending before its call, its answer never arrived.
    assert Counter(r[4] for r in our_rows(db, campaign)) == {"sent": 500, "pending": 500}

    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert accepted == {prospect_id: 1 for prospect_id in prospects}
    assert_exactly_once(db, sandbox, campaign, prospects)
    templates = Counter(m.metadata["template_id"].split(".v")[0] for m in received(sandbox, campaign))
    assert set(templates) == {"intro_email", "intro_sms"}  # the campaign's YAML names them for step 0


def test_the_campaign_yaml_chooses_the_template_and_version_of_each_step(db, sandbox, clients, keys, monkeypatch):
    """The production composer renders what `steps[n].templates` names, not a convention (here: a campaign that
    opens with the follow-up templates: they have one wording, so the campaign has one arm)."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    hvac = next(c for c in load_campaigns() if c.name.startswith("HVAC"))
    steps = [step.model_dump() for step in hvac.steps]
    steps[0]["templates"] = {"email": "followup_email.v1", "sms": "followup_sms.v1"}
    campaign = own_campaign(db, steps=steps, variants=[{"label": "a"}])
    cipher, indexer = keys
    add_prospects(db, cipher, indexer, campaign, 4)
    result = run_campaign(db, clients, campaign.campaign_id, DAY, cipher, indexer)
    assert result.sent == 4
    templates = Counter(m.metadata["template_id"] for m in received(sandbox, campaign))
    assert templates == {"followup_email.v1": 3, "followup_sms.v1": 1}
    composers = {r[0] for r in db.execute("select composer from app.outreach_messages where campaign_id = %s",
                                          (campaign.id,))}
    assert composers == {"template"}


@pytest.mark.parametrize("dies", ["after_call", "after_commit"])
def test_a_batch_killed_midway_and_run_again_sends_nothing_twice(db, sandbox, clients, campaign, keys, dies) -> None:
    cipher, indexer = keys
    prospects = set(add_prospects(db, cipher, indexer, campaign, 60))

    def die(chunk: int) -> None:
        if chunk == 2:
            raise Killed

    with pytest.raises(Killed):
        run(db, clients, campaign, keys, hooks=DeliveryHooks(**{dies: die}))
    statuses = Counter(r[4] for r in our_rows(db, campaign))
    # Chunk 2 reached Messaging: before its results were recorded it is still pending, after it is sent.
    assert statuses == ({"sent": 20, "pending": 10} if dies == "after_call" else {"sent": 30})
    assert len(received(sandbox, campaign)) == 30

    second = run(db, clients, campaign, keys)
    assert second.resent == (10 if dies == "after_call" else 0)
    assert second.sent == second.resent + 30 and second.deferred == 0
    assert_exactly_once(db, sandbox, campaign, prospects)

    third = run(db, clients, campaign, keys)  # the same batch again: everything is done already
    assert (third.sent, third.recorded, third.resent) == (0, 0, 0)
    assert third.excluded == {"follow_up_not_due": len(prospects)}
    assert_exactly_once(db, sandbox, campaign, prospects)


def test_a_rate_limited_bulk_stays_pending_and_an_open_circuit_stops_the_batch(
    db, sandbox, sandbox_config, campaign, keys
) -> None:
    cipher, indexer = keys
    prospects = set(add_prospects(db, cipher, indexer, campaign, 60))
    sandbox_config(messaging_rate_limit_per_minute=1)  # every bulk is refused whole with 429
    limited = make_clients(max_attempts=2, breaker_fail_max=3)
    try:
        first = run(db, limited, campaign, keys)
    finally:
        limited.close()
    sandbox_config(messaging_rate_limit_per_minute=6000)
    assert first.sent == 0 and first.stopped == "circuit_open"
    # Three chunks refused (429) trip the breaker, the 4th fails fast without a request, the rest is not recorded.
    assert first.chunks == 4 and first.recorded == 40
    assert received(sandbox, campaign) == []
    assert Counter(r[4] for r in our_rows(db, campaign)) == {"pending": 40}

    fresh = make_clients()
    try:
        second = run(db, fresh, campaign, keys)
    finally:
        fresh.close()
    assert (second.resent, second.recorded, second.sent) == (40, 20, 60)
    assert_exactly_once(db, sandbox, campaign, prospects)


def test_refusals_feed_back_into_suppression_and_channel_choice(db, sandbox, clients, campaign, keys) -> None:
    cipher, indexer = keys
    (no_mx,) = add_prospects(db, cipher, indexer, campaign, 1, email="owner@defunct-business.invalid")
    (opted_out,) = add_prospects(db, cipher, indexer, campaign, 1, email="gone@opted-out-business.example")
    with sandbox.sandbox.lock:  # Messaging learned of this opt-out elsewhere
        sandbox.sandbox.runtime.suppress("gone@opted-out-business.example", 0)

    first = run(db, clients, campaign, keys)
    assert first.rejected == {"invalid_recipient": 1, "suppressed": 1}
    valid, status = db.execute(
        "select is_email_valid, status from app.prospects where prospect_id = %s", (no_mx,)
    ).fetchone()
    assert valid is False and status == "enriched"
    (status,) = db.execute("select status from app.prospects where prospect_id = %s", (opted_out,)).fetchone()
    assert status == "suppressed"
    assert db.execute("select count(*) from app.suppressions where prospect_id = %s", (opted_out,)).fetchone() == (1,)

    second = run(db, clients, campaign, keys)  # the dead email falls back to SMS, with its own key
    assert second.sent == 1 and second.excluded == {"suppressed": 1}
    rows = {(r[1], r[3]): r for r in our_rows(db, campaign)}
    sms = rows[(no_mx, "sms")]
    assert sms[4] == "sent" and sms[0] == idempotency_key(no_mx, campaign.campaign_id, 0, fallback_channel="sms")
    assert rows[(no_mx, "email")][4:] == ("rejected", None, "invalid_recipient")
    messages = received(sandbox, campaign)
    assert [(m.metadata["prospect_id"], m.channel) for m in messages] == [(no_mx, "sms")]


def test_a_paused_campaign_does_not_send(db, clients, campaign, keys) -> None:
    from outreach.campaigns.batch import CampaignNotActive

    seed_campaigns(db, [campaign.model_copy(update={"status": "paused"})])
    with pytest.raises(CampaignNotActive):
        run(db, clients, campaign, keys)


def test_the_batch_clock_comes_from_the_day_not_the_wall_clock(db, clients, campaign, keys) -> None:
    cipher, indexer = keys
    add_prospects(db, cipher, indexer, campaign, 3)
    result = run(db, clients, campaign, keys)
    assert result.clock == datetime(2025, 7, 15, 16, 0, tzinfo=UTC)
    scheduled = {r[0] for r in db.execute(
        "select scheduled_at from app.outreach_messages where campaign_id = %s", (campaign.id,)
    )}  # fmt: skip
    assert scheduled == {result.clock}


class ChaosProxy:
    """Messaging behind a proxy that fails a share of calls the ways networks do: 5xx, 429 with RateLimit-* headers,
    a timeout before the request reaches Messaging, and the worst one, a timeout *after* Messaging processed it (the
    response is lost, so the client cannot know the message was queued)."""

    FAULTS = ("503", "502", "429", "timeout_before", "timeout_after")

    def __init__(self, upstream: str, hold: float) -> None:
        self.upstream = upstream
        self.hold = hold
        self.lock = threading.Lock()
        self.calls = 0
        self.faults: Counter[str] = Counter()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                proxy.handle(self)

            do_GET = do_POST

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def draw(self) -> str | None:
        """Exactly 3 calls in 10 fail, taking the fault kinds in turn."""
        with self.lock:
            self.calls += 1
            if self.calls % 10 not in (2, 5, 8):
                return None
            fault = self.FAULTS[sum(self.faults.values()) % len(self.FAULTS)]
            self.faults[fault] += 1
            return fault

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        fault = self.draw()
        if fault in ("503", "502"):
            return self._answer(request, int(fault), {"Retry-After": "1"}, b"{}")
        if fault == "429":
            limits = {"Retry-After": "1", "RateLimit-Limit": "6000", "RateLimit-Remaining": "0", "RateLimit-Reset": "1"}
            return self._answer(request, 429, limits, b"{}")
        if fault == "timeout_before":
            time.sleep(self.hold)
            return None  # the connection closes without an answer, after the client gave up
        forwarded = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        response = httpx.request(request.command, self.upstream + request.path, headers=forwarded, content=body)
        if fault == "timeout_after":
            time.sleep(self.hold)
            return None
        headers = {k: v for k, v in response.headers.items() if k.lower().startswith(("ratelimit", "retry-after"))}
        headers["Content-Type"] = response.headers.get("content-type", "application/json")
        return self._answer(request, response.status_code, headers, response.content)

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, headers: dict, body: bytes) -> None:
        request.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_exactly_once_when_30_percent_of_calls_fail_with_5xx_429_and_timeouts(db, sandbox, campaign, keys) -> None:
    cipher, indexer = keys
    eligible = set(add_prospects(db, cipher, indexer, campaign, 150))
    proxy = ChaosProxy(sandbox.url, hold=0.4)
    settings = Settings()
    urls = {domain: settings.domain_url(domain) for domain in DOMAINS} | {"messaging": proxy.url}
    chaotic = InstaBidsClients.build(
        urls, settings.client_id, settings.client_secret.get_secret_value(), timeout=0.25, max_attempts=3,
        breaker_fail_max=50, sleep=lambda _seconds: None,
    )  # fmt: skip
    try:
        runs = []
        for _ in range(15):
            runs.append(run(db, chaotic, campaign, keys))
            if runs[-1].deferred == 0:
                break
    finally:
        chaotic.close()
        proxy.close()
    assert runs[-1].deferred == 0, [r.summary() for r in runs]
    assert set(proxy.faults) == set(ChaosProxy.FAULTS)  # every kind of failure did happen, lost responses included
    assert sum(r.sent for r in runs) == len(eligible)
    assert_exactly_once(db, sandbox, campaign, eligible)


def _incentive_campaign(db) -> Campaign:
    roofing = next(c for c in load_campaigns() if c.incentive is not None)
    campaign = Campaign.model_validate(roofing.definition() | {"id": str(uuid.uuid4()), "name": "incentive test"})
    seed_campaigns(db, [campaign])
    return campaign


def _contractor(clients: InstaBidsClients, prospect_id: str) -> str:
    request = CreateContractorRequest(
        prospect_id=prospect_id, business_name="Incentive Roofing", contact_name=None,
        email=f"owner@{prospect_id[:8]}-roofing.example", phone=None, specialties=["roofing"],
        region="us-tx-houston", state="TX", city="Houston", invite=False,
    )  # fmt: skip
    return str(clients.users.create_contractor(request, idempotency_key=f"test-user-{prospect_id}").user_id)


def test_an_incentive_is_issued_once_and_follows_its_status(db, sandbox, clients) -> None:
    campaign = _incentive_campaign(db)
    prospect_id = str(uuid.uuid4())
    user_id = _contractor(clients, prospect_id)
    issue = incentive_issuer(clients.payment)

    first = issue(db, prospect_id, user_id, campaign.campaign_id)
    db.commit()
    assert first.status == "pending" and first.incentive_id is not None
    assert (first.amount_cents, first.currency, first.kind) == (5000, "USD", "signup_credit")
    assert first.idempotency_key == incentive_key(prospect_id, campaign.id)
    with sandbox.sandbox.lock:
        issued = [i for i in sandbox.sandbox.runtime.incentives.values() if i.prospect_id == prospect_id]
    assert [i.incentive_id for i in issued] == [first.incentive_id]

    again = issue(db, prospect_id, user_id, campaign.campaign_id)  # a redelivered conversion: nothing new
    assert again == first

    lost = str(uuid.uuid4())  # an incentive Payment does not know (404): skipped, the others still polled
    db.execute(
        "insert into app.incentives (idempotency_key, incentive_id, prospect_id, campaign_id, recipient_user_id, "
        "kind, amount_cents, currency, status, created_at) values (%s, %s, %s, %s, %s, 'signup_credit', 100, 'USD', "
        "'pending', '2000-01-01')",
        (f"lost-{lost}", lost, str(uuid.uuid4()), campaign.id, user_id),
    )
    db.commit()
    synced = sync_incentives(db, clients.payment, datetime.now(UTC))
    assert synced.polled >= 1 and synced.unknown >= 1
    assert db.execute("select status from app.incentives where incentive_id = %s", (lost,)).fetchone() == ("pending",)
    assert db.execute("select last_polled_at from app.incentives where incentive_id = %s",
                      (first.incentive_id,)).fetchone()[0] is not None
    later = {"incentive_id": first.incentive_id, "status": "issued", "amount_cents": 5000, "currency": "USD",
             "updated_at": "2099-01-01T00:00:00Z"}  # fmt: skip
    assert apply_incentive_status(db, later) is True
    assert apply_incentive_status(db, later) is False  # a duplicate event
    assert apply_incentive_status(db, later | {"status": "failed", "updated_at": "2098-01-01T00:00:00Z"}) is False
    db.commit()
    assert get_incentive(db, first.idempotency_key).status == "issued"


def test_incentives_only_when_the_campaign_offers_one_and_to_existing_users(db, clients, campaign) -> None:
    issue = incentive_issuer(clients.payment)
    assert issue(db, str(uuid.uuid4()), str(uuid.uuid4()), campaign.campaign_id) is None  # HVAC offers none
    assert issue(db, str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())) is None  # unknown campaign
    offering = _incentive_campaign(db)
    refused = issue(db, str(uuid.uuid4()), str(uuid.uuid4()), offering.campaign_id)  # no such user at Payment
    db.commit()
    assert (refused.status, refused.error_code, refused.incentive_id) == ("rejected", "not_found", None)


def test_seeding_is_idempotent(db) -> None:
    seed_campaigns(db)
    again = seed_campaigns(db)
    assert again.inserted == again.updated == 0 and again.unchanged == len(load_campaigns())
    ids = active_campaign_ids(db)
    assert {c.campaign_id for c in load_campaigns()} <= set(ids)
    stored = load_campaign(db, load_campaigns()[0].id)
    assert stored == load_campaigns()[0]
    db.commit()


def test_follow_ups_go_out_after_their_delay_keep_the_variant_and_stop_on_reply(
    db, sandbox, clients, campaign, keys
) -> None:
    cipher, indexer = keys
    ids = add_prospects(db, cipher, indexer, campaign, 6, timezone="America/New_York", is_email_valid=True)
    first = run(db, clients, campaign, keys)
    assert first.sent == 6
    replied, converted = ids[0], ids[1]
    db.execute(
        "update app.outreach_messages set status = 'replied' where prospect_id = %s and campaign_id = %s",
        (replied, campaign.id),
    )
    db.execute("update app.prospects set status = 'converted' where prospect_id = %s", (converted,))
    db.commit()
    next_day = run_batch(db, clients, campaign.id, date(2025, 7, 16), BasicComposer(), cipher, indexer)
    assert next_day.sent == 0
    assert next_day.excluded == {"follow_up_not_due": 4, "stopped_on_reply": 1, "status_converted": 1}

    db.commit()
    later = run_batch(db, clients, campaign.id, date(2025, 7, 18), BasicComposer(), cipher, indexer)
    assert later.sent == 4 and later.variants == {}  # follow-ups draw no new variant
    rows = db.execute(
        "select prospect_id::text, step, variant, idempotency_key from app.outreach_messages where campaign_id = %s",
        (campaign.id,),
    ).fetchall()
    variant_of = {pid: v for pid, step, v, _ in rows if step == 0}
    follow_ups = [(pid, v, key) for pid, step, v, key in rows if step == 1]
    assert sorted(pid for pid, _, _ in follow_ups) == sorted(ids[2:])
    for pid, variant, key in follow_ups:
        assert variant == variant_of[pid] and key == idempotency_key(pid, campaign.campaign_id, 1)
    templates = Counter(m.metadata["template_id"] for m in received(sandbox, campaign))
    assert templates == {"hvac_plumbing_undersupply.initial": 6, "hvac_plumbing_undersupply.follow_up": 4}

    observed = observed_responses(db, campaign, datetime(2025, 7, 18, 16, 0, tzinfo=UTC))
    db.commit()
    assert sum(trials for trials, _ in observed.values()) == 6
    assert sum(successes for _, successes in observed.values()) == 1
    assert observed[variant_of[replied]][1] == 1

    db.execute(
        "insert into app.prospect_responses (message_id, prospect_id, campaign_id, channel, intent, confidence, "
        "analyzed_by, action, received_at) values (gen_random_uuid(), %s, %s, 'email', 'auto_reply', 0.9, 'rules', "
        "'reschedule', now())",
        (replied, campaign.id),
    )
    out_of_office_only = observed_responses(db, campaign, datetime(2025, 7, 18, 16, 0, tzinfo=UTC))
    db.rollback()
    assert sum(successes for _, successes in out_of_office_only.values()) == 0


def test_a_pending_message_is_cancelled_when_its_prospect_opted_out_meanwhile(
    db, sandbox, sandbox_config, campaign, keys
) -> None:
    cipher, indexer = keys
    ids = add_prospects(db, cipher, indexer, campaign, 5)
    sandbox_config(failure_rate=1.0)
    down = make_clients(max_attempts=1)
    try:
        first = run(db, down, campaign, keys)
    finally:
        down.close()
    sandbox_config(failure_rate=0.0)
    assert (first.sent, first.deferred) == (0, 5)
    email, _ = contacts_of(db, cipher, ids[0])
    suppress(db, contact_indexes(indexer, email, None), "opt_out", prospect_id=ids[0])
    db.commit()

    up = make_clients()
    try:
        second = run(db, up, campaign, keys)
    finally:
        up.close()
    assert (second.resent, second.sent, second.cancelled) == (4, 4, 1)
    statuses = {r[1]: (r[4], r[6]) for r in our_rows(db, campaign)}
    assert statuses[ids[0]] == ("cancelled", "suppressed")
    assert {m.metadata["prospect_id"] for m in received(sandbox, campaign)} == set(ids[1:])


def test_scores_set_the_threshold_and_the_order_within_the_daily_cap(db, clients, keys) -> None:
    if not relation_exists(db, "app.prospect_scores"):
        pytest.skip("scoring has not created app.prospect_scores")
    cipher, indexer = keys
    template = next(c for c in load_campaigns() if c.name.startswith("HVAC"))
    region = f"us-zz-test-{uuid.uuid4().hex[:10]}"
    capped = Campaign.model_validate(
        template.definition()
        | {"id": str(uuid.uuid4()), "targeting": {"regions": [region], "min_score": 0.25}, "send_time": "16:00",
           "send_window": {"start": "08:00", "end": "21:00"}, "daily_cap": 2}
    )  # fmt: skip
    seed_campaigns(db, [capped])
    high, low, unscored, middle = add_prospects(db, cipher, indexer, capped, 4, timezone="America/Chicago")
    for prospect_id, score in ((high, 0.9), (low, 0.1), (middle, 0.6)):
        db.execute(
            "insert into app.prospect_scores (prospect_id, score, model_version, scorer, scored_on, scored_at) "
            "values (%s, %s, 'm1', 'model', '2025-07-14', '2025-07-14T00:00:00Z')",
            (prospect_id, score),
        )
    db.commit()
    result = run(db, clients, capped, keys)
    assert result.candidates == 3  # below min_score: not targeted at all
    assert result.excluded == {"daily_cap": 1}
    sent = {r[1] for r in our_rows(db, capped) if r[4] == "sent"}
    assert sent == {high, middle}  # 0.9 and 0.6 before the unscored prospect's neutral 0.5
    assert unscored not in sent and low not in sent
