"""RFC 9457 problem details for every error the API answers: our own, FastAPI's validation errors, unknown
paths and methods, an unreachable database, and anything unexpected (a 500 that tells nothing of the internals).

The contract has one error format (`application/problem+json`, `type` = `https://errors.instabids.example/<code>`)
so a client handles every failure the same way, whichever layer produced it.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

ERROR_BASE = "https://errors.instabids.example/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
TITLES = {
    "invalid_request": "Invalid request",
    "unauthorized": "Unauthorized",
    "invalid_signature": "Invalid signature",
    "forbidden": "Forbidden",
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "payload_too_large": "Payload too large",
    "idempotency_key_reused": "Idempotency key reused",
    "service_unavailable": "Service unavailable",
    "internal_error": "Internal server error",
}
_HTTP_CODES = {400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "payload_too_large", 503: "service_unavailable"}


def problem(status: int, code: str, detail: str | None = None, instance: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": ERROR_BASE + code, "title": TITLES.get(code, code), "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    return body


class ProblemError(Exception):
    """Raised anywhere while handling a request; answered as a problem+json response."""

    def __init__(self, status: int, code: str, detail: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or code)
        self.status, self.code, self.detail = status, code, detail
        self.headers = headers or {}


def bad_request(detail: str) -> ProblemError:
    return ProblemError(400, "invalid_request", detail)


def service_unavailable(detail: str, retry_after: int = 1) -> ProblemError:
    return ProblemError(503, "service_unavailable", detail, headers={"Retry-After": str(retry_after)})


def problem_response(request: Request, error: ProblemError) -> JSONResponse:
    instance = quote(request.url.path, safe="/:@!$&'()*+,;=-._~")  # a uri-reference, as the contract says
    return JSONResponse(problem(error.status, error.code, error.detail, instance),
                        status_code=error.status, headers=error.headers, media_type=PROBLEM_MEDIA_TYPE)


def _validation_detail(exc: RequestValidationError) -> str:
    """Where and what, without echoing the input back (it may be a secret or contact data)."""
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()))
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a problem."""

    @app.exception_handler(ProblemError)
    async def on_problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(request, bad_request(_validation_detail(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "invalid_request" if exc.status_code < 500 else "internal_error")
        detail = {404: "no such path", 405: "method not allowed on this path"}.get(exc.status_code)
        headers = dict(exc.headers or {})
        return problem_response(request, ProblemError(exc.status_code, code, detail, headers))

    @app.exception_handler(psycopg.OperationalError)
    async def on_database_down(request: Request, exc: psycopg.OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", type(exc).__name__)
        return problem_response(request, service_unavailable("the database is unavailable; retry later"))

    @app.exception_handler(psycopg.DataError)
    async def on_data_error(request: Request, exc: psycopg.DataError) -> JSONResponse:
        # Input the checks before the database let through (an out-of-range value): still the client's.
        log.info("database refused a value: %s", type(exc).__name__)
        return problem_response(request, bad_request("a value is out of the accepted range"))

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette re-raises after this answer, so the server logs the traceback once.
        log.error("unexpected error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return problem_response(request, ProblemError(500, "internal_error", "unexpected error"))
