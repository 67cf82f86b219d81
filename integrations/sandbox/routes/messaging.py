"""Messaging: email, SMS and bulk sends.

Per-message `idempotency_key`s of a bulk share the key space of the single-send `Idempotency-Key`s, so a
message first sent alone and then retried inside a bulk (or the reverse) is replayed, not sent twice. The
per-client limit counts messages that would be newly queued (replays are free); a bulk that does not fit is
refused whole with 429. Every 202/200/422/429 carries the RateLimit-* headers.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from integrations.sandbox.auth import Principal
from integrations.sandbox.idempotency import MAX_KEY_LENGTH, StoredResponse, fingerprint, require_key, reused
from integrations.sandbox.ids import stable_uuid
from integrations.sandbox.problems import ProblemError, bad_request, problem
from integrations.sandbox.ratelimit import WindowState
from integrations.sandbox.routes.common import JsonBody, guard, sandbox_of, schema_error, validate
from integrations.sandbox.service import Sandbox
from integrations.sandbox.state import Message

router = APIRouter(tags=["messaging"])
SERVICE = "messaging"
MessagingSend = Annotated[Principal, guard(SERVICE, "messaging.send")]
SPACE = "messaging"
BULK_SPACE = "messaging-bulk"
MAX_BULK = 500


def _fingerprint(channel: str, message: dict) -> str:
    return fingerprint({"channel": channel, **{k: v for k, v in message.items()
                                               if k not in ("idempotency_key", "channel")}})


def _too_many(state: WindowState) -> ProblemError:
    return ProblemError(429, "rate_limited", f"more than {state.limit} messages per minute",
                        headers={"Retry-After": str(state.reset), **state.headers()})


def _recipient_problem(sandbox: Sandbox, channel: str, to: str, now: float) -> ProblemError | None:
    world = sandbox.world
    if channel == "email":
        domain = to.rsplit("@", 1)[-1].lower()
        if domain in world.no_mx_domains or domain.endswith(".invalid"):
            return ProblemError(422, "invalid_recipient", f"{domain} has no MX record")
    else:
        entity = world.entity_by_phone.get(to)
        if entity is not None and entity.phone == to and entity.phone_type == "landline":
            return ProblemError(422, "invalid_recipient", f"{to} is a landline and cannot receive SMS")
    if sandbox.runtime.is_suppressed(to, now):
        return ProblemError(422, "suppressed", "the recipient unsubscribed, bounced or complained earlier")
    return None


def _accept(sandbox: Sandbox, principal: Principal, channel: str, message: dict, key: str,
            instance: str) -> StoredResponse:
    """Queue one valid message (caller holds the lock and has counted it); the stored single-send response."""
    digest = _fingerprint(channel, message)
    now = sandbox.clock.timestamp()
    refused = _recipient_problem(sandbox, channel, message["to"], now)
    if refused is not None:
        return StoredResponse(digest, 422, refused.body(instance))
    world, runtime = sandbox.world, sandbox.runtime
    entity = world.entity_for_address(channel, message["to"])
    metadata = message["metadata"]
    accepted = Message(
        message_id=stable_uuid(sandbox.config.seed, "message", principal.client_id, key),
        client_id=principal.client_id,
        channel=channel,
        to=message["to"],
        reply_to=message.get("reply_to"),
        subject=message.get("subject"),
        body=message.get("body_text") or message.get("body", ""),
        metadata=metadata,
        entity_id=entity.entity_id if entity else None,
        accepted_at=now,
        has_unsubscribe_header="List-Unsubscribe" in (message.get("headers") or {}),
    )
    runtime.messages[accepted.message_id] = accepted
    if entity is not None:
        runtime.contacts[entity.entity_id] += 1
    link = runtime.link_prospect(metadata["prospect_id"], accepted.entity_id, metadata["campaign_id"])
    link.messages += 1
    sandbox.reactions.on_message(accepted, now)
    return StoredResponse(digest, 202, {"message_id": accepted.message_id, "status": "queued"})


def _single(request: Request, principal: Principal, channel: str, payload: Any) -> JSONResponse:
    sandbox = sandbox_of(request)
    key = require_key(request.headers.get("idempotency-key"))
    validate("EmailMessage" if channel == "email" else "SmsMessage", payload)
    digest = _fingerprint(channel, payload)
    with sandbox.lock:
        stored = sandbox.idempotency.get(principal.client_id, SPACE, key)
        if stored is None:
            state = sandbox.messaging_window.consume(principal.client_id, 1)
            if not state.allowed:
                raise _too_many(state)
            stored = _accept(sandbox, principal, channel, payload, key, request.url.path)
            sandbox.idempotency.put(principal.client_id, SPACE, key, stored)
        else:
            state = sandbox.messaging_window.consume(principal.client_id, 0)
            if stored.fingerprint != digest:
                raise reused(key, state.headers())
    media = "application/problem+json" if stored.status >= 400 else "application/json"
    return JSONResponse(stored.body, status_code=stored.status, headers=state.headers(), media_type=media)


@router.post("/messages/email")
def send_email(request: Request, payload: JsonBody,
               principal: MessagingSend) -> JSONResponse:
    return _single(request, principal, "email", payload)


@router.post("/messages/sms")
def send_sms(request: Request, payload: JsonBody,
             principal: MessagingSend) -> JSONResponse:
    return _single(request, principal, "sms", payload)


def _result(key: str, stored: StoredResponse) -> dict:
    if stored.status < 400:
        return {"idempotency_key": key, "message_id": stored.body["message_id"], "status": "queued", "error": None}
    return {"idempotency_key": key, "message_id": None, "status": "rejected", "error": stored.body}


def _rejected(key: str, code: str, detail: str, instance: str, status: int = 400) -> dict:
    return {"idempotency_key": key, "message_id": None, "status": "rejected",
            "error": problem(status, code, detail, instance)}


@router.post("/messages/bulk")
def send_bulk(request: Request, payload: JsonBody,
              principal: MessagingSend) -> JSONResponse:
    sandbox = sandbox_of(request)
    key = require_key(request.headers.get("idempotency-key"))
    if not isinstance(payload, dict) or set(payload) != {"messages"} or not isinstance(payload["messages"], list):
        raise bad_request("body must be {\"messages\": [...]}")
    messages = payload["messages"]
    if not 1 <= len(messages) <= MAX_BULK:
        raise bad_request(f"a bulk holds 1..{MAX_BULK} messages")
    instance = request.url.path
    client = principal.client_id
    with sandbox.lock:
        stored_bulk = sandbox.idempotency.get(client, BULK_SPACE, key)
        if stored_bulk is not None:
            state = sandbox.messaging_window.consume(client, 0)
            if stored_bulk.fingerprint != fingerprint(payload):
                raise reused(key, state.headers())
            return JSONResponse(stored_bulk.body, status_code=stored_bulk.status, headers=state.headers())
        plan: list[tuple[str, str | None, str | None]] = []  # (key, channel, error)
        new_keys: set[str] = set()
        for message in messages:
            plan.append(_classify(message))
            msg_key, channel, error = plan[-1]
            if error is None and sandbox.idempotency.get(client, SPACE, msg_key) is None:
                new_keys.add(msg_key)
        state = sandbox.messaging_window.consume(client, len(new_keys))
        if not state.allowed:
            raise _too_many(state)
        results = []
        for message, (msg_key, channel, error) in zip(messages, plan, strict=True):
            if error is not None:
                results.append(_rejected(msg_key, "invalid_request", error, instance))
                continue
            assert channel is not None
            stored = sandbox.idempotency.get(client, SPACE, msg_key)
            if stored is None:
                stored = _accept(sandbox, principal, channel, message, msg_key, instance)
                sandbox.idempotency.put(client, SPACE, msg_key, stored)
            elif stored.fingerprint != _fingerprint(channel, message):
                results.append(_rejected(msg_key, "idempotency_key_reused",
                                         f"idempotency_key {msg_key!r} was used with a different message",
                                         instance, 422))
                continue
            results.append(_result(msg_key, stored))
        body = {"results": results}
        sandbox.idempotency.put(client, BULK_SPACE, key, StoredResponse(fingerprint(payload), 200, body))
    return JSONResponse(body, status_code=200, headers=state.headers())


def _classify(message: Any) -> tuple[str, str | None, str | None]:
    """(idempotency_key, channel, error) of one bulk message; error is None when it is valid."""
    if not isinstance(message, dict):
        return "", None, "each message must be an object"
    key = message.get("idempotency_key")
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH:
        return (key if isinstance(key, str) else ""), None, f"idempotency_key must be 1..{MAX_KEY_LENGTH} characters"
    channel = message.get("channel")
    if channel not in ("email", "sms"):
        return key, None, "channel must be email or sms"
    error = schema_error("BulkEmailMessage" if channel == "email" else "BulkSmsMessage", message)
    return key, channel, error
