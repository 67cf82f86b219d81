"""The audit trail of unmasked personal data: who read which fields of whom, and through which endpoint.

It is written in the same transaction as the read it records, so a read that could not be recorded is not
answered either.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import psycopg


async def record_read(conn: psycopg.AsyncConnection, *, actor: str, purpose: str, subject_kind: str,
                      subject_ids: Sequence[str], fields: Sequence[str], details: dict | None = None) -> None:
    await conn.execute(
        "insert into app.audit_log (actor, action, purpose, subject_kind, subject_ids, fields, details) "
        "values (%s, 'read_pii', %s, %s, %s, %s, %s)",
        (actor, purpose, subject_kind, list(subject_ids), sorted(set(fields)), json.dumps(details or {})),
    )
