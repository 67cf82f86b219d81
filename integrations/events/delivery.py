"""Deliver one published event: a structured-mode CloudEvent, signed per Standard Webhooks, POSTed to a URL.

An adapter: it knows CloudEvents, the signature scheme and HTTP, nothing of the outbox. Any 2xx is delivered;
anything else (or a network error) is reported for the caller to retry with backoff.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import httpx
from standardwebhooks.webhooks import Webhook

CONTENT_TYPE = "application/cloudevents+json"


def envelope(event_id: str, source: str, event_type: str, occurred_at: datetime, data: dict,
             subject: str | None = None, traceparent: str | None = None) -> dict:
    """A CloudEvents 1.0 structured envelope (optional attributes only when set)."""
    event = {
        "specversion": "1.0",
        "id": event_id,
        "source": source,
        "type": event_type,
        "time": occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "datacontenttype": "application/json",
        "data": data,
    }
    if subject:
        event["subject"] = subject
    if traceparent:
        event["traceparent"] = traceparent
    return event


def signed_headers(secret: str, message_id: str, body: str, timestamp: datetime) -> dict[str, str]:
    signature = Webhook(secret).sign(message_id, timestamp, body)
    return {
        "content-type": CONTENT_TYPE,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }


@dataclass(frozen=True)
class DeliveryOutcome:
    delivered: bool
    status: int | None
    error: str | None


def deliver(client: httpx.Client, url: str, secret: str, event: dict, now: datetime) -> DeliveryOutcome:
    """POST `event` once; the webhook id is the event id, so a retry is recognisably the same message."""
    body = json.dumps(event, separators=(",", ":"))
    headers = signed_headers(secret, event["id"], body, now)
    if event.get("traceparent"):
        headers["traceparent"] = event["traceparent"]
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        return DeliveryOutcome(False, None, type(error).__name__)
    if response.is_success:
        return DeliveryOutcome(True, response.status_code, None)
    return DeliveryOutcome(False, response.status_code, f"HTTP {response.status_code}")
