"""Reading the inbox of consumed events (stored encrypted, deduplicated on source and id)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import psycopg

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
    return [
        InboxEvent(source, event_id, kind, occurred, received, json.loads(cipher.decrypt(blob, DATA_CONTEXT)))
        for source, event_id, kind, occurred, received, blob in rows
    ]


def store(conn: psycopg.Connection, envelope: dict, cipher: PiiCipher) -> bool:
    """Record a validated CloudEvent durably (data encrypted); False when (source, id) was already stored."""
    inserted = conn.execute(
        "insert into app.inbox_events (source, event_id, type, subject, occurred_at, data_enc, traceparent) "
        "values (%s, %s, %s, %s, %s, %s, %s) on conflict (source, event_id) do nothing",
        (
            envelope["source"], envelope["id"], envelope["type"], envelope.get("subject"), envelope["time"],
            cipher.encrypt(json.dumps(envelope["data"]), DATA_CONTEXT), envelope.get("traceparent"),
        ),
    )
    return inserted.rowcount == 1
