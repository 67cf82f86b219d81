"""The shared HTTP layer of the InstaBids clients, over real HTTP against a scripted stand-in on 127.0.0.1.

`ScriptedDomains` issues tokens at `/auth/token`, refuses requests whose token is unknown or for another service,
and answers each path with the replies a test scripted. Sleeps go to `FakeTime`, so no test waits for a retry.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from fixtures.scripted_domains import (
    CLIENT_ID,
    CLIENT_SECRET,
    FakeTime,
    Reply,
    ScriptedDomains,
    build,
    page,
    problem,
)
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from integrations.instabids import (
    DOMAINS,
    CircuitOpen,
    InstaBidsClients,
    NotFound,
    ProblemError,
    RetriesExhausted,
    Unauthorized,
    correlation_scope,
)
from integrations.instabids.wire import EmailMessage, MessageMetadata


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def clients(domains: ScriptedDomains, fake_time: FakeTime) -> Iterator[InstaBidsClients]:
    domains.reset()
    with build(domains, fake_time) as bundle:
        yield bundle


COVERAGE = "/labor-marketplace/analytics/coverage"
GAPS = "/labor-marketplace/analytics/regional-gaps"
EMAIL = "/messages/email"


def email() -> EmailMessage:
    ids = {name: uuid.uuid4() for name in ("prospect_id", "campaign_id", "correlation_id")}
    return EmailMessage(
        to="jane@roofs.example",
        from_name="InstaBids",
        reply_to="replies@in.instabids.example",
        subject="Projects near you",
        body_text="Hello Jane",
        metadata=MessageMetadata(template_id="intro.v1", variant="a", **ids),
    )


def queued() -> Reply:
    return Reply(202, {"message_id": str(uuid.uuid4()), "status": "queued"})


# --- retries --------------------------------------------------------------------------------------------------


def test_429_and_503_are_retried_after_the_retry_after_seconds(clients, domains, fake_time) -> None:
    domains.script("GET", COVERAGE, problem("rate_limited", 429, **{"Retry-After": "7"}))
    domains.script("GET", COVERAGE, problem("service_unavailable", 503, **{"Retry-After": "2"}), page([{"a": 1}]))
    assert list(clients.labor.coverage()) == [[{"a": 1}]]
    assert fake_time.sleeps == [7.0, 2.0]
    assert len(domains.calls(COVERAGE)) == 3


def test_without_retry_after_the_backoff_is_exponential_with_full_jitter(clients, domains, fake_time) -> None:
    domains.script("GET", COVERAGE, problem("service_unavailable", 503), Reply(500, None), page([]))
    list(clients.labor.coverage())
    first, second = fake_time.sleeps
    assert 0 <= first <= 0.5
    assert 0 <= second <= 1.0


def test_a_timeout_is_retried(domains, fake_time) -> None:
    domains.reset()
    domains.script("GET", COVERAGE, Reply(200, {"items": [], "next_page_token": None}, delay=0.4), page([{"a": 1}]))
    with build(domains, fake_time, timeout=0.1) as clients:
        assert list(clients.labor.coverage()) == [[{"a": 1}]]
    assert len(fake_time.sleeps) == 1
    assert len(domains.calls(COVERAGE)) == 2


def test_connection_errors_are_retried_then_reported(domains, fake_time) -> None:
    domains.reset()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with (
        build(domains, fake_time, base_urls={"labor_marketplace": dead}) as clients,
        pytest.raises(RetriesExhausted) as caught,
    ):
        list(clients.labor.coverage())
    assert (caught.value.attempts, caught.value.status) == (4, None)
    assert len(fake_time.sleeps) == 3


def test_after_the_last_attempt_retries_exhausted_carries_the_last_problem(clients, domains, fake_time) -> None:
    domains.script("GET", COVERAGE, *[problem("service_unavailable", 503, **{"Retry-After": "1"})] * 4)
    with pytest.raises(RetriesExhausted) as caught:
        list(clients.labor.coverage())
    error = caught.value
    assert (error.attempts, error.status, error.problem.code) == (4, 503, "service_unavailable")
    assert fake_time.sleeps == [1.0, 1.0, 1.0]


def test_a_write_is_retried_with_the_same_idempotency_key_and_body(clients, domains) -> None:
    domains.script(
        "POST", EMAIL, problem("service_unavailable", 503), problem("rate_limited", 429, **{"Retry-After": "1"})
    )
    domains.script("POST", EMAIL, queued())
    clients.messaging.send_email(email(), "send:p1:c1:step1")
    sent = domains.calls(EMAIL)
    assert [r.headers["idempotency-key"] for r in sent] == ["send:p1:c1:step1"] * 3
    assert len({r.body for r in sent}) == 1


@pytest.mark.parametrize("key", ["", None])
def test_a_write_without_idempotency_key_is_refused_before_sending(clients, domains, key) -> None:
    with pytest.raises(ValueError, match="Idempotency-Key"):
        clients.messaging.send_email(email(), key)
    assert domains.calls(EMAIL) == []


# --- auth -----------------------------------------------------------------------------------------------------


def test_one_token_per_service_is_fetched_once_and_reused(clients, domains) -> None:
    domains.script("GET", COVERAGE, page([]), page([]))
    domains.script("GET", "/projects/analytics/regional-needs", page([]))
    list(clients.labor.coverage())
    list(clients.labor.coverage())
    list(clients.projects.regional_needs())
    assert domains.token_requests == [
        {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "scope": s}
        for s in ("labor.read", "projects.read")
    ]
    tokens = {r.headers["authorization"] for r in domains.calls(COVERAGE)}
    assert len(tokens) == 1


def test_concurrent_callers_share_one_token_fetch(clients, domains) -> None:
    domains.script("GET", COVERAGE, *[page([])] * 8)
    threads = [threading.Thread(target=lambda: list(clients.labor.coverage())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(domains.calls(COVERAGE)) == 8
    assert len(domains.token_requests) == 1


def test_a_token_is_refreshed_before_it_expires(clients, domains, fake_time) -> None:
    domains.expires_in = 120  # refreshed 60 s before expiry
    domains.script("GET", COVERAGE, page([]), page([]), page([]))
    list(clients.labor.coverage())
    fake_time.now += 59
    list(clients.labor.coverage())
    fake_time.now += 2
    list(clients.labor.coverage())
    assert len(domains.token_requests) == 2
    first, second, third = (r.headers["authorization"] for r in domains.calls(COVERAGE))
    assert first == second != third


def test_a_refused_token_is_replaced_once(clients, domains, fake_time) -> None:
    domains.script("GET", COVERAGE, page([]), page([{"a": 1}]))
    list(clients.labor.coverage())
    domains.revoke_tokens()
    assert list(clients.labor.coverage()) == [[{"a": 1}]]
    assert len(domains.calls(COVERAGE)) == 3  # ok, refused, ok with the new token
    assert (len(domains.token_requests), fake_time.sleeps) == (2, [])


def test_a_second_401_is_an_unauthorized_error(clients, domains) -> None:
    domains.script("GET", COVERAGE, problem("unauthorized", 401), problem("unauthorized", 401))
    with pytest.raises(Unauthorized):
        list(clients.labor.coverage())
    assert len(domains.calls(COVERAGE)) == 2
    assert len(domains.token_requests) == 2


def test_wrong_client_credentials_surface_as_unauthorized(domains, fake_time) -> None:
    domains.reset()
    bad = InstaBidsClients.build({d: domains.url for d in DOMAINS}, CLIENT_ID, "wrong", sleep=fake_time.sleep)
    with bad, pytest.raises(Unauthorized) as caught:
        list(bad.labor.coverage())
    assert caught.value.problem.model_extra == {"error": "invalid_client"}
    assert domains.calls(COVERAGE) == []


# --- errors ---------------------------------------------------------------------------------------------------


def test_a_problem_is_raised_as_its_typed_error_without_retry(clients, domains, fake_time) -> None:
    user_id = uuid.uuid4()
    domains.script("GET", f"/users/{user_id}", problem("not_found", 404, detail="no user jane@roofs.example"))
    with pytest.raises(NotFound) as caught:
        clients.users.get_user(user_id)
    error = caught.value
    assert (error.code, error.status, error.title) == ("not_found", 404, "not found")
    assert error.detail == "no user jane@roofs.example"
    assert "jane" not in str(error)  # messages end up in logs: the detail stays out
    assert fake_time.sleeps == []


def test_an_error_that_is_not_a_problem_still_becomes_a_problem_error(clients, domains) -> None:
    domains.script("GET", COVERAGE, Reply(418, None, {"Content-Type": "text/html"}))
    with pytest.raises(ProblemError) as caught:
        list(clients.labor.coverage())
    assert (caught.value.status, caught.value.code) == (418, "about:blank")


# --- circuit breaker ------------------------------------------------------------------------------------------


def test_the_breaker_opens_after_consecutive_failures_and_fails_fast(domains, fake_time) -> None:
    domains.reset()
    down = problem("service_unavailable", 503)
    domains.script("GET", COVERAGE, down, down)
    domains.script("GET", "/social/network/contractors", page([]))
    with build(domains, fake_time, max_attempts=1, breaker_fail_max=2, breaker_reset_timeout=0.2) as clients:
        for _ in range(2):
            with pytest.raises(RetriesExhausted):
                list(clients.labor.coverage())
        with pytest.raises(CircuitOpen, match="labor_marketplace") as caught:
            list(clients.labor.coverage())
        assert 0 < caught.value.retry_in <= 0.2
        assert len(domains.calls(COVERAGE)) == 2  # failed fast: no request
        assert list(clients.social.network_contractors()) == [[]]  # other domains have their own breaker

        time.sleep(0.25)  # the breaker's reset timeout runs on the wall clock
        domains.script("GET", COVERAGE, page([{"a": 1}]), page([]))
        assert list(clients.labor.coverage()) == [[{"a": 1}]]  # trial call let through, circuit closed
        assert list(clients.labor.coverage()) == [[]]


def test_problems_of_a_healthy_domain_do_not_open_the_breaker(domains, fake_time) -> None:
    domains.reset()
    domains.script("GET", COVERAGE, *[problem("forbidden", 403)] * 3)
    with build(domains, fake_time, breaker_fail_max=2) as clients:
        for _ in range(3):
            with pytest.raises(ProblemError, match="forbidden"):
                list(clients.labor.coverage())


# --- rate limit -----------------------------------------------------------------------------------------------


def test_the_rate_limiter_waits_for_the_reset_when_nothing_remains(clients, domains, fake_time) -> None:
    exhausted = {"RateLimit-Limit": "100", "RateLimit-Remaining": "0", "RateLimit-Reset": "30"}
    domains.script("POST", EMAIL, Reply(202, queued().body, exhausted), queued(), queued())
    clients.messaging.send_email(email(), "k1")
    clients.messaging.send_email(email(), "k2")
    clients.messaging.send_email(email(), "k3")
    assert fake_time.sleeps == [30.0]
    assert len(domains.calls(EMAIL)) == 3


def test_the_rate_limiter_counts_what_is_left_in_the_window(clients, domains, fake_time) -> None:
    headers = {"RateLimit-Remaining": "2", "RateLimit-Reset": "10"}
    domains.script("POST", EMAIL, Reply(202, queued().body, headers), queued(), queued(), queued())
    for key in ("k1", "k2", "k3", "k4"):  # after k1 two remain: k2 and k3 fit, k4 waits for the reset
        clients.messaging.send_email(email(), key)
    assert fake_time.sleeps == [10.0]


# --- tracing and correlation ----------------------------------------------------------------------------------


def test_the_current_trace_is_propagated_as_traceparent(clients, domains) -> None:
    parent = SpanContext(
        trace_id=0x0AF7651916CD43DD8448EB211C80319C,
        span_id=0xB7AD6B7169203331,
        is_remote=False,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )
    domains.script("GET", COVERAGE, page([]))
    with trace.use_span(NonRecordingSpan(parent)):
        list(clients.labor.coverage())
    (sent,) = domains.calls(COVERAGE)
    assert sent.headers["traceparent"].startswith("00-0af7651916cd43dd8448eb211c80319c-")


def test_the_callers_correlation_id_is_sent(clients, domains) -> None:
    domains.script("GET", COVERAGE, page([]))
    with correlation_scope("run-2024-05-01"):
        list(clients.labor.coverage())
    (sent,) = domains.calls(COVERAGE)
    assert sent.headers["x-correlation-id"] == "run-2024-05-01"


def test_without_a_scope_each_call_gets_its_own_correlation_id_kept_across_retries(clients, domains) -> None:
    domains.script("GET", COVERAGE, problem("service_unavailable", 503), page([]), page([]))
    list(clients.labor.coverage())
    list(clients.labor.coverage())
    first, retry, other = (r.headers["x-correlation-id"] for r in domains.calls(COVERAGE))
    assert first == retry != other
    uuid.UUID(first)


# --- pagination -----------------------------------------------------------------------------------------------


def test_pages_follow_next_page_token_with_the_same_parameters_until_null(clients, domains) -> None:
    pages = {None: page([{"n": 1}, {"n": 2}], "t2"), "t2": page([{"n": 3}], "t3"), "t3": page([])}
    domains.script("GET", "/projects", *[lambda r: pages[r.query.get("page_token")]] * 3)
    assert list(clients.projects.list_projects(status="open")) == [[{"n": 1}, {"n": 2}], [{"n": 3}], []]
    assert [r.query for r in domains.calls("/projects")] == [
        {"status": "open", "limit": "1000"},
        {"status": "open", "limit": "1000", "page_token": "t2"},
        {"status": "open", "limit": "1000", "page_token": "t3"},
    ]


# --- logging --------------------------------------------------------------------------------------------------


def test_logs_describe_each_request_without_contact_data(clients, domains, caplog) -> None:
    domains.script("GET", "/users/search", page([]))
    caplog.set_level(logging.INFO)
    list(clients.users.search(email="jane@roofs.example", phone="+16195550142"))
    for record in caplog.records:
        text = record.getMessage() + repr(vars(record))
        assert "jane" not in text and "roofs" not in text and "6195550142" not in text
    (entry,) = [r for r in caplog.records if getattr(r, "path", None) == "/users/search"]
    assert (entry.domain, entry.method, entry.status, entry.attempt) == ("user_management", "GET", 200, 1)
    assert entry.params == {"email": "<redacted>", "phone": "<redacted>", "limit": 1000}
    assert entry.latency_ms >= 0 and uuid.UUID(entry.correlation_id)


def test_a_call_the_domain_did_not_count_gives_its_cost_back() -> None:
    from integrations.instabids.http import RateLimiter

    fake = FakeTime()
    limiter = RateLimiter(fake.clock, fake.sleep)
    limiter.update({"RateLimit-Remaining": "500", "RateLimit-Reset": "60"})
    assert limiter.acquire(500) == 0.0
    assert limiter.update({}) is False
    limiter.refund(500)
    assert limiter.acquire(500) == 0.0, "the refunded capacity is usable without waiting for the reset"
    assert fake.sleeps == []
