"""RFC 9457 problem details, the contract's only error format (`application/problem+json`)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

ERROR_BASE = "https://errors.instabids.example/"
PROBLEM_TYPE = "application/problem+json"
TITLES = {
    "invalid_request": "Invalid request",
    "unauthorized": "Unauthorized",
    "invalid_signature": "Invalid signature",
    "forbidden": "Forbidden",
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "user_exists": "User already exists",
    "payload_too_large": "Payload too large",
    "idempotency_key_reused": "Idempotency key reused",
    "invalid_recipient": "Invalid recipient",
    "suppressed": "Recipient suppressed",
    "rate_limited": "Too many requests",
    "service_unavailable": "Service unavailable",
}


def problem(status: int, code: str, detail: str | None = None, instance: str | None = None,
            **extensions: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"type": ERROR_BASE + code, "title": TITLES.get(code, code), "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extensions)
    return body


class ProblemError(Exception):
    """Raised anywhere in a handler; the app turns it into a problem+json response."""

    def __init__(self, status: int, code: str, detail: str | None = None,
                 headers: dict[str, str] | None = None, **extensions: Any) -> None:
        super().__init__(detail or code)
        self.status, self.code, self.detail = status, code, detail
        self.headers = headers or {}
        self.extensions = extensions

    def body(self, instance: str | None = None) -> dict[str, Any]:
        return problem(self.status, self.code, self.detail, instance, **self.extensions)


def problem_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_TYPE)


def bad_request(detail: str) -> ProblemError:
    return ProblemError(400, "invalid_request", detail)
