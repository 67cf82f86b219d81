"""What every domain route needs: the sandbox, auth + rate limiting, JSON bodies validated against the
contract, idempotent writes and query-parameter parsing that answers 400 problems (never FastAPI's 422)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from integrations.contracts import component_validator
from integrations.sandbox.auth import Principal
from integrations.sandbox.idempotency import StoredResponse, fingerprint, require_key, reused
from integrations.sandbox.ids import parse_iso
from integrations.sandbox.problems import ProblemError, bad_request
from integrations.sandbox.service import Sandbox
from integrations.sandbox.specialties import SPECIALTY_SLUGS

REGION_RE = re.compile(r"^[a-z]{2}-[a-z]{2}-[a-z0-9]+(-[a-z0-9]+)*$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PHONE_RE = re.compile(r"^\+[1-9][0-9]{1,14}$")


def sandbox_of(request: Request) -> Sandbox:
    return request.app.state.sandbox


def guard(service: str, scope: str) -> Any:
    """Dependency: a valid token for `service` with `scope`, within the client's request rate."""

    def dependency(request: Request) -> Principal:
        sandbox = sandbox_of(request)
        principal = sandbox.authority.require(request.headers.get("authorization"), service, scope)
        retry_after = sandbox.buckets.take(principal.client_id, service)
        if retry_after is not None:
            headers = {"Retry-After": str(retry_after)}
            if service == "messaging":
                headers.update(sandbox.messaging_window.consume(principal.client_id, 0).headers())
            raise ProblemError(429, "rate_limited", f"more than {sandbox.buckets.rate:g} requests per second",
                               headers=headers)
        return principal

    return Depends(dependency)


async def json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise bad_request("the body is not valid JSON") from exc


JsonBody = Annotated[Any, Depends(json_body)]


def schema_error(component: str, payload: Any) -> str | None:
    errors = sorted(component_validator("domains", component).iter_errors(payload),
                    key=lambda e: (len(list(e.absolute_path)), list(map(str, e.absolute_path))))
    if not errors:
        return None
    where = "/" + "/".join(map(str, errors[0].absolute_path))
    return f"{errors[0].message} (at {where})"


def validate(component: str, payload: Any) -> None:
    """400 unless `payload` is a valid `#/components/schemas/<component>`."""
    error = schema_error(component, payload)
    if error:
        raise bad_request(f"body does not match {component}: {error}")


def idempotent(request: Request, principal: Principal, space: str, payload: Any,
               execute: Callable[[], tuple[int, Any]], headers: dict[str, str] | None = None) -> JSONResponse:
    """Run a write once per Idempotency-Key (under the sandbox lock) and replay it afterwards."""
    sandbox = sandbox_of(request)
    key = require_key(request.headers.get("idempotency-key"))
    digest = fingerprint(payload)
    with sandbox.lock:
        stored = sandbox.idempotency.get(principal.client_id, space, key)
        if stored is None:
            try:
                status, body = execute()
            except ProblemError as exc:
                if exc.status >= 500 or exc.status == 429:
                    raise
                status, body = exc.status, exc.body(request.url.path)
            stored = StoredResponse(digest, status, body)
            sandbox.idempotency.put(principal.client_id, space, key, stored)
        elif stored.fingerprint != digest:
            raise reused(key, headers)
    media = "application/problem+json" if stored.status >= 400 else "application/json"
    return JSONResponse(stored.body, status_code=stored.status, headers=headers, media_type=media)


def q_specialty(request: Request) -> str | None:
    value = request.query_params.get("specialty")
    if value is not None and value not in SPECIALTY_SLUGS:
        raise bad_request(f"unknown specialty {value!r}")
    return value


def q_region(request: Request) -> str | None:
    value = request.query_params.get("region")
    if value is not None and not REGION_RE.match(value):
        raise bad_request("region must be a slug like us-ca-san-diego")
    return value


def q_date(request: Request, name: str) -> date | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as exc:
        raise bad_request(f"{name} must be a date YYYY-MM-DD") from exc


def q_timestamp(request: Request, name: str) -> datetime | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError as exc:
        raise bad_request(f"{name} must be an RFC 3339 UTC timestamp ending in Z") from exc


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)
