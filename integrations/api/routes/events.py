"""Signed CloudEvent intake: `POST /ai-outreach/events` (any consumed type, single or batch), the Messaging webhook
and the verification callback. Checks in the contract's order: body over 1 MiB → 413, signature → 401, JSON,
envelope, type and `data` → 400; then the events are stored and acknowledged (202, `duplicate` for repeats)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from integrations.api.body import read_body
from integrations.api.intake import (
    CONSUMED_TYPES,
    MAX_BATCH,
    CheckedEvent,
    InvalidEvent,
    check_event,
    parse_json,
    store,
)
from integrations.api.problems import bad_request, problem
from integrations.api.state import ApiState, State
from integrations.api.webhooks import Signature, invalid_signature

router = APIRouter(prefix="/ai-outreach", tags=["events"])

SINGLE = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"
PLAIN = "application/json"
MESSAGE_TYPES = frozenset({"MessageReceivedEvent", "MessageStatusUpdatedEvent"})
VERIFICATION_TYPES = frozenset({"VerificationCompletedEvent"})


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", PLAIN).split(";", 1)[0].strip().lower() or PLAIN


async def _signed_payload(request: Request, state: ApiState) -> tuple[Any, Signature]:
    """The parsed body and its checked signature (413, 401, then 400 for JSON)."""
    body = await read_body(request)
    signature = state.signatures.verify(body, request.headers)
    try:
        payload = parse_json(body)
    except InvalidEvent as exc:
        raise bad_request(str(exc)) from exc
    return payload, signature


def _require_signed_sources(events: list[Any], signature: Signature) -> None:
    """Every event's `source` chose the secret: a signature by another domain's secret is no signature."""
    for event in events:
        source = event.get("source") if isinstance(event, dict) else None
        if isinstance(source, str) and not signature.covers(source):
            raise invalid_signature(f"the signature is not valid for source {source[:100]}")


def _field(event: Any, name: str) -> str | None:
    value = event.get(name) if isinstance(event, dict) else None
    return value if isinstance(value, str) else None


async def _store_unique(state: ApiState, events: list[CheckedEvent]) -> list[bool]:
    """Store the events (repeats within the request stored once); per event, True if it was a duplicate."""
    first: dict[tuple[str, str], CheckedEvent] = {}
    for event in events:
        first.setdefault(event.key, event)
    async with state.pool.connection() as conn:
        stored = await store(conn, list(first.values()), state.cipher)
    duplicates = []
    for event in events:
        fresh = first.get(event.key) is event and event.key in stored
        duplicates.append(not fresh)
    return duplicates


def _checked_single(payload: Any, signature: Signature, accepted: frozenset[str]) -> CheckedEvent:
    _require_signed_sources([payload], signature)
    try:
        return check_event(payload, accepted)
    except InvalidEvent as exc:
        raise bad_request(str(exc)) from exc


async def _webhook(request: Request, state: ApiState, accepted: frozenset[str]) -> JSONResponse:
    """A webhook path: one event per request, acknowledged with `{accepted, duplicate}`."""
    payload, signature = await _signed_payload(request, state)
    if _media_type(request) not in (SINGLE, PLAIN):
        raise bad_request(f"Content-Type must be {SINGLE}")
    event = _checked_single(payload, signature, accepted)
    (duplicate,) = await _store_unique(state, [event])
    return JSONResponse({"accepted": True, "duplicate": duplicate}, status_code=202)


@router.post("/events")
async def receive_events(request: Request, state: State) -> JSONResponse:
    payload, signature = await _signed_payload(request, state)
    media = _media_type(request)
    if media not in (SINGLE, BATCH, PLAIN):
        raise bad_request(f"Content-Type must be {SINGLE} or {BATCH}")
    is_batch = media == BATCH or (media == PLAIN and isinstance(payload, list))
    if not is_batch:
        event = _checked_single(payload, signature, CONSUMED_TYPES)
        (duplicate,) = await _store_unique(state, [event])
        return JSONResponse({"results": [_result(payload, duplicate=duplicate)]}, status_code=202)
    if not isinstance(payload, list) or not 1 <= len(payload) <= MAX_BATCH:
        raise bad_request(f"a batch is a JSON array of 1 to {MAX_BATCH} CloudEvents")
    _require_signed_sources(payload, signature)
    checked: list[CheckedEvent | InvalidEvent] = []
    for item in payload:
        try:
            checked.append(check_event(item, CONSUMED_TYPES))
        except InvalidEvent as exc:
            checked.append(exc)
    valid = [c for c in checked if isinstance(c, CheckedEvent)]
    duplicates = iter(await _store_unique(state, valid))
    results = [
        _result(item, duplicate=next(duplicates)) if isinstance(outcome, CheckedEvent)
        else _result(item, error=str(outcome))
        for item, outcome in zip(payload, checked, strict=True)
    ]
    return JSONResponse({"results": results}, status_code=202)


def _result(event: Any, *, duplicate: bool = False, error: str | None = None) -> dict[str, Any]:
    return {
        "id": _field(event, "id"),
        "source": _field(event, "source"),
        "accepted": error is None,
        "duplicate": duplicate,
        "error": problem(400, "invalid_request", error) if error else None,
    }


@router.post("/webhooks/messages/received")
async def receive_message_webhook(request: Request, state: State) -> JSONResponse:
    return await _webhook(request, state, MESSAGE_TYPES)


@router.post("/callbacks/verification-status")
async def receive_verification_callback(request: Request, state: State) -> JSONResponse:
    return await _webhook(request, state, VERIFICATION_TYPES)
