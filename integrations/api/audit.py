"""The audit trail of unmasked personal data: who read which fields of whom, and through which endpoint.

It is written in the same transaction as the read it records, so a read that could not be recorded is not
answered either. Rows have the shape of the jobs' reads (`outreach.privacy.audit`), so one query answers both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import psycopg

from outreach.privacy.access import READ_ACTION
from outreach.privacy.audit import INSERT_SQL, AuditEntry


async def record_entries(conn: psycopg.AsyncConnection, entries: Iterable[AuditEntry]) -> None:
    for entry in entries:
        for part in entry.split():
            await conn.execute(INSERT_SQL, part.params())


async def record_read(conn: psycopg.AsyncConnection, *, actor: str, purpose: str, subject_kind: str,
                      subject_ids: Sequence[str], fields: Sequence[str], details: dict | None = None) -> None:
    await record_entries(conn, [AuditEntry(actor, READ_ACTION, purpose, subject_kind, subject_ids, fields,
                                           details or {})])
