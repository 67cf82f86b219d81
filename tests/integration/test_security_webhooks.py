"""Standard Webhooks vectors on every signed intake path: what a signature binds (body, id, timestamp), the 5-minute
window at its edges, several signatures in one header, and missing headers. Refusals are 401 problems and store
nothing; `test_api_events.py` covers the basic refusals on `/events`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from fixtures.api_server import body_of, example_event, secret_of, signed_headers
from standardwebhooks import Webhook

pytestmark = pytest.mark.integration

PATHS = {
    "/ai-outreach/events": "UserCreatedEvent",
    "/ai-outreach/webhooks/messages/received": "MessageReceivedEvent",
    "/ai-outreach/callbacks/verification-status": "VerificationCompletedEvent",
}
FOREIGN_SECRET = "whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="


def stored(api, event_id: str) -> bool:
    with psycopg.connect(api.database_url) as conn:
        return conn.execute("select count(*) from app.inbox_events where event_id = %s", (event_id,)).fetchone()[0] > 0


def delivery(event_type: str) -> tuple[dict, bytes, dict[str, str]]:
    event = example_event(event_type)
    body = body_of(event)
    return event, body, signed_headers(body, secret_of(event["source"]))


def assert_refused(api, response, event: dict) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "https://errors.instabids.example/invalid_signature"
    assert not stored(api, event["id"])


def assert_accepted(api, response, event: dict) -> None:
    assert response.status_code == 202, response.text
    assert stored(api, event["id"])


@pytest.mark.parametrize("path", PATHS)
def test_a_tampered_body_is_refused_on_every_path(api, client, path) -> None:
    event, body, headers = delivery(PATHS[path])
    tampered = body.replace(event["id"].encode(), event["id"][:-1].encode() + b"0")
    assert tampered != body
    assert_refused(api, client.post(path, content=tampered, headers=headers), event)


@pytest.mark.parametrize("path", PATHS)
def test_a_wrong_secret_is_refused_on_every_path(api, client, path) -> None:
    event, body, _ = delivery(PATHS[path])
    assert_refused(api, client.post(path, content=body, headers=signed_headers(body, FOREIGN_SECRET)), event)


@pytest.mark.parametrize("header", ["webhook-id", "webhook-timestamp"])
def test_the_signature_binds_the_message_id_and_timestamp(api, client, header) -> None:
    event, body, headers = delivery("UserCreatedEvent")
    changed = {"webhook-id": headers["webhook-id"] + "x",
               "webhook-timestamp": str(int(headers["webhook-timestamp"]) - 1)}[header]
    response = client.post("/ai-outreach/events", content=body, headers={**headers, header: changed})
    assert_refused(api, response, event)


@pytest.mark.parametrize(("shift", "accepted"), [
    (timedelta(minutes=-4, seconds=-30), True), (timedelta(minutes=4, seconds=30), True),
    (timedelta(minutes=-5, seconds=-30), False), (timedelta(minutes=5, seconds=30), False),
    (timedelta(days=-365), False), (timedelta(days=365), False),
], ids=["stale-inside", "future-inside", "stale-beyond", "future-beyond", "year-old", "year-ahead"])
def test_timestamps_are_accepted_within_five_minutes_only(api, client, shift, accepted) -> None:
    event = example_event("UserCreatedEvent")
    body = body_of(event)
    headers = signed_headers(body, secret_of(event["source"]), at=datetime.now(tz=UTC) + shift)
    response = client.post("/ai-outreach/events", content=body, headers=headers)
    if accepted:
        assert_accepted(api, response, event)
    else:
        assert_refused(api, response, event)
        assert "tolerance" in response.json()["detail"]


def test_several_signatures_pass_when_one_is_valid(api, client) -> None:
    """Key rotation: the sender signs with the old and the new secret; we know one of them."""
    event, body, headers = delivery("UserCreatedEvent")
    moment = datetime.fromtimestamp(int(headers["webhook-timestamp"]), tz=UTC)
    foreign = Webhook(FOREIGN_SECRET).sign(headers["webhook-id"], moment, body.decode())
    rotated = {**headers, "webhook-signature": f"{foreign} v1a,c2lnbmF0dXJl {headers['webhook-signature']}"}
    assert_accepted(api, client.post("/ai-outreach/events", content=body, headers=rotated), event)


def test_several_signatures_fail_when_none_is_valid(api, client) -> None:
    event, body, headers = delivery("UserCreatedEvent")
    moment = datetime.fromtimestamp(int(headers["webhook-timestamp"]), tz=UTC)
    forged = [Webhook(secret).sign(headers["webhook-id"], moment, body.decode())
              for secret in (FOREIGN_SECRET, secret_of("/instabids/payment"))]
    response = client.post("/ai-outreach/events", content=body, headers={**headers, "webhook-signature": " ".join(
        [*forged, "v1a,c2lnbmF0dXJl", "v2,c2lnbmF0dXJl"])})
    assert_refused(api, response, event)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature", "all"])
def test_missing_headers_are_refused_on_every_path(api, client, path, missing) -> None:
    event, body, headers = delivery(PATHS[path])
    kept = {k: v for k, v in headers.items() if missing not in (k, "all") or k == "content-type"}
    assert_refused(api, client.post(path, content=body, headers=kept), event)
