"""The one HTTP layer every InstaBids domain client goes through.

Per domain: a pooled `httpx.Client`, a bearer token for the domain's audience (re-fetched once on a 401), retries
with exponential backoff and full jitter on 429/5xx/timeouts/connection errors that honour `Retry-After`, a
client-side rate limiter fed by `RateLimit-*` headers, and a circuit breaker that fails fast while the domain is
down. Every request carries the W3C `traceparent` of the current span and an `X-Correlation-Id` (the trace id when
one is current); every log line carries the correlation id and never contact data (no bodies, no values of the
email/phone/name query parameters).

Integration health is measured through the OpenTelemetry metrics API (a no-op until a process installs a meter
provider, `outreach.observability`): `instabids.http.client.requests` and `.duration` per attempt,
`instabids.http.client.retries`, `instabids.http.client.errors` per failed call, `instabids.circuit_breaker.state`.
"""

from __future__ import annotations

import logging
import math
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, partial
from typing import Any, NoReturn, Protocol
from uuid import UUID

import httpx
import pybreaker
from opentelemetry import metrics, propagate, trace
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from integrations.instabids.errors import CircuitOpen, InstaBidsError, ProblemError, RetriesExhausted
from integrations.instabids.wire import Problem

logger = logging.getLogger(__name__)
_tracer = trace.get_tracer(__name__)
_meter = metrics.get_meter(__name__)
_REQUESTS = _meter.create_counter(
    "instabids.http.client.requests", unit="{request}", description="Attempts sent to a domain, by status")
_DURATION = _meter.create_histogram(
    "instabids.http.client.duration", unit="s", description="Latency of one attempt, by status")
_RETRIES = _meter.create_counter("instabids.http.client.retries", unit="{retry}", description="Attempts retried")
_ERRORS = _meter.create_counter(
    "instabids.http.client.errors", unit="{call}", description="Calls that failed after their retries, by kind")
_BREAKER_STATE = _meter.create_gauge(
    "instabids.circuit_breaker.state", description="Circuit of a domain: 0 closed, 1 half-open, 2 open")
_BREAKER_LEVELS = {pybreaker.STATE_CLOSED: 0, pybreaker.STATE_HALF_OPEN: 1, pybreaker.STATE_OPEN: 2}

DEFAULT_PAGE_LIMIT = 1000  # the contract's maximum: bulk ingestion wants as few round trips as possible
PII_PARAMS = frozenset({"email", "phone", "business_name"})
_RETRIED_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class HttpConfig:
    """Tuning of the HTTP layer. `sleep` and `clock` are injectable so tests never wait for real."""

    timeout: float = 10.0
    max_attempts: int = 6
    backoff_base: float = 0.5  # first retry waits up to this, then the window doubles
    backoff_max: float = 30.0
    breaker_fail_max: int = 5  # consecutive failed calls (each after its retries) that open the circuit
    breaker_reset_timeout: float = 60.0
    token_refresh_margin: float = 60.0  # fetch a new token this long before the cached one expires
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


# --- correlation id -------------------------------------------------------------------------------------------

_correlation_id: ContextVar[str | None] = ContextVar("instabids_correlation_id", default=None)


@contextmanager
def correlation_scope(correlation_id: str | None = None) -> Iterator[str]:
    """Tag every outbound request made inside the block (and its log lines) with one id, e.g. a run or event id.

    Outside any scope each call gets a fresh id of its own, kept across its retries.
    """
    value = correlation_id or str(uuid.uuid4())
    token = _correlation_id.set(value)
    try:
        yield value
    finally:
        _correlation_id.reset(token)


def current_correlation_id() -> str | None:
    return _correlation_id.get()


def _trace_id() -> str | None:
    """The current trace id: the natural correlation id of everything one traced operation sends."""
    context = trace.get_current_span().get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else None


# --- rate limiter ---------------------------------------------------------------------------------------------


