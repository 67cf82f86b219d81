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
