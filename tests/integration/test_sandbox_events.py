"""Events over real HTTP: reactions on the sandbox clock, signed deliveries to a receiver, and the event bus."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from standardwebhooks import Webhook

from integrations.contracts import cloudevent_validator, event_data_validator
from integrations.sandbox import RunningSandbox, SandboxConfig, default_webhook_secret, start_in_thread
from integrations.sandbox.config import WEBHOOK_SERVICES

pytestmark = pytest.mark.integration

START = datetime(2026, 4, 6, 9, 0, tzinfo=UTC)
BUS_SECRET = default_webhook_secret("EVENT_BUS")


class Receiver:
    """A tiny HTTP server on 127.0.0.1 that records every request and answers `status`."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.status = 202
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"accepted": true, "duplicate": false}')

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[tuple[str, dict]]:
        """(path, CloudEvent) for every event received, after checking signature and schema."""
        found = []
        for path, headers, body in self.requests:
            events = json.loads(body)
            events = events if isinstance(events, list) else [events]
            service = events[0]["source"].removeprefix("/instabids/").upper().replace("-", "_")
            Webhook(default_webhook_secret(service)).verify(body, headers)
            for event in events:
                cloudevent_validator().validate(event)
                event_data_validator(event["type"]).validate(event["data"])
                found.append((path, event))
        return found

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def config(**changes: object) -> SandboxConfig:
    secrets = {service: default_webhook_secret(service) for service in WEBHOOK_SERVICES}
    return SandboxConfig(seed=21, scale=400, auto_deliver=False, clock_start=START, webhook_secrets=secrets,
                         event_bus_secret=BUS_SECRET, **changes)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def sandbox(receiver: Receiver) -> Iterator[RunningSandbox]:
    with start_in_thread(config(webhook_url=receiver.url)) as running:
        yield running


@pytest.fixture
def http(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=60) as client:
        yield client


def bearer(http: httpx.Client, scope: str) -> dict[str, str]:
    response = http.post("/auth/token", data={"grant_type": "client_credentials", "client_id": "ai-outreach",
                                              "client_secret": "sandbox-secret", "scope": scope})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def advance(http: httpx.Client, seconds: float) -> dict:
    assert http.post("/sandbox/clock", json={"advance_seconds": seconds}).status_code == 200
    response = http.post("/sandbox/events/flush")
    assert response.status_code == 200
    return response.json()


def meta(prospect_id: str) -> dict:
    return {"prospect_id": prospect_id, "campaign_id": str(uuid.uuid4()), "template_id": "intro.v1",
            "variant": "a", "correlation_id": str(uuid.uuid4())}


def test_a_sent_campaign_produces_signed_status_updates_and_replies(http: httpx.Client, receiver: Receiver) -> None:
    truth = http.get("/sandbox/truth/entities", params={"limit": 1000}).json()["items"]
    targets = sorted((e for e in truth if e["email"] and e["email_status"] != "no_mx"),
                     key=lambda e: -e["p_respond"])[:120]
    prospects = {e["entity_id"]: str(uuid.uuid4()) for e in targets}
    messages = [{"channel": "email", "idempotency_key": f"k-{e['entity_id']}", "to": e["email"],
                 "from_name": "InstaBids", "reply_to": "replies@outreach.instabids.example",
                 "subject": "Homeowners near you", "body_text": "We have jobs for you.",
                 "headers": {"List-Unsubscribe": "<https://outreach.instabids.example/u/t0k3n>"},
                 "metadata": meta(prospects[e["entity_id"]])} for e in targets]
    response = http.post("/messages/bulk", json={"messages": messages},
                         headers={**bearer(http, "messaging.send"), "Idempotency-Key": "campaign-1"})
    sent = {r["message_id"]: m["to"] for r, m in zip(response.json()["results"], messages, strict=True)}
    assert all(sent)
    assert advance(http, 6 * 86_400)["delivered"] > 0

    received = receiver.events()
    statuses = [e for p, e in received if e["type"] == "MessageStatusUpdatedEvent"]
    assert all(p == "/ai-outreach/webhooks/messages/received" for p, e in received if e["type"].startswith("Message"))
    assert {e["data"]["message_id"] for e in statuses} == set(sent)
    assert {e["data"]["status"] for e in statuses} >= {"sent", "delivered", "opened"}
    replies = [e["data"] for _, e in received if e["type"] == "MessageReceivedEvent"]
    assert replies
    for reply in replies:
        assert reply["in_reply_to_message_id"] in (*sent, None)
        if reply["in_reply_to_message_id"]:
            assert reply["from"] == sent[reply["in_reply_to_message_id"]]
    assert {e["type"] for _, e in received} >= {"ProjectCreatedEvent"}  # the days passed too

    known = http.get("/sandbox/truth/prospects", params={"limit": 1000}).json()["items"]
    by_prospect = {p["prospect_id"]: p for p in known}
    for entity_id, prospect_id in prospects.items():
        assert by_prospect[prospect_id]["entity_id"] == entity_id


