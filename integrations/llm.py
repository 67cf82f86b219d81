"""The OpenAI adapter: one structured-output chat call behind a circuit breaker.

`LlmClient` wraps `openai.OpenAI` for any OpenAI-compatible server (base URL, key and model come in as arguments).
`generate(system, user, schema)` asks for a reply that follows the JSON schema of a pydantic model
(`chat.completions.parse`, i.e. `response_format` of type `json_schema`, strict), validates it with that model and
returns it with the token usage. It makes at most `max_attempts` (2) attempts, retrying only timeouts, connection
errors, 429 and 5xx, after a short pause; the openai package's own retries are off, so nothing multiplies them.

Failures reach the caller as `LlmError` subclasses: `LlmUnavailable` (the circuit is open: no request was made),
`LlmTimeout`, `LlmRequestError` (HTTP error or no connection) and `LlmParseError` (the reply did not fit the schema;
it carries the usage, since those tokens were paid for). Every failed call except a parse error counts toward the
breaker; after `breaker_fail_max` consecutive ones the circuit opens for `breaker_reset_seconds`, then lets one trial
call through.

This module imports nothing of the core.
"""

from __future__ import annotations

import logging
import random
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import openai
import pybreaker
import pydantic

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=pydantic.BaseModel)

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 5.0  # a server asking for a longer pause is not retried: the caller falls back instead


@dataclass(frozen=True)
class LlmUsage:
    """Tokens of one completion, as the server reported them."""

    model: str
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class LlmError(Exception):
    """A generation that produced no usable structured output."""

    reason = "llm_error"

    def __init__(self, message: str, usage: LlmUsage | None = None) -> None:
        super().__init__(message)
        self.usage = usage


class LlmUnavailable(LlmError):
    """The circuit is open: the call was not attempted."""

    reason = "circuit_open"

    def __init__(self, retry_in: float) -> None:
        super().__init__(f"LLM circuit open, next trial in {retry_in:.1f}s")
        self.retry_in = retry_in


class LlmTimeout(LlmError):
    reason = "timeout"


class LlmRequestError(LlmError):
    """The server answered with an error status, or could not be reached."""

    reason = "llm_error"

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LlmParseError(LlmError):
    """The reply was not valid JSON for the schema (or was a refusal, or was cut short)."""

    reason = "parse_error"


class _Outage(Exception):
    """Stands for a failed call in the breaker's books."""


def _fail() -> None:
    raise _Outage


def _succeed() -> None:
    return None


class _Breaker(pybreaker.CircuitBreakerListener):
    """pybreaker's state machine, consulted before a call and told its outcome after.

    `pybreaker.CircuitBreaker.call` would hold its lock for the whole (slow) request and serialize concurrent
    generations; here only the bookkeeping runs under it.
    """

    def __init__(self, fail_max: int, reset_timeout: float) -> None:
        self._reset_timeout = timedelta(seconds=reset_timeout)
        self._opened_at = datetime.now(UTC)
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=fail_max,
            reset_timeout=reset_timeout,
            name="llm",
            listeners=[self],
            throw_new_error_on_trip=False,
        )

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        if new_state.name == pybreaker.STATE_OPEN:
            self._opened_at = datetime.now(UTC)
            logger.warning("llm: circuit opened")
        elif new_state.name == pybreaker.STATE_CLOSED:
            logger.info("llm: circuit closed")

    def retry_in(self) -> float:
        """Seconds until a trial call may go through; 0 when the circuit lets calls through now."""
        if self._breaker.current_state != pybreaker.STATE_OPEN:
            return 0.0
        return max(0.0, (self._opened_at + self._reset_timeout - datetime.now(UTC)).total_seconds())

    def record(self, *, outage: bool) -> None:
        with suppress(pybreaker.CircuitBreakerError, _Outage):
            self._breaker.call(_fail if outage else _succeed)

    def open(self) -> None:
        self._breaker.open()


