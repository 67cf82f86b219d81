"""The audit log of personal data (`app.audit_log`): who (a person, client or job) did what to whose data, and why.

Rows are append-only. Reads of decrypted contact data come from `outreach.privacy.access.PiiReader` (jobs, CLI)
and from the API (`integrations.api.audit`); DSAR fulfilment, erasures, retention and key rotation write their own
actions. Subject ids are pseudonymous (prospect ids, record keys, request ids), never contact values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import psycopg

INSERT_SQL = (
    "insert into app.audit_log (actor, action, purpose, subject_kind, subject_ids, fields, details) "
    "values (%s, %s, %s, %s, %s, %s, %s)"
)
MAX_SUBJECTS_PER_ROW = 5000
"""A bulk read (entity resolution over every source record) is split into rows of at most this many subjects."""


@dataclass(frozen=True)
class AuditEntry:
    actor: str
    action: str
    purpose: str
    subject_kind: str
    subject_ids: Sequence[str] = ()
    fields: Sequence[str] = ()
    details: dict = field(default_factory=dict)

    def params(self) -> tuple:
        """The values of `INSERT_SQL` (shared by the sync writer here and the API's async one)."""
        return (self.actor, self.action, self.purpose, self.subject_kind, list(self.subject_ids),
                sorted(set(self.fields)), json.dumps(self.details, default=str))

    def split(self) -> list[AuditEntry]:
        """This entry as rows of at most `MAX_SUBJECTS_PER_ROW` subjects (one row when there are fewer)."""
        ids = list(self.subject_ids)
        if len(ids) <= MAX_SUBJECTS_PER_ROW:
            return [self]
        return [AuditEntry(self.actor, self.action, self.purpose, self.subject_kind,
                           ids[i : i + MAX_SUBJECTS_PER_ROW], self.fields, self.details)
                for i in range(0, len(ids), MAX_SUBJECTS_PER_ROW)]


def write(conn: psycopg.Connection, entries: Iterable[AuditEntry]) -> int:
    """Append `entries` in the caller's transaction (a savepoint if one is open, else its own); returns rows."""
    rows = [part.params() for entry in entries for part in entry.split()]
    if rows:
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany(INSERT_SQL, rows)
    return len(rows)


@dataclass(frozen=True)
class AuditRecord:
    audit_id: int
    occurred_at: datetime
    actor: str
    action: str
    purpose: str
    subject_kind: str
    subject_ids: list[str]
    fields: list[str]
    details: dict


def query(conn: psycopg.Connection, *, since: datetime | None = None, actor: str | None = None,
          action: str | None = None, subject_id: str | None = None, limit: int = 1000) -> list[AuditRecord]:
    """Audit rows, newest first, filtered by time, actor, action and subject (an admin's question)."""
    rows = conn.execute(
        "select audit_id, occurred_at, actor, action, purpose, subject_kind, subject_ids, fields, details "
        "from app.audit_log where (%(since)s::timestamptz is null or occurred_at >= %(since)s) "
        "and (%(actor)s::text is null or actor = %(actor)s) and (%(action)s::text is null or action = %(action)s) "
        "and (%(subject)s::text is null or subject_ids @> array[%(subject)s::text]) "
        "order by audit_id desc limit %(limit)s",
        {"since": since, "actor": actor, "action": action, "subject": subject_id, "limit": limit},
    ).fetchall()
    return [AuditRecord(*row) for row in rows]