def test_reactions_are_the_same_for_the_same_requests(receiver: Receiver) -> None:
    outcomes = []
    for _ in range(2):
        with start_in_thread(config()) as running, httpx.Client(base_url=running.url, timeout=60) as http:
            truth = http.get("/sandbox/truth/entities", params={"limit": 200}).json()["items"]
            targets = [e for e in truth if e["email"] and e["email_status"] == "ok"][:40]
            messages = [{"channel": "email", "idempotency_key": f"k{n}", "to": e["email"], "from_name": "InstaBids",
                         "reply_to": "r@outreach.instabids.example", "subject": "Hi", "body_text": "Jobs",
                         "metadata": meta(str(uuid.UUID(int=n)))} for n, e in enumerate(targets)]
            http.post("/messages/bulk", json={"messages": messages},
                      headers={**bearer(http, "messaging.send"), "Idempotency-Key": "same"})
            http.post("/sandbox/clock", json={"advance_seconds": 3 * 86_400})
            events = http.get("/sandbox/emitted-events", params={"limit": 1000, "type": "MessageReceivedEvent"})
            outcomes.append(sorted((e["event"]["id"], e["event"]["data"]["body_text"])
                                   for e in events.json()["items"]))
    assert outcomes[0] == outcomes[1]


def test_an_account_and_an_incentive_emit_their_events(http: httpx.Client, receiver: Receiver) -> None:
    prospect_id = str(uuid.uuid4())
    account = {"prospect_id": prospect_id, "business_name": "Events Test Roofing", "contact_name": None,
               "email": "owner@eventstestroofing.com", "phone": None, "specialties": ["roofing"],
               "region": "us-tx-austin", "state": "TX", "city": "Austin", "invite": False}
    created = http.post("/users/contractors", json=account,
                        headers={**bearer(http, "users.write"), "Idempotency-Key": "acct"}).json()
    assert created["status"] == "created"
    incentive = http.post("/payment/incentives/issue", json={
        "recipient_user_id": created["user_id"], "prospect_id": prospect_id, "campaign_id": str(uuid.uuid4()),
        "kind": "signup_credit", "amount_cents": 2500, "currency": "USD"},
        headers={**bearer(http, "payment.write"), "Idempotency-Key": "inc"}).json()
    advance(http, 7 * 3600)

    received = [e for p, e in receiver.events() if p == "/ai-outreach/events"]
    users = [e["data"] for e in received if e["type"] == "UserCreatedEvent"]
    assert any(u["user_id"] == created["user_id"] and u["prospect_id"] == prospect_id for u in users)
    payments = [e["data"] for e in received if e["type"] == "PaymentIncentiveStatusEvent"]
    assert [p["incentive_id"] for p in payments] == [incentive["incentive_id"]]
    status = http.get(f"/payment/incentives/status/{incentive['incentive_id']}",
                      headers=bearer(http, "payment.read")).json()
    assert status["status"] == payments[0]["status"] in ("issued", "failed")


