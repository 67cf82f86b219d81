"""The outbox relay: deliver pending published events to the event bus, at least once, with backoff.

Rows are claimed with `for update skip locked` (several relays never send one event concurrently), delivered one
by one, and marked `delivered`, or rescheduled with exponential backoff, or `dead` after `max_attempts`. The bus
deduplicates on (source, id), so a crash between delivery and marking only causes a harmless duplicate. Each
delivery is a producer span continuing the trace stored with the row; the CloudEvent's `traceparent` names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import httpx
import psycopg

from integrations.events.delivery import deliver, envelope
from outreach.events.outbox import SOURCE
from outreach.events.processing import backoff
from outreach.observability.events import publishing


@dataclass(frozen=True)
class RelayResult:
    delivered: int = 0
    retrying: int = 0
    dead: int = 0


def relay_pending(
    conn: psycopg.Connection,
    client: httpx.Client,
    bus_url: str,
    secret: str,
    now: datetime,
    *,
    batch_size: int = 200,
    max_attempts: int = 8,
) -> RelayResult:
    """Deliver every due event once; commits after each batch."""
    delivered = retrying = dead = 0
    while True:
        with conn.transaction():
            rows = conn.execute(
                "select event_id, type, subject, occurred_at, data, traceparent, attempts from app.outbox_events "
                "where status = 'pending' and next_attempt_at <= %s order by created_at, event_id "
                "limit %s for update skip locked",
                (now, batch_size),
            ).fetchall()
            for event_id, kind, subject, occurred_at, data, traceparent, attempts in rows:
                with publishing(kind, SOURCE, str(event_id), traceparent) as publication:
                    event = envelope(str(event_id), SOURCE, kind, occurred_at, data, subject, publication.traceparent)
                    outcome = deliver(client, bus_url, secret, event, now)
                    publication.finish(outcome.delivered, outcome.error)
                attempts += 1
                if outcome.delivered:
                    delivered += 1
                    conn.execute(
                        "update app.outbox_events set status = 'delivered', attempts = %s, delivered_at = %s, "
                        "last_error = null where event_id = %s",
                        (attempts, now, event_id),
                    )
                    continue
                is_dead = attempts >= max_attempts
                dead += is_dead
                retrying += not is_dead
                conn.execute(
                    "update app.outbox_events set status = %s, attempts = %s, last_error = %s, "
                    "next_attempt_at = %s where event_id = %s",
                    ("dead" if is_dead else "pending", attempts, outcome.error, now + backoff(attempts), event_id),
                )
        if len(rows) < batch_size:
            return RelayResult(delivered, retrying, dead)
