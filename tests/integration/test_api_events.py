"""Signed CloudEvent intake: stored once in app.inbox_events (encrypted), duplicates acknowledged without effect,
and every bad delivery refused in the contract's order (413, 401, 400) with nothing stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from fixtures.api_server import body_of, example_event, secret_of, signed_headers

from integrations.contracts import component_validator
from outreach.events.inbox import DATA_CONTEXT

pytestmark = pytest.mark.integration

EVENTS = "/ai-outreach/events"
MESSAGES = "/ai-outreach/webhooks/messages/received"
VERIFICATION = "/ai-outreach/callbacks/verification-status"
BATCH = "application/cloudevents-batch+json"


def stored(api, event_id: str) -> int:
    import psycopg

    with psycopg.connect(api.database_url) as conn:
        return conn.execute("select count(*) from app.inbox_events where event_id = %s", (event_id,)).fetchone()[0]


def post(client, path: str, payload, source: str | None = None, **sign):
    body = payload if isinstance(payload, bytes) else body_of(payload)
    source = source or (payload[0] if isinstance(payload, list) else payload)["source"]
    return client.post(path, content=body, headers=signed_headers(body, secret_of(source), **sign))


@pytest.fixture
def nothing_stored(api) -> Iterator[None]:
    """The test leaves the inbox as it found it (whatever the refused body claimed its id was)."""
    import psycopg

    def total() -> int:
        with psycopg.connect(api.database_url) as conn:
            return conn.execute("select count(*) from app.inbox_events").fetchone()[0]

    before = total()
    yield
    assert total() == before


def test_an_event_is_stored_encrypted_and_acknowledged(api, client) -> None:
    event = example_event("UserCreatedEvent", traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01")
    response = post(client, EVENTS, event)
    assert response.status_code == 202
    assert response.json() == {"results": [
        {"id": event["id"], "source": event["source"], "accepted": True, "duplicate": False, "error": None}]}
    assert component_validator("ai-outreach", "EventResults").is_valid(response.json())
    import psycopg

    with psycopg.connect(api.database_url) as conn:
        row = conn.execute("select source, type, subject, occurred_at, data_enc, traceparent "
                           "from app.inbox_events where event_id = %s", (event["id"],)).fetchone()
    source, kind, subject, occurred_at, data_enc, traceparent = row
    assert (source, kind, subject, traceparent) == (event["source"], event["type"], event.get("subject"),
                                                     event["traceparent"])
    assert occurred_at == datetime.fromisoformat(event["time"])
    assert event["data"]["email"].encode() not in bytes(data_enc)
    assert json.loads(api.cipher.decrypt(data_enc, DATA_CONTEXT)) == event["data"]


def test_the_same_event_again_is_a_duplicate_without_side_effect(api, client) -> None:
    event = example_event("ProjectCreatedEvent")
    assert post(client, EVENTS, event).json()["results"][0]["duplicate"] is False
    again = post(client, EVENTS, event)
    assert again.status_code == 202
    assert again.json()["results"][0]["duplicate"] is True
    assert stored(api, event["id"]) == 1


def test_three_concurrent_deliveries_store_the_event_once(api) -> None:
    event = example_event("MessageReceivedEvent")

    def deliver(_: int):
        with api.client() as http:
            return post(http, MESSAGES, event)

    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(deliver, range(3)))
    assert [a.status_code for a in answers] == [202, 202, 202]
    assert sorted(a.json()["duplicate"] for a in answers) == [False, True, True]
    assert all(a.json()["accepted"] is True for a in answers)
    assert stored(api, event["id"]) == 1


@pytest.mark.parametrize(("path", "event_type"), [
    (MESSAGES, "MessageReceivedEvent"), (MESSAGES, "MessageStatusUpdatedEvent"),
    (VERIFICATION, "VerificationCompletedEvent"),
])
def test_webhook_paths_acknowledge_their_types(api, client, path, event_type) -> None:
    event = example_event(event_type)
    response = post(client, path, event)
    assert response.status_code == 202
    assert response.json() == {"accepted": True, "duplicate": False}
    assert component_validator("ai-outreach", "WebhookAck").is_valid(response.json())
    assert stored(api, event["id"]) == 1


@pytest.mark.parametrize(("path", "event_type"), [
    (MESSAGES, "UserCreatedEvent"), (VERIFICATION, "MessageReceivedEvent"),
])
def test_a_webhook_path_refuses_other_types(nothing_stored, api, client, path, event_type) -> None:
    event = example_event(event_type)
    response = post(client, path, event)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert stored(api, event["id"]) == 0


def test_a_batch_stores_valid_events_and_reports_invalid_ones_in_order(api, client) -> None:
    good = example_event("ProjectCreatedEvent")
    bad = example_event("SpecialtyDemandChangedEvent", data={"nope": 1})
    repeated = example_event("SpecialtyDemandChangedEvent")
    batch = [good, bad, repeated, repeated, "not an event"]
    response = post(client, EVENTS, batch, content_type=BATCH)
    assert response.status_code == 202
    body = response.json()
    assert component_validator("ai-outreach", "EventResults").is_valid(body)
    results = body["results"]
    assert [(r["id"], r["accepted"], r["duplicate"]) for r in results] == [
        (good["id"], True, False), (bad["id"], False, False), (repeated["id"], True, False),
        (repeated["id"], True, True), (None, False, False)]
    assert results[1]["error"]["type"] == "https://errors.instabids.example/invalid_request"
    assert (stored(api, good["id"]), stored(api, bad["id"]), stored(api, repeated["id"])) == (1, 0, 1)


def test_a_sandbox_delivers_its_events_to_us(api) -> None:
    """A sandbox of its own (its clock moves forward only, so the session's sandbox is left alone)."""
    import httpx

    from integrations.sandbox.config import SandboxConfig
    from integrations.sandbox.server import start_in_thread

    config = SandboxConfig(scale=100, seed=5, webhook_url=api.url, auto_deliver=False)
    with start_in_thread(config) as own, httpx.Client(base_url=own.url, timeout=30) as sandbox_admin:
        sandbox_admin.post("/sandbox/clock", json={"advance_seconds": 3 * 86400})
        outcome = sandbox_admin.post("/sandbox/events/flush").json()
    assert outcome["delivered"] > 0
    assert outcome["failed"] == 0


# -- refusals: nothing is stored ---------------------------------------------------------------------------------


def _refused(api, response, status: int, code: str, event_id: str | None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"https://errors.instabids.example/{code}"
    if event_id and "\x00" not in event_id:
        assert stored(api, event_id) == 0


def test_a_tampered_body_is_refused(nothing_stored, api, client) -> None:
    event = example_event("UserCreatedEvent")
    headers = signed_headers(body_of(event), secret_of(event["source"]))
    tampered = body_of({**event, "subject": "00000000-0000-4000-8000-000000000000"})
    _refused(api, client.post(EVENTS, content=tampered, headers=headers), 401, "invalid_signature", event["id"])


def test_another_domains_secret_is_refused(nothing_stored, api, client) -> None:
    event = example_event("UserCreatedEvent")
    body = body_of(event)
    response = client.post(EVENTS, content=body, headers=signed_headers(body, secret_of("/instabids/payment")))
    _refused(api, response, 401, "invalid_signature", event["id"])


def test_an_unknown_secret_is_refused(nothing_stored, api, client) -> None:
    event = example_event("UserCreatedEvent")
    body = body_of(event)
    response = client.post(EVENTS, content=body, headers=signed_headers(body, "whsec_" + "QUFBQUFBQUFBQUFBQUFBQQ=="))
    _refused(api, response, 401, "invalid_signature", event["id"])


@pytest.mark.parametrize("shift", [timedelta(minutes=-6), timedelta(minutes=6)], ids=["stale", "future"])
def test_a_timestamp_beyond_five_minutes_is_refused(nothing_stored, api, client, shift) -> None:
    event = example_event("UserCreatedEvent")
    response = post(client, EVENTS, event, at=datetime.now(tz=UTC) + shift)
    _refused(api, response, 401, "invalid_signature", event["id"])


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_signature_header_is_refused(nothing_stored, api, client, missing) -> None:
    event = example_event("UserCreatedEvent")
    body = body_of(event)
    headers = signed_headers(body, secret_of(event["source"]))
    del headers[missing]
    _refused(api, client.post(EVENTS, content=body, headers=headers), 401, "invalid_signature", event["id"])


def test_malformed_json_is_refused_after_the_signature(nothing_stored, client, api) -> None:
    body = b'{"specversion": "1.0", "id": '
    response = client.post(EVENTS, content=body, headers=signed_headers(body, secret_of("/instabids/social")))
    _refused(api, response, 400, "invalid_request", None)


@pytest.mark.parametrize("change", [
    {"specversion": "0.3"}, {"time": "2025-13-40T25:00:00Z"}, {"data": {"user_id": "x"}},
    {"type": "ProspectScoredEvent"}, {"source": "/instabids/user-management", "type": "ProjectCreatedEvent"},
    {"id": "nul\u0000id"},
], ids=["specversion", "time", "data", "published-type", "wrong-publisher", "nul"])
def test_an_event_breaking_the_contract_is_refused(nothing_stored, api, client, change) -> None:
    event = example_event("UserCreatedEvent")
    event.update(change)
    response = post(client, EVENTS, event, source="/instabids/user-management")
    _refused(api, response, 400, "invalid_request", event["id"])


@pytest.mark.parametrize("path", [EVENTS, MESSAGES])
def test_a_body_over_one_mib_is_refused_before_anything_else(nothing_stored, api, client, path) -> None:
    event = example_event("UserCreatedEvent")
    event["padding"] = "x" * (1024 * 1024)
    response = client.post(path, content=body_of(event), headers={"content-type": "application/cloudevents+json"})
    _refused(api, response, 413, "payload_too_large", event["id"])


def test_a_streamed_body_over_one_mib_is_refused(nothing_stored, api, client) -> None:
    def chunks():
        for _ in range(17):
            yield b"x" * 65536

    response = client.post(EVENTS, content=chunks(), headers={"content-type": "application/cloudevents+json"})
    _refused(api, response, 413, "payload_too_large", None)


def test_a_batch_signed_by_one_domain_may_not_carry_another_domains_event(nothing_stored, api, client) -> None:
    ours, theirs = example_event("ProjectCreatedEvent"), example_event("UserCreatedEvent")
    response = post(client, EVENTS, [ours, theirs], source=ours["source"], content_type=BATCH)
    _refused(api, response, 401, "invalid_signature", ours["id"])


@pytest.mark.parametrize("payload", [[], {"not": "a list"}], ids=["empty", "object"])
def test_a_malformed_batch_is_refused(nothing_stored, api, client, payload) -> None:
    body = body_of(payload)
    headers = signed_headers(body, secret_of("/instabids/social"), content_type=BATCH)
    _refused(api, client.post(EVENTS, content=body, headers=headers), 400, "invalid_request", None)