def test_contractors_won_by_a_campaign_sometimes_refer_a_peer_through_it(http: httpx.Client,
                                                                         receiver: Receiver) -> None:
    truth = http.get("/sandbox/truth/entities", params={"limit": 400}).json()["items"]
    targets = [e for e in truth if e["email"] and e["email_status"] == "ok"][:30]
    campaign_id = str(uuid.uuid4())
    users = {}
    for n, entity in enumerate(targets):
        prospect_id = str(uuid.UUID(int=n + 1))
        http.post("/messages/email", json={
            "to": entity["email"], "from_name": "InstaBids",
            "reply_to": "r@outreach.instabids.example", "subject": "Hi", "body_text": "Jobs",
            "metadata": {**meta(prospect_id), "campaign_id": campaign_id}},
            headers={**bearer(http, "messaging.send"), "Idempotency-Key": f"m{n}"})
        created = http.post("/users/contractors", json={
            "prospect_id": prospect_id, "business_name": f"Peer Test {n}", "contact_name": None,
            "email": f"owner{n}@peertest{n}.com", "phone": None, "specialties": ["roofing"],
            "region": "us-tx-austin", "state": "TX", "city": "Austin", "invite": False},
            headers={**bearer(http, "users.write"), "Idempotency-Key": f"u{n}"})
        users[created.json()["user_id"]] = prospect_id
    advance(http, 6 * 86_400)

    referrals = [e["data"] for p, e in receiver.events() if e["type"] == "ReferralCreatedEvent"]
    through_campaign = [r for r in referrals if r["campaign_id"] is not None]
    assert 0 < len(through_campaign) < len(users)
    assert {r["campaign_id"] for r in through_campaign} == {campaign_id}
    assert {r["referrer_user_id"] for r in through_campaign} <= set(users)
    assert len({r["referral_id"] for r in through_campaign}) == len(through_campaign)


def test_new_days_bring_projects_referrals_and_demand_changes(http: httpx.Client, receiver: Receiver) -> None:
    advance(http, 20 * 86_400)
    received = receiver.events()
    types = {e["type"] for _, e in received}
    assert {"ProjectCreatedEvent", "ReferralCreatedEvent", "SpecialtyDemandChangedEvent"} <= types
    batches = [body for _, headers, body in receiver.requests if headers["content-type"].endswith("batch+json")]
    assert batches and all(len(json.loads(b)) <= 100 for b in batches)
    referral_ids = {e["data"]["referral_id"] for _, e in received if e["type"] == "ReferralCreatedEvent"}
    records = http.get("/sandbox/truth/records", params={"source": "referral", "limit": 1000}).json()["items"]
    assert referral_ids <= {r["record_id"] for r in records}
    today = http.get("/sandbox/clock").json()["today"]
    trends = http.get("/projects/analytics/trends", params={"since": today, "until": today, "limit": 1000},
                      headers=bearer(http, "projects.read")).json()["items"]
    created_today = [e for _, e in received if e["type"] == "ProjectCreatedEvent"
                     and e["data"]["created_at"].startswith(today)]
    assert sum(t["projects_created"] for t in trends) == len(created_today)


def test_undelivered_events_wait_for_a_webhook_and_failures_are_retried(receiver: Receiver) -> None:
    with start_in_thread(config()) as running, httpx.Client(base_url=running.url, timeout=60) as http:
        first = advance(http, 2 * 86_400)
        assert first["undeliverable"] > 0 and first["delivered"] == 0
        receiver.status = 500
        http.post("/sandbox/config", json={"webhook_url": receiver.url})
        failed = http.post("/sandbox/events/flush").json()
        assert failed["failed"] == first["undeliverable"] and failed["delivered"] == 0
        item = http.get("/sandbox/emitted-events", params={"status": "pending", "limit": 1}).json()["items"][0]
        assert item["attempts"] == 1 and item["last_status_code"] == 500
        receiver.status = 202
        assert http.post("/sandbox/events/flush").json()["delivered"] == first["undeliverable"]
        assert http.get("/sandbox/emitted-events", params={"status": "pending"}).json()["items"] == []


def signed(body: bytes, secret: str = BUS_SECRET, when: datetime | None = None, content_type: str | None = None,
           ) -> dict[str, str]:
    moment = when or datetime.now(tz=UTC)
    message_id = f"msg_{uuid.uuid4().hex}"
    return {"content-type": content_type or "application/cloudevents+json", "webhook-id": message_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": Webhook(secret).sign(message_id, moment, body.decode())}


def ready_event(license_number: str | None, license_state: str | None) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "/instabids/ai-outreach",
            "type": "ContractorReadyForVerificationEvent", "time": "2026-04-06T09:00:00Z",
            "datacontenttype": "application/json",
            "data": {"user_id": str(uuid.uuid4()), "prospect_id": str(uuid.uuid4()), "license_number": license_number,
                     "license_state": license_state, "specialties": ["plumbing"], "region": "us-ca-fresno",
                     "ready_at": "2026-04-06T09:00:00Z"}}


