"""Handling the inbox: each pending event once, by the handler of its type, with retries and dead letters.

Sensors, `outreach events process` and the closed-loop simulation all call `process_pending`. Each event is
claimed with `for update skip locked` and handled in a transaction of its own, committed with its new status: so
concurrent workers never handle one event twice, a worker holds the locks of one event at a time (no deadlock
between workers whose events touch the same prospects in another order), and a process killed mid-event loses
only that event's uncommitted work, which the next run does again. The handler runs in a savepoint, so a failing
handler leaves no partial state. A failure is retried with exponential backoff (`next_attempt_at`); after
`max_attempts` the event is dead-lettered (status `dead`) until an operator redrives it. Handlers are idempotent
(statuses only move forward, published events are keyed), which is what makes at-least-once delivery, redrive and
replay safe.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import psycopg

from outreach.events.inbox import DATA_CONTEXT, InboxEvent
from outreach.observability.events import handling
from outreach.privacy.access import PiiReader
from outreach.privacy.crypto import PiiCipher

BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=6)


@dataclass
class HandlerContext:
    """What handlers need besides the connection: crypto, the domain clients, the clock of this run."""

    cipher: PiiCipher
    now: datetime
    services: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[psycopg.Connection, InboxEvent, HandlerContext], None]


@dataclass(frozen=True)
class ProcessResult:
    processed: int = 0
    retrying: int = 0
    dead: int = 0

    def __add__(self, other: ProcessResult) -> ProcessResult:
        return ProcessResult(self.processed + other.processed, self.retrying + other.retrying, self.dead + other.dead)


def backoff(attempts: int) -> timedelta:
    return min(BASE_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _describe(error: Exception) -> str:
    """The error as stored: its type and first line, trimmed (handlers' own errors carry no contact data)."""
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:300]


_DUE = (
    "select inbox_id from app.inbox_events where status in ('pending', 'failed') and next_attempt_at <= %s "
    "and type = any(%s) and inbox_id > %s order by inbox_id limit %s"
)
_CLAIM = (
    "select source, event_id, type, occurred_at, received_at, data_enc, traceparent, attempts from app.inbox_events "
    "where inbox_id = %s and status in ('pending', 'failed') and next_attempt_at <= %s for update skip locked"
)


def process_pending(
    conn: psycopg.Connection,
    handlers: Mapping[str, Handler],
    context: HandlerContext,
    *,
    batch_size: int = 200,
    max_attempts: int = 5,
    types: tuple[str, ...] | None = None,
) -> ProcessResult:
    """Handle every due event (of `types`, default all handled types) once, committing after each event.

    Due events are listed a page at a time (without locks), then each is claimed and handled in its own
    transaction; one that another worker holds or finished meanwhile is skipped. `conn` must have no open
    transaction (else the commits become savepoints of the caller's transaction).
    """
    wanted = list(types or handlers)
    total = ProcessResult()
    after = 0
    while True:
        with conn.transaction():
            page = [r[0] for r in conn.execute(_DUE, (context.now, wanted, after, batch_size))]
        for inbox_id in page:
            with conn.transaction():
                claimed = conn.execute(_CLAIM, (inbox_id, context.now)).fetchone()
                if claimed is None:
                    continue  # another worker holds it or has handled it
                *stored, attempts = claimed
                total += _handle_one(conn, inbox_id, tuple(stored), attempts, handlers[stored[2]], context,
                                     max_attempts)
        if len(page) < batch_size:
            return total
        after = page[-1]


def _handle_one(conn, inbox_id: int, stored: tuple, attempts: int, handler: Handler,
                context: HandlerContext, max_attempts: int) -> ProcessResult:
    source, event_id, kind, occurred, received, blob, traceparent = stored
    try:
        # Decrypting is part of handling: an event no key can read is dead-lettered, not a crash of the run.
        with handling(kind, source, event_id, traceparent):  # continues the trace of the request that stored it
            reader = PiiReader(context.cipher, f"handling {kind}")
            event = InboxEvent(source, event_id, kind, occurred, received,
                               json.loads(reader.decrypt(blob, DATA_CONTEXT, f"{source}:{event_id}")))
            reader.record(conn)
            with conn.transaction():
                handler(conn, event, context)
    except Exception as error:  # any handler failure is recorded and retried, never lost
        attempts += 1
        dead = attempts >= max_attempts
        conn.execute(
            "update app.inbox_events set status = %s, attempts = %s, last_error = %s, next_attempt_at = %s "
            "where inbox_id = %s",
            ("dead" if dead else "failed", attempts, _describe(error), context.now + backoff(attempts), inbox_id),
        )
        return ProcessResult(dead=1) if dead else ProcessResult(retrying=1)
    conn.execute(
        "update app.inbox_events set status = 'processed', attempts = %s, processed_at = %s, last_error = null "
        "where inbox_id = %s",
        (attempts + 1, context.now, inbox_id),
    )
    return ProcessResult(processed=1)


def dead_letters(conn: psycopg.Connection, limit: int = 100) -> list[dict]:
    rows = conn.execute(
        "select inbox_id, source, event_id, type, attempts, last_error, received_at from app.inbox_events "
        "where status = 'dead' order by inbox_id limit %s",
        (limit,),
    )
    names = ("inbox_id", "source", "event_id", "type", "attempts", "last_error", "received_at")
    return [dict(zip(names, row, strict=True)) for row in rows]


def redrive(conn: psycopg.Connection, inbox_id: int | None = None) -> int:
    """Put one dead event (or all of them) back in the queue with a fresh attempt count."""
    result = conn.execute(
        "update app.inbox_events set status = 'pending', attempts = 0, next_attempt_at = now() "
        "where status = 'dead' and (%s::bigint is null or inbox_id = %s)",
        (inbox_id, inbox_id),
    )
    return result.rowcount


def replay(conn: psycopg.Connection, since: datetime) -> int:
    """Queue every processed event received since `since` again; idempotent handlers make this a rebuild."""
    result = conn.execute(
        "update app.inbox_events set status = 'pending', attempts = 0, next_attempt_at = now() "
        "where status = 'processed' and received_at >= %s",
        (since,),
    )
    return result.rowcount
