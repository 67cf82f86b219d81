"""The outbox: a published event is written in the same transaction as the state change it reports.

A relay delivers the rows later (at least once); the event id is derived from what the event is about
(`uuid5(type, key)`), so repeating a state change - a re-run of a partition - never publishes it twice.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import psycopg

from integrations.contracts import event_data_validator
from outreach.observability.tracing import current_traceparent

SOURCE = "/instabids/ai-outreach"
EVENT_NAMESPACE = uuid.UUID("6f1c3a52-4a8e-4f0b-9a57-0d7c1b5e2f10")


class InvalidEventData(ValueError):
    """The data of an event we publish breaks its contract schema: a bug of ours, never sent."""


def event_id(event_type: str, key: str) -> uuid.UUID:
    return uuid.uuid5(EVENT_NAMESPACE, f"{event_type}:{key}")


def publish(
    conn: psycopg.Connection,
    event_type: str,
    key: str,
    data: dict,
    occurred_at: datetime,
    subject: str | None = None,
    traceparent: str | None = None,
) -> bool:
    """Queue an event in the caller's transaction; False when this (type, key) was already queued. The row keeps
    `traceparent`, by default the current span's, so the relay's delivery joins the trace that caused the event."""
    errors = sorted(event_data_validator(event_type).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(data)"
        raise InvalidEventData(f"{event_type} {where}: {errors[0].message}")
    inserted = conn.execute(
        "insert into app.outbox_events (event_id, type, subject, occurred_at, data, traceparent) "
        "values (%s, %s, %s, %s, %s, %s) on conflict (event_id) do nothing",
        (event_id(event_type, key), event_type, subject, occurred_at, json.dumps(data),
         traceparent or current_traceparent()),
    )
    return inserted.rowcount == 1
