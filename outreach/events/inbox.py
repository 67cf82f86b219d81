"""Reading the inbox of consumed events (stored encrypted, deduplicated on source and id)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import psycopg

from outreach.observability.tracing import current_traceparent
from outreach.privacy.access import PiiReader
from outreach.privacy.crypto import PiiCipher

DATA_CONTEXT = "app.inbox_events.data"


@dataclass(frozen=True)
class InboxEvent:
    source: str
    event_id: str
    type: str
    occurred_at: datetime
    received_at: datetime
    data: dict


def events_received_on(
    conn: psycopg.Connection, event_type: str, day: date, cipher: PiiCipher
) -> list[InboxEvent]:
    """Events of `event_type` received on `day` (UTC), oldest first, data decrypted."""
    rows = conn.execute(
        "select source, event_id, type, occurred_at, received_at, data_enc from app.inbox_events "
        "where type = %s and (received_at at time zone 'UTC')::date = %s order by inbox_id",
        (event_type, day),
    )
    reader = PiiReader(cipher, f"daily reading of {event_type}")
    events = [
        InboxEvent(source, event_id, kind, occurred, received,
                   json.loads(reader.decrypt(blob, DATA_CONTEXT, f"{source}:{event_id}")))
        for source, event_id, kind, occurred, received, blob in rows
    ]
    reader.record(conn)
    return events


INSERT_COLUMNS = "source, event_id, type, subject, occurred_at, data_enc, traceparent"
"""The columns an inbox row is written with, in the order of `inbox_row` (the API's intake writes them too)."""


def inbox_row(source: str, event_id: str, event_type: str, subject: str | None, occurred_at: object, data: dict,
              traceparent: str | None, cipher: PiiCipher) -> tuple:
    """One inbox row in `INSERT_COLUMNS` order, the event data encrypted; the trace context kept is the event's
    own (`traceparent`, its producer's), else the current one (the API request that received it)."""
    sealed = cipher.encrypt(json.dumps(data, separators=(",", ":")), DATA_CONTEXT)
    return (source, event_id, event_type, subject, occurred_at, sealed, traceparent or current_traceparent())


def store(conn: psycopg.Connection, envelope: dict, cipher: PiiCipher) -> bool:
    """Record a validated CloudEvent durably (data encrypted); False when (source, id) was already stored."""
    row = inbox_row(envelope["source"], envelope["id"], envelope["type"], envelope.get("subject"), envelope["time"],
                    envelope["data"], envelope.get("traceparent"), cipher)
    inserted = conn.execute(
        f"insert into app.inbox_events ({INSERT_COLUMNS}) values (%s, %s, %s, %s, %s, %s, %s) "
        "on conflict (source, event_id) do nothing",
        row,
    )
    return inserted.rowcount == 1