def test_the_bus_accepts_signed_events_and_deduplicates(http: httpx.Client) -> None:
    body = json.dumps(ready_event(None, None)).encode()
    first = http.post("/event-bus/events", content=body, headers=signed(body))
    assert (first.status_code, first.json()) == (202, {"accepted": True, "duplicate": False})
    again = http.post("/event-bus/events", content=body, headers=signed(body))
    assert (again.status_code, again.json()) == (202, {"accepted": True, "duplicate": True})
    listed = http.get("/event-bus/events", params={"type": "ContractorReadyForVerificationEvent"}).json()
    assert [item["event"]["id"] for item in listed["items"]] == [json.loads(body)["id"]]


def test_the_bus_rejects_bad_signatures_invalid_events_and_huge_bodies(http: httpx.Client) -> None:
    body = json.dumps(ready_event(None, None)).encode()
    wrong = http.post("/event-bus/events", content=body, headers=signed(body, default_webhook_secret("MESSAGING")))
    assert wrong.status_code == 401 and wrong.json()["type"].endswith("invalid_signature")
    stale = http.post("/event-bus/events", content=body,
                      headers=signed(body, when=datetime.fromtimestamp(datetime.now(tz=UTC).timestamp() - 600, UTC)))
    assert stale.status_code == 401
    unsigned = http.post("/event-bus/events", content=body, headers={"content-type": "application/cloudevents+json"})
    assert unsigned.status_code == 401
    broken = ready_event(None, None)
    del broken["data"]["region"]
    invalid = json.dumps(broken).encode()
    response = http.post("/event-bus/events", content=invalid, headers=signed(invalid))
    assert response.status_code == 400 and response.json()["type"].endswith("invalid_request")
    huge = json.dumps({**ready_event(None, None), "padding": "x" * (1024 * 1024)}).encode()
    assert http.post("/event-bus/events", content=huge, headers=signed(huge)).status_code == 413


def test_a_batch_reports_each_event(http: httpx.Client) -> None:
    good, bad = ready_event(None, None), ready_event(None, None)
    bad["data"]["specialties"] = []
    body = json.dumps([good, bad]).encode()
    response = http.post("/event-bus/events", content=body,
                         headers=signed(body, content_type="application/cloudevents-batch+json"))
    assert response.status_code == 202
    results = response.json()["results"]
    assert [r["accepted"] for r in results] == [True, False]
    assert results[1]["error"]["type"].endswith("invalid_request")


def test_a_contractor_ready_for_verification_gets_a_verdict(http: httpx.Client, receiver: Receiver) -> None:
    truth = http.get("/sandbox/truth/entities", params={"limit": 1000}).json()["items"]
    active = next(e["license"] for e in truth if e["license"] and e["license"]["status"] == "active"
                  and e["license"]["expires"] > "2026-06-01")
    events = [ready_event(active["number"], active["state"]), ready_event("NOPE-1", "CA"), ready_event(None, None)]
    for event in events:
        body = json.dumps(event).encode()
        assert http.post("/event-bus/events", content=body, headers=signed(body)).status_code == 202
    advance(http, 2 * 86_400)
    verdicts = {e["data"]["user_id"]: e["data"] for p, e in receiver.events()
                if e["type"] == "VerificationCompletedEvent" and p == "/ai-outreach/callbacks/verification-status"}
    outcomes = [verdicts[event["data"]["user_id"]] for event in events]
    assert outcomes[0]["status"] == "verified" and outcomes[0]["reasons"] == []
    assert outcomes[1]["reasons"] == ["license_not_found"]
    assert outcomes[2]["reasons"] == ["license_missing"]


def test_the_clock_moves_only_forward(http: httpx.Client) -> None:
    before = http.get("/sandbox/clock").json()
    assert before["now"].startswith("2026-04-06")
    assert http.post("/sandbox/clock", json={"now": "2026-01-01T00:00:00Z"}).status_code == 400
    assert http.post("/sandbox/clock", json={"advance_seconds": -5}).status_code == 400
    after = http.post("/sandbox/clock", json={"now": "2026-04-10T00:00:00Z"}).json()
    assert after["today"] == "2026-04-10"
