"""Typed errors of the InstaBids clients, so callers branch on what happened rather than on status codes.

Messages carry the domain, method, path and the problem's code and title, never its `detail`: a detail may quote
the email or phone that was refused, and exception messages end up in logs.
"""

from __future__ import annotations

from typing import ClassVar

from integrations.instabids.wire import Problem


class InstaBidsError(Exception):
    """Base of every error raised by the InstaBids clients."""


class ProblemError(InstaBidsError):
    """A domain answered a non-retryable error (`application/problem+json`, RFC 9457).

    `ProblemError.for_problem` picks the subclass registered for the problem's code, so `except UserExists:` works;
    codes without a subclass raise a plain `ProblemError` whose `code` tells them apart.
    """

    by_code: ClassVar[dict[str, type[ProblemError]]] = {}

    def __init_subclass__(cls, code: str, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        ProblemError.by_code[code] = cls

    def __init__(self, problem: Problem, *, domain: str, method: str, path: str) -> None:
        super().__init__(f"{domain}: {method} {path} -> {problem.status} {problem.code}: {problem.title}")
        self.problem = problem
        self.domain = domain
        self.method = method
        self.path = path

    @classmethod
    def for_problem(cls, problem: Problem, *, domain: str, method: str, path: str) -> ProblemError:
        error_class = cls.by_code.get(problem.code, ProblemError)
        return error_class(problem, domain=domain, method=method, path=path)

    @property
    def code(self) -> str:
        return self.problem.code

    @property
    def status(self) -> int:
        return self.problem.status

    @property
    def title(self) -> str:
        return self.problem.title

    @property
    def detail(self) -> str | None:
        return self.problem.detail


class InvalidRequest(ProblemError, code="invalid_request"):
    """400: our request broke the contract (a bug on our side, or paging parameters changed mid-way)."""


class Unauthorized(ProblemError, code="unauthorized"):
    """401 even with a fresh token, or the token endpoint refused our client credentials."""


class Forbidden(ProblemError, code="forbidden"):
    """403: our client lacks the scope."""


class NotFound(ProblemError, code="not_found"):
    """404: the user, incentive or recipient does not exist."""


class UserExists(ProblemError, code="user_exists"):
    """409: a user with this email or phone exists; find it with `UsersClient.search`."""


class IdempotencyKeyReused(ProblemError, code="idempotency_key_reused"):
    """422: the key was used before with a different body (the caller's key is not deterministic enough)."""


class InvalidRecipient(ProblemError, code="invalid_recipient"):
    """422: the address or number cannot receive messages (no MX, landline for SMS)."""


class Suppressed(ProblemError, code="suppressed"):
    """422: the recipient unsubscribed, bounced or complained earlier."""


class RetriesExhausted(InstaBidsError):
    """Every attempt met a transient failure (429, 5xx, timeout, connection error).

    `status` and `problem` describe the last attempt (`status` is None when it never got an answer).
    """

    def __init__(
        self, *, domain: str, method: str, path: str, attempts: int, status: int | None, problem: Problem | None
    ) -> None:
        last = f"HTTP {status}" if status is not None else "no response"
        super().__init__(f"{domain}: {method} {path} failed after {attempts} attempt(s); last: {last}")
        self.domain = domain
        self.method = method
        self.path = path
        self.attempts = attempts
        self.status = status
        self.problem = problem


class CircuitOpen(InstaBidsError):
    """The domain failed repeatedly; calls fail fast, without a request, until `retry_in` seconds have passed."""

    def __init__(self, domain: str, retry_in: float) -> None:
        super().__init__(f"{domain}: circuit open after repeated failures; not calling it for {retry_in:.1f} s")
        self.domain = domain
        self.retry_in = retry_in