class LlmClient:
    """An OpenAI-compatible chat model that answers in the JSON schema of a pydantic model."""

    def __init__(
        self,
        base_url: str | None,
        api_key: str,
        model: str,
        timeout: float = 20.0,
        *,
        max_attempts: int = 2,
        breaker_fail_max: int = 5,
        breaker_reset_seconds: float = 60.0,
        temperature: float | None = 0.4,
        max_completion_tokens: int | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("an API key is required")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.model = model
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.temperature = temperature
        self.max_completion_tokens = max_completion_tokens
        self._client = openai.OpenAI(
            api_key=api_key,
            base_url=base_url or None,
            timeout=timeout,
            max_retries=0,  # our own loop decides: at most `max_attempts`, no retry storm
        )
        self._breaker = _Breaker(breaker_fail_max, breaker_reset_seconds)

    # --- circuit ---------------------------------------------------------------------------------------------

    @property
    def circuit_open(self) -> bool:
        """True while the breaker refuses calls (open and still cooling down)."""
        return self._breaker.retry_in() > 0

    def open_circuit(self) -> None:
        """Open the breaker by hand (an operator's kill switch; also what tests use)."""
        self._breaker.open()

    # --- the call --------------------------------------------------------------------------------------------

    def generate(self, system: str, user: str, schema: type[T]) -> tuple[T, LlmUsage]:
        """One structured generation: the parsed `schema` instance and the usage. Raises `LlmError` subclasses."""
        retry_in = self._breaker.retry_in()
        if retry_in > 0:
            raise LlmUnavailable(retry_in)
        try:
            parsed, usage = self._attempts(system, user, schema)
        except LlmParseError:
            self._breaker.record(outage=False)  # the server works; this reply was bad
            raise
        except LlmError:
            self._breaker.record(outage=True)
            raise
        self._breaker.record(outage=False)
        return parsed, usage

    def _attempts(self, system: str, user: str, schema: type[T]) -> tuple[T, LlmUsage]:
        for attempt in range(1, self.max_attempts + 1):
            try:
                raw = self._client.chat.completions.with_raw_response.parse(
                    model=self.model,
                    messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                    response_format=schema,
                    **self._options(),
                )
            except openai.APITimeoutError as error:
                failure: LlmError = LlmTimeout(f"no reply within {self.timeout}s")
                pause = self._pause(attempt, None)
                cause: Exception = error
            except openai.APIStatusError as error:
                failure = LlmRequestError(_short(error.message), error.status_code)
                cause = error
                pause = (
                    self._pause(attempt, error.response.headers.get("retry-after"))
                    if error.status_code in RETRYABLE_STATUS
                    else None
                )
            except openai.APIConnectionError as error:
                failure = LlmRequestError(f"no connection: {_short(str(error))}")
                pause = self._pause(attempt, None)
                cause = error
            else:
                return self._parse(raw, schema)
            if pause is None or attempt == self.max_attempts:
                raise failure from cause
            logger.info("llm: attempt %d failed (%s), retrying in %.2fs", attempt, failure, pause)
            time.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if self.max_completion_tokens is not None:  # not every compatible server knows the parameter
            options["max_completion_tokens"] = self.max_completion_tokens
        if self.temperature is not None:
            options["temperature"] = self.temperature
        return options

    @staticmethod
    def _pause(attempt: int, retry_after: str | None) -> float | None:
        """Seconds to wait before the next attempt; None when the server asks for longer than we are willing to."""
        if retry_after is not None:
            try:
                seconds = float(retry_after)
            except ValueError:
                seconds = 1.0
            return seconds if seconds <= MAX_RETRY_AFTER_SECONDS else None
        return 0.25 * attempt + random.uniform(0, 0.25)

    def _parse(self, raw: Any, schema: type[T]) -> tuple[T, LlmUsage]:
        usage = _usage_of(raw, self.model)
        try:
            completion = raw.parse()
        except (pydantic.ValidationError, ValueError, openai.LengthFinishReasonError,
                openai.ContentFilterFinishReasonError) as error:  # fmt: skip
            raise LlmParseError(f"reply does not fit {schema.__name__}: {_short(str(error))}", usage) from error
        if not completion.choices:
            raise LlmParseError("reply without choices", usage)
        message = completion.choices[0].message
        if message.refusal:
            raise LlmParseError(f"model refused: {_short(message.refusal)}", usage)
        if message.parsed is None:
            raise LlmParseError("reply without content", usage)
        return message.parsed, usage

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> LlmClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _usage_of(raw: Any, default_model: str) -> LlmUsage | None:
    """Usage from the raw JSON body, readable even when the content does not parse."""
    try:
        body = raw.http_response.json()
    except ValueError:
        return None
    usage = body.get("usage") if isinstance(body, dict) else None
    if not isinstance(usage, dict):
        return None
    return LlmUsage(
        model=str(body.get("model") or default_model),
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
    )


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
