"""The per-domain clients: each method calls the contract's path with its parameters and scope, sends bodies
that validate against the contract's schemas, and returns raw pages or wire models."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fixtures.scripted_domains import CLIENT_ID, CLIENT_SECRET, FakeTime, Reply, ScriptedDomains, build, page, problem
from pydantic import ValidationError

from integrations.contracts import component_validator
from integrations.instabids import (
    DOMAINS,
    IdempotencyKeyReused,
    InstaBidsClients,
    InvalidRecipient,
    Suppressed,
    UserExists,
)
from integrations.instabids.auth import SERVICE_SCOPES
from integrations.instabids.wire import (
    BulkEmailMessage,
    BulkSmsMessage,
    CreateContractorRequest,
    EmailMessage,
    IssueIncentiveRequest,
    MessageMetadata,
    SmsMessage,
)
from outreach.domain_clients import build_clients
from outreach.settings import DOMAINS as SETTINGS_DOMAINS
from outreach.settings import Settings


@pytest.fixture
def clients(domains: ScriptedDomains) -> Iterator[InstaBidsClients]:
    domains.reset()
    with build(domains, FakeTime()) as bundle:
        yield bundle


def assert_valid(component: str, body: Any) -> None:
    errors = [e.message for e in component_validator("domains", component).iter_errors(body)]
    assert errors == []


def metadata() -> MessageMetadata:
    ids = {name: uuid.uuid4() for name in ("prospect_id", "campaign_id", "correlation_id")}
    return MessageMetadata(template_id="intro.v1", variant="b", **ids)


def email(**extra: Any) -> dict[str, Any]:
    return {
        "to": "jane@roofs.example",
        "from_name": "InstaBids",
        "reply_to": "replies@in.instabids.example",
        "subject": "Projects near you",
        "body_text": "Hello Jane",
        "metadata": metadata(),
        **extra,
    }


def sms() -> dict[str, Any]:
    return {"to": "+16195550142", "body": "Hi Jane, projects near you: reply YES", "metadata": metadata()}


def contractor(**changes: Any) -> CreateContractorRequest:
    fields = {
        "prospect_id": uuid.uuid4(),
        "business_name": "Jane's Roofing",
        "contact_name": None,
        "email": "jane@roofs.example",
        "phone": None,
        "specialties": ["roofing", "handyman"],
        "region": "us-ca-san-diego",
        "state": "CA",
        "city": "San Diego",
        "invite": True,
    }
    return CreateContractorRequest(**(fields | changes))


# --- list endpoints -------------------------------------------------------------------------------------------

LISTS: list[tuple[str, Callable[[InstaBidsClients], Iterator[list[dict]]], str, dict[str, str]]] = [
    (
        "trends",
        lambda c: c.projects.trends(date(2024, 5, 1), date(2024, 5, 31)),
        "/projects/analytics/trends",
        {"since": "2024-05-01", "until": "2024-05-31"},
    ),
    (
        "demand",
        lambda c: c.projects.demand(datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
        "/projects/analytics/demand",
        {"as_of": "2024-05-01T12:30:00Z"},
    ),
    (
        "projects",
        lambda c: c.projects.list_projects(status="open", specialty="plumbing", region="us-ca-san-diego"),
        "/projects",
        {"status": "open", "specialty": "plumbing", "region": "us-ca-san-diego"},
    ),
    ("projects-unfiltered", lambda c: c.projects.list_projects(), "/projects", {}),
    ("regional-needs", lambda c: c.projects.regional_needs(), "/projects/analytics/regional-needs", {}),
    ("coverage", lambda c: c.labor.coverage(), "/labor-marketplace/analytics/coverage", {}),
    ("gaps", lambda c: c.labor.regional_gaps(), "/labor-marketplace/analytics/regional-gaps", {}),
    (
        "average-value",
        lambda c: c.payment.average_project_value(specialty="solar", region="us-tx-austin"),
        "/payment/analytics/average-project-value",
        {"specialty": "solar", "region": "us-tx-austin"},
    ),
    ("payment-trends", lambda c: c.payment.payment_trends(), "/payment/analytics/payment-trends", {}),
    ("network", lambda c: c.social.network_contractors(), "/social/network/contractors", {}),
    ("potential", lambda c: c.social.potential_contractors(), "/social/connections/potential-contractors", {}),
    (
        "user-search",
        lambda c: c.users.search(business_name="roofing"),
        "/users/search",
        {"business_name": "roofing"},
    ),
]


@pytest.mark.parametrize(("call", "path", "params"), [case[1:] for case in LISTS], ids=[case[0] for case in LISTS])
def test_list_methods_page_their_endpoint_and_return_raw_items(clients, domains, call, path, params) -> None:
    item = {"as": "received", "email": "Jane@Example.COM "}
    domains.script("GET", path, page([item], "next"), page([]))
    assert list(call(clients)) == [[item], []]
    first, second = domains.calls(path)
    assert first.query == params | {"limit": "1000"}
    assert second.query == params | {"limit": "1000", "page_token": "next"}


def test_generic_paging_by_domain_and_path_serves_ingestion(clients, domains) -> None:
    domains.script("GET", "/projects", page([{"id": 1}]))
    pages = clients.iter_pages("project_management", "/projects", {"status": "open"}, limit=50)
    assert list(pages) == [[{"id": 1}]]
    assert domains.calls("/projects")[0].query == {"status": "open", "limit": "50"}


def test_each_service_gets_a_token_with_its_own_scopes(clients, domains) -> None:
    for _, call, path, _ in LISTS:
        domains.script("GET", path, page([]))
        list(call(clients))
    assert sorted(r["scope"] for r in domains.token_requests) == sorted(
        " ".join(scopes) for audience, scopes in SERVICE_SCOPES.items() if audience != "messaging"
    )


def test_user_search_needs_a_filter(clients) -> None:
    with pytest.raises(ValueError, match="at least one"):
        clients.users.search()


def test_a_naive_as_of_is_refused(clients) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        clients.projects.demand(datetime(2024, 5, 1))


def test_an_unknown_domain_is_refused(clients) -> None:
    with pytest.raises(ValueError, match="unknown domain"):
        clients.for_domain("billing")


# --- users ----------------------------------------------------------------------------------------------------


def test_get_user_returns_the_user(clients, domains) -> None:
    user_id = uuid.uuid4()
    body = {
        "id": str(user_id),
        "role": "contractor",
        "email": None,
        "phone": "+16195550142",
        "business_name": "Jane's Roofing",
        "created_at": "2024-05-01T12:00:00Z",
    }
    domains.script("GET", f"/users/{user_id}", Reply(200, body))
    user = clients.users.get_user(str(user_id))
    assert (user.id, user.role, user.phone) == (user_id, "contractor", "+16195550142")


def test_an_id_that_is_not_a_uuid_never_reaches_a_path(clients) -> None:
    with pytest.raises(ValueError):
        clients.users.get_user("../auth/token")


def test_create_contractor_sends_the_contract_body_and_returns_the_account(clients, domains) -> None:
    user_id = uuid.uuid4()
    domains.script("POST", "/users/contractors", Reply(201, {"user_id": str(user_id), "status": "invited"}))
    created = clients.users.create_contractor(contractor(), "convert:p1")
    assert (created.user_id, created.status) == (user_id, "invited")
    (sent,) = domains.calls("/users/contractors")
    assert_valid("CreateContractorRequest", sent.json())
    assert sent.json()["phone"] is None and sent.json()["contact_name"] is None  # required fields, sent as null
    assert sent.headers["idempotency-key"] == "convert:p1"


def test_an_existing_user_is_a_user_exists_error(clients, domains) -> None:
    domains.script("POST", "/users/contractors", problem("user_exists", 409))
    with pytest.raises(UserExists):
        clients.users.create_contractor(contractor(), "convert:p1")


def test_a_contractor_without_email_or_phone_is_refused_by_the_model() -> None:
    with pytest.raises(ValidationError, match="at least one of email and phone"):
        contractor(email=None)


# --- messaging ------------------------------------------------------------------------------------------------


def test_send_email_leaves_out_unset_optional_fields(clients, domains) -> None:
    message_id = uuid.uuid4()
    domains.script("POST", "/messages/email", Reply(202, {"message_id": str(message_id), "status": "queued"}))
    accepted = clients.messaging.send_email(EmailMessage(**email()), "send:p1:c1:1")
    assert accepted.message_id == message_id
    body = domains.calls("/messages/email")[0].json()
    assert_valid("EmailMessage", body)
    assert "body_html" not in body and "headers" not in body


def test_send_email_with_unsubscribe_headers_matches_the_contract(clients, domains) -> None:
    headers = {
        "List-Unsubscribe": "<https://outreach.instabids.example/u/t0k3n>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Campaign": "spring",
    }
    domains.script("POST", "/messages/email", Reply(202, {"message_id": str(uuid.uuid4()), "status": "queued"}))
    clients.messaging.send_email(EmailMessage(**email(body_html="<p>Hello Jane</p>", headers=headers)), "k")
    assert_valid("EmailMessage", domains.calls("/messages/email")[0].json())


def test_email_headers_outside_the_allowed_set_are_refused() -> None:
    with pytest.raises(ValidationError, match="not accepted"):
        EmailMessage(**email(headers={"Bcc": "someone@example.com"}))


@pytest.mark.parametrize(("code", "error"), [("suppressed", Suppressed), ("invalid_recipient", InvalidRecipient)])
def test_a_refused_sms_raises_its_reason(clients, domains, code, error) -> None:
    domains.script("POST", "/messages/sms", problem(code, 422))
    with pytest.raises(error):
        clients.messaging.send_sms(SmsMessage(**sms()), "send:p1:c1:2")
    assert_valid("SmsMessage", domains.calls("/messages/sms")[0].json())


def test_send_bulk_returns_one_result_per_message_including_rejections(clients, domains) -> None:
    queued_id = uuid.uuid4()
    results = [
        {"idempotency_key": "k1", "message_id": str(queued_id), "status": "queued", "error": None},
        {
            "idempotency_key": "k2",
            "message_id": None,
            "status": "rejected",
            "error": problem("suppressed", 422).body,
        },
    ]
    domains.script("POST", "/messages/bulk", Reply(200, {"results": results}))
    messages = [BulkEmailMessage(**email(), idempotency_key="k1"), BulkSmsMessage(**sms(), idempotency_key="k2")]
    first, second = clients.messaging.send_bulk(messages, "batch:c1:2024-05-01:0")
    assert (first.status, first.message_id, first.error) == ("queued", queued_id, None)
    assert (second.status, second.message_id, second.error.code) == ("rejected", None, "suppressed")
    (sent,) = domains.calls("/messages/bulk")
    assert_valid("BulkRequest", sent.json())
    assert [m["channel"] for m in sent.json()["messages"]] == ["email", "sms"]


def test_a_bulk_that_does_not_fit_the_rate_window_waits_for_the_reset(domains) -> None:
    domains.reset()
    window = {"RateLimit-Limit": "100", "RateLimit-Remaining": "3", "RateLimit-Reset": "20"}
    queued = {"message_id": str(uuid.uuid4()), "status": "queued"}
    result = {"idempotency_key": "k", "message_id": str(uuid.uuid4()), "status": "queued", "error": None}
    domains.script("POST", "/messages/email", Reply(202, queued, window))
    domains.script("POST", "/messages/bulk", Reply(200, {"results": [result] * 5}))
    fake_time = FakeTime()
    with build(domains, fake_time) as clients:
        clients.messaging.send_email(EmailMessage(**email()), "k0")
        clients.messaging.send_bulk([BulkSmsMessage(**sms(), idempotency_key=f"k{i}") for i in range(5)], "batch")
    assert fake_time.sleeps == [20.0]  # 5 messages > 3 remaining: Messaging would refuse the whole batch


def test_a_bulk_of_more_than_500_is_refused_before_sending(clients, domains) -> None:
    messages = [BulkSmsMessage(**sms(), idempotency_key=f"k{i}") for i in range(501)]
    with pytest.raises(ValidationError):
        clients.messaging.send_bulk(messages, "batch")
    assert domains.calls("/messages/bulk") == []


# --- payment --------------------------------------------------------------------------------------------------


def incentive() -> IssueIncentiveRequest:
    return IssueIncentiveRequest(
        recipient_user_id=uuid.uuid4(),
        prospect_id=uuid.uuid4(),
        campaign_id=uuid.uuid4(),
        kind="signup_credit",
        amount_cents=5000,
        currency="USD",
    )


def test_issue_incentive_returns_the_pending_incentive(clients, domains) -> None:
    incentive_id = uuid.uuid4()
    domains.script(
        "POST", "/payment/incentives/issue", Reply(201, {"incentive_id": str(incentive_id), "status": "pending"})
    )
    created = clients.payment.issue_incentive(incentive(), "incentive:p1:signup")
    assert (created.incentive_id, created.status) == (incentive_id, "pending")
    assert_valid("IssueIncentiveRequest", domains.calls("/payment/incentives/issue")[0].json())


def test_a_reused_idempotency_key_is_its_own_error(clients, domains) -> None:
    domains.script("POST", "/payment/incentives/issue", problem("idempotency_key_reused", 422))
    with pytest.raises(IdempotencyKeyReused):
        clients.payment.issue_incentive(incentive(), "incentive:p1:signup")


def test_incentive_status(clients, domains) -> None:
    incentive_id = uuid.uuid4()
    body = {"incentive_id": str(incentive_id), "status": "issued", "updated_at": "2024-05-02T08:00:00Z"}
    domains.script("GET", f"/payment/incentives/status/{incentive_id}", Reply(200, body))
    status = clients.payment.incentive_status(incentive_id)
    assert (status.status, status.updated_at) == ("issued", datetime(2024, 5, 2, 8, tzinfo=UTC))


# --- building -------------------------------------------------------------------------------------------------


def test_the_adapter_knows_the_same_domains_as_the_settings() -> None:
    assert DOMAINS == SETTINGS_DOMAINS


def test_building_needs_a_url_for_every_domain() -> None:
    with pytest.raises(ValueError, match="payment"):
        InstaBidsClients.build({d: "http://x" for d in DOMAINS if d != "payment"}, CLIENT_ID, CLIENT_SECRET)


def test_build_clients_from_settings(domains, tmp_path) -> None:
    domains.reset()
    urls = {f"INSTABIDS_{d.upper()}_URL": domains.url for d in DOMAINS}
    settings = Settings(
        OUTREACH_STATE_DIR=tmp_path, INSTABIDS_CLIENT_ID="outreach-test", INSTABIDS_CLIENT_SECRET=CLIENT_SECRET, **urls
    )
    domains.script("GET", "/social/network/contractors", page([{"user_id": "u"}]))
    with build_clients(settings) as clients:
        assert list(clients.social.network_contractors()) == [[{"user_id": "u"}]]
    assert domains.token_requests[0]["client_id"] == "outreach-test"
