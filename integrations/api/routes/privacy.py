"""Data-subject requests: `POST /ai-outreach/privacy/requests` records one (202, status `received`) and
`GET /ai-outreach/privacy/requests/{id}` reports it, with the export of a completed access request. Fulfilling
them (export, erasure) is the `privacy_requests` job's (`outreach.privacy.dsar`, docs/privacy.md).

Writes follow the contract's Idempotency-Key rules per calling client: the same key and body replay the original
answer, the same key with another body is a 422, a missing key a 400. The key's record and the request are written
in one transaction, so concurrent retries create one request. The subject's email and phone are stored encrypted,
with blind indexes for the job that will look them up.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from integrations.api.audit import record_entries
from integrations.api.auth import Admin
from integrations.api.body import read_body
from integrations.api.intake import InvalidEvent, parse_json
from integrations.api.problems import ProblemError, bad_request
from integrations.api.queries import iso
from integrations.api.state import State
from integrations.contracts import component_validator
from outreach.privacy.access import PiiReader
from outreach.privacy.dsar import EXPORT_CONTEXT

router = APIRouter(prefix="/ai-outreach", tags=["privacy"])

PATH = "/ai-outreach/privacy/requests"
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _idempotency_key(raw: str | None) -> str:
    if raw is None:
        raise bad_request("Idempotency-Key is required on writes")
    if not 1 <= len(raw) <= 255 or "\x00" in raw:
        raise bad_request("Idempotency-Key must be 1 to 255 characters")
    return raw


def _storable(value: Any) -> bool:
    """Strings PostgreSQL and the cipher can hold (no NUL, no lone surrogate)."""
    if not isinstance(value, str):
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def _request_body(body: bytes) -> dict[str, Any]:
    try:
        payload = parse_json(body)
    except InvalidEvent as exc:
        raise bad_request("the body is not valid JSON") from exc
    validator = component_validator("ai-outreach", "PrivacyRequestCreate")
    if not validator.is_valid(payload) or not all(_storable(v) for v in payload.values()):
        raise bad_request("the body must be {kind: access|erasure} with an email, a phone (E.164) or both")
    return payload


@router.post("/privacy/requests")
async def create_privacy_request(
    request: Request,
    principal: Admin,
    state: State,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> JSONResponse:
    key = _idempotency_key(idempotency_key)
    payload = _request_body(await read_body(request))
    request_hash = hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).digest()
    request_id = str(uuid.uuid4())
    answer = {"request_id": request_id, "status": "received"}
    email, phone = payload.get("email"), payload.get("phone")
    scope = (principal.subject, f"POST {PATH}", key)
    async with state.pool.connection() as conn:
        async with conn.transaction():
            claimed = await conn.execute(
                "insert into app.api_idempotency (client_id, endpoint, idempotency_key, request_hash, status_code, "
                "response) values (%s, %s, %s, %s, 202, %s) on conflict do nothing returning 1",
                (*scope, request_hash, json.dumps(answer)),
            )
            if await claimed.fetchone() is not None:
                await conn.execute(
                    "insert into app.privacy_requests (request_id, kind, status, email_enc, phone_enc, email_bidx, "
                    "phone_bidx, requested_by) values (%s, %s, 'received', %s, %s, %s, %s, %s)",
                    (request_id, payload["kind"],
                     state.cipher.encrypt(email, "app.privacy_requests.email"),
                     state.cipher.encrypt(phone, "app.privacy_requests.phone"),
                     state.indexer.index("email", email.lower() if email else None),
                     state.indexer.index("phone", phone), principal.subject),
                )
                return JSONResponse(answer, status_code=202)
        original = await conn.execute(
            "select request_hash, status_code, response from app.api_idempotency "
            "where client_id = %s and endpoint = %s and idempotency_key = %s",
            scope,
        )
        stored_hash, status_code, response = await original.fetchone()
    if bytes(stored_hash) != request_hash:
        raise ProblemError(422, "idempotency_key_reused", "this Idempotency-Key was used with a different body")
    return JSONResponse(response, status_code=status_code)


@router.get("/privacy/requests/{request_id}")
async def get_privacy_request(
    request_id: str,
    principal: Admin,
    state: State,
) -> JSONResponse:
    not_found = ProblemError(404, "not_found", "no privacy request with this id")
    if not _ID.match(request_id):
        raise not_found
    async with state.pool.connection() as conn, conn.transaction():
        found = await conn.execute(
            "select kind, status, completed_at, export_enc from app.privacy_requests where request_id = %s",
            (request_id,),
        )
        row = await found.fetchone()
        if row is None:
            raise not_found
        kind, status, completed_at, export_enc = row
        reader = PiiReader(state.cipher, f"GET {PATH}/{{id}}", actor=principal.subject)
        exported = reader.decrypt(export_enc, EXPORT_CONTEXT, request_id)
        await record_entries(conn, reader.take())
        export = json.loads(exported) if exported is not None else None
    return JSONResponse({"request_id": request_id, "kind": kind, "status": status,
                         "completed_at": iso(completed_at), "export": export})