class RateLimiter:
    """Client-side pacing from the `RateLimit-Remaining` / `RateLimit-Reset` headers a domain sends.

    Waiting for the window to reset is cheaper than a 429, and Messaging refuses a whole bulk batch that does not
    fit, so a call that needs more than what is left (`cost`: messages in a batch) waits for the reset.
    """

    def __init__(self, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._remaining: int | None = None  # None: unknown, the domain has not told us (or the window reset)
        self._reset_at = 0.0

    def acquire(self, cost: int = 1) -> float:
        """Wait, if needed, until `cost` requests fit in the window; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            if self._remaining is None or now >= self._reset_at:
                self._remaining = None
                return 0.0
            if self._remaining >= cost:
                self._remaining -= cost
                return 0.0
            wait = self._reset_at - now
        self._sleep(wait)
        return wait

    def update(self, headers: Mapping[str, str]) -> bool:
        """Take the domain's count of what is left; False when the response carried none."""
        remaining = _seconds(headers.get("RateLimit-Remaining"))
        if remaining is None:
            return False
        reset = _seconds(headers.get("RateLimit-Reset")) or 0.0
        with self._lock:
            self._remaining = int(remaining)
            self._reset_at = self._clock() + reset
        return True

    def refund(self, cost: int) -> None:
        """Give back what `acquire` took for a call the domain did not count (an outage answer with no RateLimit
        headers): without it every 503 would cost a window's worth of capacity."""
        with self._lock:
            if self._remaining is not None:
                self._remaining += cost


# --- circuit breaker ------------------------------------------------------------------------------------------


class _Outage(Exception):
    """Stands for a failed call in the breaker's books."""


def _fail() -> None:
    raise _Outage


def _succeed() -> None:
    return None


class _DomainBreaker(pybreaker.CircuitBreakerListener):
    """pybreaker's state machine for one domain, consulted before a call and told its outcome after.

    `pybreaker.CircuitBreaker.call` holds the breaker's lock for the whole guarded call, which would serialize a
    domain's requests (retry sleeps included) across threads; here only the bookkeeping runs under that lock.
    """

    def __init__(self, domain: str, fail_max: int, reset_timeout: float) -> None:
        self.domain = domain
        self._reset_timeout = timedelta(seconds=reset_timeout)
        self._opened_at = datetime.now(UTC)
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=fail_max,
            reset_timeout=reset_timeout,
            name=domain,
            listeners=[self],
            throw_new_error_on_trip=False,
        )
        _BREAKER_STATE.set(_BREAKER_LEVELS[pybreaker.STATE_CLOSED], {"domain": domain})

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        _BREAKER_STATE.set(_BREAKER_LEVELS.get(new_state.name, 0), {"domain": self.domain})
        if new_state.name == pybreaker.STATE_OPEN:
            self._opened_at = datetime.now(UTC)  # pybreaker's own clock, so both agree on when the wait ends
            logger.warning("%s: circuit opened", self.domain, extra={"domain": self.domain})
        elif new_state.name == pybreaker.STATE_CLOSED:
            logger.info("%s: circuit closed", self.domain, extra={"domain": self.domain})

    def check(self) -> None:
        """Raise `CircuitOpen` while open; once the reset timeout has passed, let a trial call through."""
        if self._breaker.current_state != pybreaker.STATE_OPEN:
            return
        retry_in = (self._opened_at + self._reset_timeout - datetime.now(UTC)).total_seconds()
        if retry_in > 0:
            raise CircuitOpen(self.domain, retry_in)

    def record(self, *, outage: bool) -> None:
        # _Outage is our own marker coming back out. CircuitBreakerError means open and still cooling down: this is
        # the late outcome of a call that started before the trip, and it changes nothing.
        with suppress(pybreaker.CircuitBreakerError, _Outage):
            self._breaker.call(_fail if outage else _succeed)


# --- requests -------------------------------------------------------------------------------------------------


class BearerTokens(Protocol):
    """Tokens for one service audience (`integrations.instabids.auth.TokenProvider.for_audience`)."""

    def get(self) -> str: ...

    def invalidate(self, token: str) -> None:
        """Forget a token the domain refused, so the next `get` fetches a new one."""


class _Transient(Exception):
    """A failure worth retrying: 429, 5xx, a timeout or a connection error (`status` None)."""

    def __init__(self, status: int | None, retry_after: float | None = None, problem: Problem | None = None):
        super().__init__(f"HTTP {status}" if status is not None else "no response")
        self.status = status
        self.retry_after = retry_after
        self.problem = problem


@dataclass
class _Call:
    """One logical request and what its attempts share: the same key, correlation id and body on every retry."""

    method: str
    path: str
    params: dict[str, Any]
    json: Any
    form: dict[str, str] | None
    idempotency_key: str | None
    correlation_id: str
    cost: int
    attempt: int = 0
    token_refreshed: bool = False


