"""Writes over real HTTP: idempotency, conflicts, messaging rate limits and failure injection."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from integrations.contracts import component_validator
from integrations.sandbox import RunningSandbox, SandboxConfig, start_in_thread

pytestmark = pytest.mark.integration


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_in_thread(SandboxConfig(seed=9, scale=400, auto_deliver=False)) as running:
        yield running


@pytest.fixture
def http(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=30) as client:
        yield client


def bearer(http: httpx.Client, scope: str) -> dict[str, str]:
    response = http.post("/auth/token", data={"grant_type": "client_credentials", "client_id": "ai-outreach",
                                              "client_secret": "sandbox-secret", "scope": scope})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def problem_code(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    component_validator("domains", "Problem").validate(response.json())
    return response.json()["type"].rsplit("/", 1)[-1]


def metadata() -> dict:
    return {"prospect_id": str(uuid.uuid4()), "campaign_id": str(uuid.uuid4()), "template_id": "intro.v1",
            "variant": "a", "correlation_id": str(uuid.uuid4())}


def email(to: str, subject: str = "More jobs in your area") -> dict:
    return {"to": to, "from_name": "InstaBids", "reply_to": "replies@outreach.instabids.example",
            "subject": subject, "body_text": "Hello, we have homeowners looking for you.", "metadata": metadata()}


def entities(http: httpx.Client) -> list[dict]:
    return http.get("/sandbox/truth/entities", params={"limit": 1000}).json()["items"]


def deliverable_emails(http: httpx.Client) -> list[str]:
    return [e["email"] for e in entities(http) if e["email"] and e["email_status"] == "ok"]


def contractor(email_address: str | None = None, phone: str | None = "+16195550199") -> dict:
    return {"prospect_id": str(uuid.uuid4()), "business_name": "Sandbox Test Plumbing", "contact_name": "Pat Doe",
            "email": email_address, "phone": phone, "specialties": ["plumbing"], "region": "us-ca-san-diego",
            "state": "CA", "city": "San Diego", "invite": True}


def test_creating_a_contractor_is_idempotent(http: httpx.Client) -> None:
    headers = {**bearer(http, "users.write"), "Idempotency-Key": "create-1"}
    body = contractor("new.person@example.org")
    first = http.post("/users/contractors", json=body, headers=headers)
    assert first.status_code == 201, first.text
    component_validator("domains", "CreateContractorResponse").validate(first.json())
    assert first.json()["status"] == "invited"
    replay = http.post("/users/contractors", json=body, headers=headers)
    assert (replay.status_code, replay.json()) == (201, first.json())
    reused = http.post("/users/contractors", json={**body, "business_name": "Other"}, headers=headers)
    assert reused.status_code == 422 and problem_code(reused) == "idempotency_key_reused"
    user = http.get(f"/users/{first.json()['user_id']}", headers=bearer(http, "users.read"))
    assert user.json()["email"] == "new.person@example.org"


def test_writes_without_an_idempotency_key_are_bad_requests(http: httpx.Client) -> None:
    response = http.post("/users/contractors", json=contractor("x@example.org"), headers=bearer(http, "users.write"))
    assert response.status_code == 400 and problem_code(response) == "invalid_request"
    response = http.post("/messages/email", json=email("a@example.org"), headers=bearer(http, "messaging.send"))
    assert response.status_code == 400


def test_an_invalid_body_is_a_bad_request(http: httpx.Client) -> None:
    headers = {**bearer(http, "users.write"), "Idempotency-Key": "bad-body"}
    response = http.post("/users/contractors", json={**contractor(), "specialties": []}, headers=headers)
    assert response.status_code == 400 and problem_code(response) == "invalid_request"
    response = http.post("/users/contractors", content=b"{not json", headers=headers)
    assert response.status_code == 400


def test_an_existing_email_or_phone_is_a_conflict(http: httpx.Client) -> None:
    existing = http.get("/users/search", params={"business_name": "a", "limit": 1},
                        headers=bearer(http, "users.read")).json()["items"][0]
    headers = {**bearer(http, "users.write"), "Idempotency-Key": "conflict"}
    response = http.post("/users/contractors", json=contractor(existing["email"], None), headers=headers)
    assert response.status_code == 409 and problem_code(response) == "user_exists"


def test_sending_an_email_is_idempotent_and_reports_rate_limits(http: httpx.Client) -> None:
    address = deliverable_emails(http)[0]
    headers = {**bearer(http, "messaging.send"), "Idempotency-Key": "mail-1"}
    message = email(address)
    first = http.post("/messages/email", json=message, headers=headers)
    assert first.status_code == 202, first.text
    component_validator("domains", "MessageAccepted").validate(first.json())
    assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= set(first.headers)
    replay = http.post("/messages/email", json=message, headers=headers)
    assert replay.json() == first.json()
    assert replay.headers["ratelimit-remaining"] == first.headers["ratelimit-remaining"]  # replays are free
    reused = http.post("/messages/email", json={**message, "subject": "Changed"}, headers=headers)
    assert reused.status_code == 422 and problem_code(reused) == "idempotency_key_reused"
    assert "ratelimit-limit" in reused.headers


def test_bulk_messages_share_the_single_send_key_space(http: httpx.Client) -> None:
    addresses = deliverable_emails(http)[:3]
    headers = bearer(http, "messaging.send")
    single = email(addresses[0])
    sent = http.post("/messages/email", json=single, headers={**headers, "Idempotency-Key": "shared-1"}).json()
    bulk = {"messages": [
        {**single, "channel": "email", "idempotency_key": "shared-1"},
        {**email(addresses[1]), "channel": "email", "idempotency_key": "shared-2"},
        {**email(addresses[2]), "channel": "email", "idempotency_key": "shared-1"},
        {"channel": "email", "idempotency_key": "broken", "to": "nobody"},
    ]}
    response = http.post("/messages/bulk", json=bulk, headers={**headers, "Idempotency-Key": "bulk-1"})
    assert response.status_code == 200, response.text
    component_validator("domains", "BulkResponse").validate(response.json())
    results = response.json()["results"]
    assert results[0] == {"idempotency_key": "shared-1", "message_id": sent["message_id"], "status": "queued",
                          "error": None}
    assert results[1]["status"] == "queued"
    assert results[2]["status"] == "rejected" and results[2]["error"]["type"].endswith("idempotency_key_reused")
    assert results[3]["status"] == "rejected" and results[3]["error"]["type"].endswith("invalid_request")
    retried = http.post("/messages/email", json=email(addresses[1]) | {"metadata": bulk["messages"][1]["metadata"]},
                        headers={**headers, "Idempotency-Key": "shared-2"})
    assert retried.json()["message_id"] == results[1]["message_id"]
    again = http.post("/messages/bulk", json=bulk, headers={**headers, "Idempotency-Key": "bulk-1"})
    assert again.json() == response.json()


def test_undeliverable_recipients_are_rejected(http: httpx.Client) -> None:
    truth = entities(http)
    headers = bearer(http, "messaging.send")
    landline = next(e["phone"] for e in truth if e["phone_type"] == "landline")
    sms = {"to": landline, "body": "Hi from InstaBids", "metadata": metadata()}
    response = http.post("/messages/sms", json=sms, headers={**headers, "Idempotency-Key": "sms-landline"})
    assert response.status_code == 422 and problem_code(response) == "invalid_recipient"
    assert "ratelimit-remaining" in response.headers
    no_mx = next(e["email"] for e in truth if e["email_status"] == "no_mx")
    response = http.post("/messages/email", json=email(no_mx), headers={**headers, "Idempotency-Key": "no-mx"})
    assert response.status_code == 422 and problem_code(response) == "invalid_recipient"


def test_over_the_messaging_limit_is_429_and_a_bulk_is_refused_whole(http: httpx.Client) -> None:
    http.post("/sandbox/config", json={"messaging_rate_limit_per_minute": 3})
    headers = bearer(http, "messaging.send")
    addresses = deliverable_emails(http)[:6]
    for n in range(2):
        ok = http.post("/messages/email", json=email(addresses[n]), headers={**headers, "Idempotency-Key": f"rl-{n}"})
        assert ok.status_code == 202
    assert ok.headers["ratelimit-remaining"] == "1"
    bulk = {"messages": [{**email(a), "channel": "email", "idempotency_key": f"rl-bulk-{a}"} for a in addresses[2:4]]}
    refused = http.post("/messages/bulk", json=bulk, headers={**headers, "Idempotency-Key": "rl-bulk"})
    assert refused.status_code == 429 and problem_code(refused) == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
    assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= set(refused.headers)
    last = http.post("/messages/email", json=email(addresses[4]), headers={**headers, "Idempotency-Key": "rl-4"})
    assert last.status_code == 202 and last.headers["ratelimit-remaining"] == "0"
    over = http.post("/messages/email", json=email(addresses[5]), headers={**headers, "Idempotency-Key": "rl-5"})
    assert over.status_code == 429 and int(over.headers["retry-after"]) >= 1


def test_requests_over_the_per_second_limit_are_429(http: httpx.Client) -> None:
    http.post("/sandbox/config", json={"rate_limit_per_second": 1})
    headers = bearer(http, "labor.read")
    statuses = [http.get("/labor-marketplace/analytics/coverage", headers=headers).status_code for _ in range(4)]
    assert 429 in statuses
    limited = http.get("/labor-marketplace/analytics/coverage", headers=headers)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


def test_injected_failures_are_503_with_retry_after(http: httpx.Client) -> None:
    headers = bearer(http, "social.read")
    assert http.post("/sandbox/config", json={"failure_rate": 1.0}).json()["failure_rate"] == 1.0
    response = http.get("/social/network/contractors", headers=headers)
    assert response.status_code == 503 and problem_code(response) == "service_unavailable"
    assert response.headers["retry-after"] == "1"
    assert http.get("/sandbox/health").status_code == 200  # sandbox endpoints are never failed
    http.post("/sandbox/config", json={"failure_rate": 0.0})
    assert http.get("/social/network/contractors", headers=headers).status_code == 200


def test_a_failed_write_is_retried_with_the_same_key(http: httpx.Client) -> None:
    headers = {**bearer(http, "users.write"), "Idempotency-Key": "after-outage"}
    body = contractor("after.outage@example.org", None)
    http.post("/sandbox/config", json={"failure_rate": 1.0})
    assert http.post("/users/contractors", json=body, headers=headers).status_code == 503
    http.post("/sandbox/config", json={"failure_rate": 0.0})
    assert http.post("/users/contractors", json=body, headers=headers).status_code == 201


def test_invalid_settings_are_rejected(http: httpx.Client) -> None:
    assert http.post("/sandbox/config", json={"failure_rate": 2}).status_code == 400
    assert http.post("/sandbox/config", json={"colour": "red"}).status_code == 400
    assert http.get("/sandbox/config").json()["failure_rate"] == 0.0


def test_issuing_an_incentive_is_idempotent_and_checks_the_recipient(http: httpx.Client) -> None:
    user = http.get("/users/search", params={"business_name": "a", "limit": 1},
                    headers=bearer(http, "users.read")).json()["items"][0]
    body = {"recipient_user_id": user["id"], "prospect_id": str(uuid.uuid4()), "campaign_id": str(uuid.uuid4()),
            "kind": "signup_credit", "amount_cents": 5000, "currency": "USD"}
    headers = {**bearer(http, "payment.write"), "Idempotency-Key": "incentive-1"}
    first = http.post("/payment/incentives/issue", json=body, headers=headers)
    assert first.status_code == 201 and first.json()["status"] == "pending"
    assert http.post("/payment/incentives/issue", json=body, headers=headers).json() == first.json()
    missing = {**body, "recipient_user_id": str(uuid.uuid4())}
    response = http.post("/payment/incentives/issue", json=missing,
                         headers={**headers, "Idempotency-Key": "incentive-2"})
    assert response.status_code == 404 and problem_code(response) == "not_found"
    status = http.get(f"/payment/incentives/status/{first.json()['incentive_id']}",
                      headers=bearer(http, "payment.read"))
    component_validator("domains", "IncentiveStatusResponse").validate(status.json())
    assert status.json()["status"] == "pending"


def test_injected_latency_delays_domain_requests_only(http: httpx.Client) -> None:
    headers = bearer(http, "social.read")
    http.post("/sandbox/config", json={"latency_ms": 300})
    slow = http.get("/social/network/contractors", params={"limit": 1}, headers=headers)
    fast = http.get("/sandbox/health")
    http.post("/sandbox/config", json={"latency_ms": 0})
    assert slow.elapsed.total_seconds() >= 0.3
    assert fast.elapsed.total_seconds() < 0.3
