"""`app.quarantine`: where rows that fail validation go, with their stage and reasons, never silently dropped.

The row itself is kept encrypted (it may hold contact data); the reason names fields and rules, never values.
A stage re-run for the same day and source replaces its quarantined rows, like the data it produced.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import psycopg

from outreach.privacy.crypto import PiiCipher

CONTEXT = "app.quarantine.payload"


@dataclass(frozen=True)
class QuarantinedRow:
    source: str
    source_record_id: str | None
    reason: str
    payload: object


def clear(conn: psycopg.Connection, stage: str, source: str, partition_date: date | None) -> None:
    conn.execute(
        "delete from app.quarantine where stage = %s and source = %s and partition_date is not distinct from %s",
        (stage, source, partition_date),
    )


def add(
    conn: psycopg.Connection,
    stage: str,
    partition_date: date | None,
    rows: Iterable[QuarantinedRow],
    cipher: PiiCipher,
) -> int:
    """Insert `rows` in the caller's transaction; returns how many."""
    values = [
        (stage, row.source, row.source_record_id, partition_date, row.reason,
         cipher.encrypt(json.dumps(row.payload, default=str), CONTEXT))
        for row in rows
    ]
    if values:
        with conn.cursor() as cur:
            cur.executemany(
                "insert into app.quarantine (stage, source, source_record_id, partition_date, reason, payload_enc) "
                "values (%s, %s, %s, %s, %s, %s)",
                values,
            )
    return len(values)
