"""N simulated days of the pipeline against the sandbox: the closed loop in which the scoring model is evaluated.

The sandbox's clock stands for time. For each day D, starting on the sandbox's first day:

    D+1 05:00  the sandbox clock is set (it enters the new day: projects, referrals, demand changes), events due
               are exchanged, then the daily pipeline runs for partition D (ingest, discover, enrich, resolve, dbt,
               score, send the day's batches - the sandbox answers them by its hidden propensities), and events
               are exchanged again; when D+1 is a Monday the week that just ended is retrained and gated
    D+1 11:00, 17:00, 23:00  the clock moves on and the events due are exchanged again

Exchanging events is what the platform's sensors do all day: the sandbox delivers what fell due (replies, delivery
statuses, sign-ups, verifications, referrals...) as signed webhooks to our API, which stores them in the inbox;
every pending inbox event is handled (`outreach.events.processing.process_pending`: replies are analysed, interested
prospects get an account, sign-ups convert) and the outbox is relayed to the sandbox's event bus. Handlers and the
relay run on the wall clock, like `outreach events process`, because the inbox schedules retries on it.

How the daily pipeline and the weekly retrain run is the caller's choice (`Pipeline`): `outreach simulate`
materializes the Dagster jobs in process, so the simulation exercises the very asset graph, quality gates and
promotion check that production runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final, Protocol

import httpx
import psycopg

from outreach.domain_clients import build_clients
from outreach.events.handlers import handler_context, handlers
from outreach.events.processing import process_pending
from outreach.events.relay import relay_pending
from outreach.scoring.registry_store import production_version
from outreach.settings import Settings
from outreach.simulation.sandbox_control import SandboxControl

PIPELINE_HOUR: Final = 5
EXCHANGE_HOURS: Final = (11, 17, 23)
RETRAIN_WEEKDAY: Final = 0
"""Monday: a week (Monday to Sunday) is retrained once it has ended."""


class Pipeline(Protocol):
    """Runs the platform's scheduled work for a simulated day or week; False when the run failed."""

    def run_day(self, day: date) -> bool: ...

    def retrain_week(self, week_start: date) -> bool: ...


@dataclass(frozen=True)
class DayReport:
    day: date
    pipeline_ok: bool
    retrained_week: date | None
    retrain_ok: bool | None
    events_handled: int
    contacted: int
    """Prospects contacted for the first time so far."""
    converted: int
    """Prospects converted so far."""
    production_version: str | None
    wall_seconds: float


@dataclass
class EventExchange:
    """One round of what the sensors do: sandbox delivery, inbox handling, outbox relay."""

    settings: Settings
    control: SandboxControl
    database_url: str

    def __call__(self) -> int:
        self.control.flush()
        now = datetime.now(UTC)
        with psycopg.connect(self.database_url) as conn, build_clients(self.settings) as clients, \
                httpx.Client(timeout=30) as http:
            handled = process_pending(conn, handlers(), handler_context(self.settings, now, clients))
            relay_pending(conn, http, self.settings.event_bus_url(), self.settings.event_bus_signing_secret(), now)
        return handled.processed


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour)


def _progress(conn: psycopg.Connection) -> tuple[int, int, str | None]:
    contacted, converted = conn.execute(
        "select (select count(distinct prospect_id) from app.outreach_messages where message_id is not null), "
        "(select count(*) from app.prospects where converted_at is not null)"
    ).fetchone()
    return int(contacted), int(converted), production_version(conn)


def simulate(
    first_day: date,
    days: int,
    pipeline: Pipeline,
    control: SandboxControl,
    exchange: Callable[[], int],
    database_url: str,
    on_day: Callable[[DayReport], None] = lambda report: None,
) -> list[DayReport]:
    """Run `days` simulated days from `first_day` (the module docstring); returns one report per day."""
    reports = []
    for offset in range(days):
        started = time.monotonic()
        day = first_day + timedelta(days=offset)
        next_day = day + timedelta(days=1)
        control.set_clock(_at(next_day, PIPELINE_HOUR))
        handled = exchange()
        ok = pipeline.run_day(day)
        handled += exchange()
        week, retrain_ok = None, None
        if next_day.weekday() == RETRAIN_WEEKDAY:
            week = next_day - timedelta(days=7)
            retrain_ok = pipeline.retrain_week(week)
        for hour in EXCHANGE_HOURS:
            control.set_clock(_at(next_day, hour))
            handled += exchange()
        with psycopg.connect(database_url) as conn:
            contacted, converted, version = _progress(conn)
        report = DayReport(day, ok, week, retrain_ok, handled, contacted, converted, version,
                           round(time.monotonic() - started, 1))
        on_day(report)
        reports.append(report)
    return reports