class DomainHttp:
    """HTTP to one InstaBids domain. Thread-safe; one instance per domain so pools, limits and breakers are per domain.

    Without `tokens` requests go unauthenticated (the token endpoint itself); with them every write must carry an
    Idempotency-Key, so a retried write is applied once.
    """

    def __init__(
        self,
        domain: str,
        base_url: str,
        *,
        config: HttpConfig,
        tokens: BearerTokens | None = None,
    ) -> None:
        self.domain = domain
        self._config = config
        self._tokens = tokens
        self._client = httpx.Client(
            base_url=base_url, timeout=config.timeout, headers={"Accept": "application/json"}, verify=_tls_context()
        )
        self._limiter = RateLimiter(config.clock, config.sleep)
        self._breaker = _DomainBreaker(domain, config.breaker_fail_max, config.breaker_reset_timeout)
        self._backoff = wait_random_exponential(multiplier=config.backoff_base, max=config.backoff_max)

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params).json()

    def post_json(self, path: str, body: Any, *, idempotency_key: str, cost: int = 1) -> Any:
        return self.request("POST", path, json=body, idempotency_key=idempotency_key, cost=cost).json()

    def iter_pages(
        self, path: str, params: Mapping[str, Any] | None = None, *, limit: int = DEFAULT_PAGE_LIMIT
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of raw items of a list endpoint, following `next_page_token` until it is null.

        The other parameters stay unchanged from page to page (the contract answers 400 otherwise). Items stay
        dicts: ingestion stores them as received.
        """
        query = {**(params or {}), "limit": limit}
        page_token: str | None = None
        while True:
            page = self.get_json(path, {**query, "page_token": page_token})
            if not isinstance(page, dict) or not isinstance(page.get("items"), list):
                raise InstaBidsError(f"{self.domain}: GET {path} did not answer a page")
            yield page["items"]
            page_token = page.get("next_page_token")
            if page_token is None:
                return

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        form: dict[str, str] | None = None,
        idempotency_key: str | None = None,
        cost: int = 1,
    ) -> httpx.Response:
        """Send with retries; a 2xx response, else `ProblemError`, `RetriesExhausted` or `CircuitOpen`.

        `params` with value None are left out; `cost` is what the call counts against the domain's rate limit.
        """
        if method != "GET" and self._tokens is not None and not idempotency_key:
            raise ValueError(f"{method} {path}: a write to {self.domain} needs an Idempotency-Key")
        call = _Call(
            method=method,
            path=path,
            params={k: v for k, v in (params or {}).items() if v is not None},
            json=json,
            form=form,
            idempotency_key=idempotency_key,
            correlation_id=current_correlation_id() or _trace_id() or str(uuid.uuid4()),
            cost=cost,
        )
        labels = {"domain": self.domain, "http.request.method": method}
        try:
            self._breaker.check()
        except CircuitOpen:
            _ERRORS.add(1, {**labels, "error.type": "circuit_open"})
            raise
        try:
            response = self._with_retries(call)
        except RetriesExhausted:
            _ERRORS.add(1, {**labels, "error.type": "retries_exhausted"})
            self._breaker.record(outage=True)
            raise
        except ProblemError as exc:
            _ERRORS.add(1, {**labels, "error.type": type(exc).__name__})
            self._breaker.record(outage=False)  # the domain answered: it is up
            raise
        self._breaker.record(outage=False)
        return response

    def close(self) -> None:
        self._client.close()

    def _with_retries(self, call: _Call) -> httpx.Response:
        retrying = Retrying(
            stop=stop_after_attempt(self._config.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            sleep=self._config.sleep,
            before_sleep=partial(self._log_retry, call),
            retry_error_callback=partial(self._give_up, call),
        )
        return retrying(self._attempt, call)

    def _wait(self, state: RetryCallState) -> float:
        """The domain's `Retry-After` when it sent one, else exponential backoff with full jitter."""
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Transient) and error.retry_after is not None:
            return error.retry_after
        return self._backoff(state)

    def _attempt(self, call: _Call) -> httpx.Response:
        """One try, plus one resend with a fresh token if the domain refuses ours (401) for the first time."""
        call.attempt += 1
        while True:
            waited = self._limiter.acquire(call.cost)
            if waited:
                logger.info("%s: rate limit reached, waited %.1f s", self.domain, waited, extra=self._fields(call))
            token = self._tokens.get() if self._tokens else None
            response = self._send(call, token)
            if not self._limiter.update(response.headers) and response.status_code >= 500:
                self._limiter.refund(call.cost)
            status = response.status_code
            if status == 401 and self._tokens and token and not call.token_refreshed:
                self._tokens.invalidate(token)
                call.token_refreshed = True
                continue
            if status == 429 or status >= 500:
                raise _Transient(status, _seconds(response.headers.get("Retry-After")), _problem(response))
            if response.is_error:
                raise ProblemError.for_problem(
                    _problem(response), domain=self.domain, method=call.method, path=call.path
                )
            return response

    def _send(self, call: _Call, token: str | None) -> httpx.Response:
        headers = {"X-Correlation-Id": call.correlation_id}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if call.idempotency_key:
            headers["Idempotency-Key"] = call.idempotency_key
        started = time.perf_counter()
        with _tracer.start_as_current_span(f"{call.method} {self.domain}", kind=trace.SpanKind.CLIENT) as span:
            propagate.inject(headers)
            try:
                response = self._client.request(
                    call.method, call.path, params=call.params, json=call.json, data=call.form, headers=headers
                )
            except _RETRIED_TRANSPORT_ERRORS as exc:
                self._log_attempt(call, started, error=type(exc).__name__)
                raise _Transient(None) from exc
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(trace.Status(trace.StatusCode.ERROR))
        self._log_attempt(call, started, status=response.status_code)
        return response

    def _fields(self, call: _Call) -> dict[str, Any]:
        """Structured log fields: never bodies, never values of contact-data query parameters."""
        return {
            "domain": self.domain,
            "method": call.method,
            "path": call.path,
            "params": {k: "<redacted>" if k in PII_PARAMS else v for k, v in call.params.items()},
            "attempt": call.attempt,
            "correlation_id": call.correlation_id,
        }

    def _log_attempt(self, call: _Call, started: float, *, status: int | None = None, error: str | None = None) -> None:
        seconds = time.perf_counter() - started
        outcome = {"domain": self.domain, "http.request.method": call.method}
        outcome |= {"http.response.status_code": status} if status is not None else {"error.type": error or "error"}
        _REQUESTS.add(1, outcome)
        _DURATION.record(seconds, outcome)
        latency_ms = round(seconds * 1000, 1)
        fields = {**self._fields(call), "status": status, "error": error, "latency_ms": latency_ms}
        logger.info(
            "%s %s %s -> %s (attempt %d, %.1f ms)",
            self.domain, call.method, call.path, status or error, call.attempt, latency_ms, extra=fields,
        )  # fmt: skip

    def _log_retry(self, call: _Call, state: RetryCallState) -> None:
        wait = state.next_action.sleep if state.next_action else 0.0
        _RETRIES.add(1, {"domain": self.domain, "http.request.method": call.method})
        logger.warning(
            "%s %s %s: attempt %d failed, retrying in %.2f s",
            self.domain, call.method, call.path, call.attempt, wait, extra={**self._fields(call), "wait": wait},
        )  # fmt: skip

    def _give_up(self, call: _Call, state: RetryCallState) -> NoReturn:
        error = state.outcome.exception() if state.outcome else None
        last = error if isinstance(error, _Transient) else _Transient(None)
        raise RetriesExhausted(
            domain=self.domain,
            method=call.method,
            path=call.path,
            attempts=state.attempt_number,
            status=last.status,
            problem=last.problem,
        ) from error


