"""The event bus intake: where our outbox relay publishes.

Checks in the contract's order: body over 1 MiB → 413; bad or stale (> 5 min) Standard Webhooks signature with
the event-bus secret → 401 invalid_signature; malformed JSON, an invalid CloudEvent envelope or `data` that
fails `events/<type>.schema.json` → 400 (in a batch, the bad event is reported and the rest accepted). A
repeated (source, id) is acknowledged with `duplicate: true` and has no effect. Accepted events are kept for
`GET /event-bus/events`, and `ContractorReadyForVerificationEvent`s start a verification.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from standardwebhooks import Webhook

from integrations.contracts import cloudevent_validator, event_data_validator, event_types
from integrations.sandbox.ids import iso
from integrations.sandbox.problems import ProblemError, bad_request, problem

MAX_BODY_BYTES = 1024 * 1024
MAX_BATCH = 100
BATCH_TYPE = "application/cloudevents-batch+json"


@dataclass(frozen=True)
class Received:
    received_at: str
    event: dict

    def item(self) -> dict:
        return {"received_at": self.received_at, "event": self.event}


def validation_error(event: Any) -> str | None:
    """Why `event` is not a valid CloudEvent of a known type, or None."""
    if not isinstance(event, dict):
        return "an event must be a JSON object"
    errors = sorted(cloudevent_validator().iter_errors(event), key=lambda e: list(e.absolute_path))
    if errors:
        return f"invalid CloudEvent envelope: {errors[0].message}"
    if event["type"] not in event_types():
        return f"unknown event type {event['type']}"
    errors = sorted(event_data_validator(event["type"]).iter_errors(event["data"]), key=lambda e: list(e.path))
    if errors:
        where = "/".join(map(str, errors[0].absolute_path))
        return f"data does not match {event['type']}: {errors[0].message} (at /{where})"
    return None


class EventBus:
    def __init__(self, secret: str, on_event: Callable[[dict], None], clock: Callable[[], float]) -> None:
        self._webhook = Webhook(secret)
        self._on_event = on_event
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: set[tuple[str, str]] = set()
        self.received: list[Received] = []

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        if len(body) > MAX_BODY_BYTES:
            raise ProblemError(413, "payload_too_large", f"body exceeds {MAX_BODY_BYTES} bytes")
        try:
            self._webhook.verify(body, dict(headers), json_parse=False)
        except Exception as exc:  # the library raises several types for malformed headers
            raise ProblemError(401, "invalid_signature", f"signature check failed: {exc}") from exc

    def publish(self, body: bytes, headers: Mapping[str, str]) -> dict:
        """Verify, validate, deduplicate and record; returns the 202 body."""
        self.verify(body, headers)
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise bad_request("body is not valid JSON") from exc
        is_batch = isinstance(payload, list) or headers.get("content-type", "").startswith(BATCH_TYPE)
        if not is_batch:
            error = validation_error(payload)
            if error:
                raise bad_request(error)
            return {"accepted": True, "duplicate": self._accept(payload)}
        if not isinstance(payload, list) or not 1 <= len(payload) <= MAX_BATCH:
            raise bad_request(f"a batch is a JSON array of 1..{MAX_BATCH} CloudEvents")
        sources = {e.get("source") for e in payload if isinstance(e, dict)}
        if len(sources) > 1:
            raise bad_request("all events of a batch must share one source")
        results = []
        for event in payload:
            error = validation_error(event)
            ident = event if isinstance(event, dict) else {}
            result = {"id": ident.get("id"), "source": ident.get("source"), "accepted": error is None,
                      "duplicate": False, "error": None}
            if error:
                result["error"] = problem(400, "invalid_request", error)
            else:
                result["duplicate"] = self._accept(event)
            results.append(result)
        return {"results": results}

    def _accept(self, event: dict) -> bool:
        """Record a valid event; True when (source, id) was seen before."""
        key = (event["source"], event["id"])
        with self._lock:
            if key in self._seen:
                return True
            self._seen.add(key)
            self.received.append(Received(iso(self._clock()), event))
        self._on_event(event)
        return False

    def select(self, event_type: str | None) -> list[Received]:
        with self._lock:
            return [r for r in self.received if event_type is None or r.event["type"] == event_type]
