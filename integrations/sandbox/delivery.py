"""Delivery of emitted events to our API: structured CloudEvents signed per Standard Webhooks.

Each event goes to `webhook_url` + its contract path, signed with its sending domain's secret (chosen by the
event source). Several due events of one source for `/ai-outreach/events` go as one
`application/cloudevents-batch+json` request of up to 100; the message and verification webhooks take one
event per request. Any non-2xx or timeout is retried with exponential backoff (1 s, 2 s, 4 s ... capped at
60 s, on the wall clock) until `max_attempts`, then the event is `failed`. The signature timestamp is wall
time, since receivers check it against their own clock.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from standardwebhooks import Webhook

from integrations.sandbox.events import EVENTS_PATH, Emitted, EventLog
from integrations.sandbox.ids import iso

BATCH_SIZE = 100


def signed_headers(secret: str, message_id: str, body: str, content_type: str) -> dict[str, str]:
    moment = datetime.now(tz=UTC)
    return {
        "content-type": content_type,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, moment, body),
    }


class Deliverer:
    def __init__(self, log: EventLog, secret_for: Callable[[str], str], webhook_url: Callable[[], str | None],
                 timeout: float, max_attempts: int) -> None:
        self._log = log
        self._secret_for = secret_for
        self._webhook_url = webhook_url
        self._max_attempts = max_attempts
        self._lock = threading.Lock()  # one delivery pass at a time: no event is sent twice concurrently
        self._client = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def deliver(self, ignore_backoff: bool = False) -> dict[str, int]:
        """One pass over pending events; returns counts of this pass."""
        with self._lock:
            pending = self._log.deliverable(time.monotonic(), ignore_backoff)
            base = self._webhook_url()
            if not base:
                return {"attempted": 0, "delivered": 0, "failed": 0, "undeliverable": len(pending)}
            delivered = failed = 0
            for group in self._groups(pending):
                if self._send(base.rstrip("/"), group):
                    delivered += len(group)
                else:
                    failed += len(group)
            return {"attempted": delivered + failed, "delivered": delivered, "failed": failed, "undeliverable": 0}

    @staticmethod
    def _groups(pending: list[Emitted]) -> list[list[Emitted]]:
        singles: list[list[Emitted]] = []
        batches: dict[str, list[Emitted]] = {}
        for emitted in pending:
            if emitted.path == EVENTS_PATH:
                batches.setdefault(emitted.service, []).append(emitted)
            else:
                singles.append([emitted])
        groups = singles
        for events in batches.values():
            groups.extend(events[i : i + BATCH_SIZE] for i in range(0, len(events), BATCH_SIZE))
        return groups

    def _send(self, base: str, group: list[Emitted]) -> bool:
        first = group[0]
        if len(group) == 1:
            body = json.dumps(first.event, separators=(",", ":"))
            message_id, content_type = first.event["id"], "application/cloudevents+json"
        else:
            body = json.dumps([e.event for e in group], separators=(",", ":"))
            ids = ",".join(e.event["id"] for e in group)
            message_id = "msg_" + hashlib.sha256(ids.encode()).hexdigest()[:32]
            content_type = "application/cloudevents-batch+json"
        headers = signed_headers(self._secret_for(first.service), message_id, body, content_type)
        status_code: int | None = None
        error: str | None = None
        try:
            response = self._client.post(base + first.path, content=body.encode(), headers=headers)
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}: {response.text[:200]}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        now = time.monotonic()
        for emitted in group:
            emitted.attempts += 1
            emitted.last_status_code, emitted.last_error = status_code, error
            if error is None:
                emitted.delivered_at = iso(time.time())
                self._log.settle(emitted, "delivered")
            elif emitted.attempts >= self._max_attempts:
                self._log.settle(emitted, "failed")
            else:
                emitted.next_attempt = now + min(60.0, 2.0 ** (emitted.attempts - 1))
        return error is None
