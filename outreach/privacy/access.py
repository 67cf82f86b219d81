"""The one audited way to read decrypted contact data: `PiiReader`.

Every module that needs a clear value (enrichment, resolution, sends, event handlers, DSAR, the API) decrypts
through a reader that names *why* (its purpose) and records *what* it read of *whom* (table, fields, subject ids);
`record(conn)` appends that to `app.audit_log` in the caller's transaction. *Who* is the actor: a person or API
client when one is known, else the Dagster run (registered by `orchestration.privacy`), else the OS user and
program. `tests/unit/test_privacy_access.py` fails if code outside `outreach/privacy` calls the cipher directly.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from outreach.privacy import audit
from outreach.privacy.audit import AuditEntry
from outreach.privacy.crypto import PiiCipher

READ_ACTION = "read_pii"

_actor: ContextVar[str | None] = ContextVar("pii_actor", default=None)
_actor_providers: list[Callable[[], str | None]] = []


def register_actor_provider(provider: Callable[[], str | None]) -> None:
    """Add a source of the current actor (e.g. the Dagster run in scope); it returns None when it does not apply."""
    if provider not in _actor_providers:
        _actor_providers.append(provider)


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Attribute every read inside the block to `actor` (an admin's name, an API client, a job)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> str:
    """Who reads now: `acting_as`, else a registered provider, else `os-user:<user>/<program>`."""
    if actor := _actor.get():
        return actor
    for provider in _actor_providers:
        if actor := provider():
            return actor
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        user = "unknown"
    return f"os-user:{user}/{Path(sys.argv[0]).name or 'python'}"


@dataclass
class _Reads:
    fields: set[str] = field(default_factory=set)
    subjects: dict[str, None] = field(default_factory=dict)  # insertion-ordered set
    count: int = 0


class PiiReader:
    """Decrypts for one purpose and remembers what it read until `record` writes it to the audit log."""

    def __init__(self, cipher: PiiCipher, purpose: str, *, actor: str | None = None) -> None:
        self._cipher = cipher
        self.purpose = purpose
        self.actor = actor
        self._reads: dict[str, _Reads] = {}

    def decrypt(self, blob: bytes | None, context: str, subject_id: object = None) -> str | None:
        """The clear value of `blob` (column `context` = `schema.table.field`), counted against `subject_id`."""
        value = self._cipher.decrypt(blob, context)
        if blob is not None:
            table, _, column = context.rpartition(".")
            reads = self._reads.setdefault(table, _Reads())
            reads.fields.add(column)
            reads.count += 1
            if subject_id is not None:
                reads.subjects[str(subject_id)] = None
        return value

    def entries(self) -> list[AuditEntry]:
        """What was read since the last `record`, one entry per table."""
        actor = self.actor or current_actor()
        return [
            AuditEntry(actor, READ_ACTION, self.purpose, table, list(reads.subjects), sorted(reads.fields),
                       {"values_read": reads.count})
            for table, reads in sorted(self._reads.items())
        ]

    def take(self) -> list[AuditEntry]:
        """`entries()`, then forget them (for writers other than `record`, e.g. the API's async connection)."""
        entries = self.entries()
        self._reads.clear()
        return entries

    def record(self, conn: psycopg.Connection) -> int:
        """Append the reads to `app.audit_log` in the caller's transaction; returns the rows written."""
        return audit.write(conn, self.take())