class DomainClient:
    """Base of the per-domain clients: the domain's HTTP layer, plus paging by path for generic ingestion."""

    def __init__(self, http: DomainHttp) -> None:
        self.http = http

    def iter_pages(
        self, path: str, params: Mapping[str, Any] | None = None, *, limit: int = DEFAULT_PAGE_LIMIT
    ) -> Iterator[list[dict[str, Any]]]:
        return self.http.iter_pages(path, params, limit=limit)


@cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for all clients: loading the CA bundle costs ~20 ms per client otherwise."""
    return httpx.create_ssl_context()


def id_segment(value: UUID | str) -> str:
    """An id for a URL path, checked to be a UUID so no caller-supplied text can change the path."""
    return str(value if isinstance(value, UUID) else UUID(value))


def _seconds(value: str | None) -> float | None:
    """A finite, non-negative number from a header (`Retry-After`, `RateLimit-*` are in seconds), else None."""
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _problem(response: httpx.Response) -> Problem:
    """The RFC 9457 body, or a stand-in when something else (a proxy, a crash page) answered."""
    try:
        return Problem.model_validate(response.json())
    except ValueError:  # not JSON, or not a problem (pydantic's ValidationError is a ValueError)
        return Problem(type="about:blank", title=response.reason_phrase or "HTTP error", status=response.status_code)


class _DropQueryFromHttpxLogs(logging.Filter):
    """httpx logs each request URL at INFO, and our query strings can hold an email or phone (`/users/search`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(a.copy_with(query=None) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


logging.getLogger("httpx").addFilter(_DropQueryFromHttpxLogs())
