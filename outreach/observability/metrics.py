"""Integration-health metrics through the OpenTelemetry metrics API: the process's meter provider, the
instruments of event handling and publishing, and the dead-letter depth.

The HTTP layer (`integrations.instabids.http`) records its own instruments (calls, errors, latency, retries,
breaker state) through the same API; an adapter does not import the core, and needs not: the provider installed
here serves every meter of the process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource

log = logging.getLogger(__name__)

_meter = metrics.get_meter("outreach.events")
EVENTS_HANDLED = _meter.create_counter(
    "outreach.events.handled", unit="{event}", description="Inbox events handled, by type and outcome")
HANDLING_DURATION = _meter.create_histogram(
    "outreach.events.handling.duration", unit="s", description="Time to handle one inbox event")
EVENTS_PUBLISHED = _meter.create_counter(
    "outreach.events.published", unit="{event}", description="Outbox deliveries to the event bus, by outcome")

DEAD_LETTERS_SQL = (
    "select 'inbox', count(*) from app.inbox_events where status = 'dead' "
    "union all select 'outbox', count(*) from app.outbox_events where status = 'dead'"
)


def metric_reader(name: str) -> MetricReader:
    """`console` prints, `otlp` sends over OTLP/HTTP; both every `OTEL_METRIC_EXPORT_INTERVAL` ms (60 s)."""
    if name == "console":
        return PeriodicExportingMetricReader(ConsoleMetricExporter())
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

    return PeriodicExportingMetricReader(OTLPMetricExporter())


def meter_provider(resource: Resource | None = None) -> MeterProvider:
    """The process's SDK meter provider, installed globally on first use (OTel allows one per process)."""
    current = metrics.get_meter_provider()
    if isinstance(current, MeterProvider):
        return current
    metrics.set_meter_provider(MeterProvider(resource=resource or Resource.create()))
    return metrics.get_meter_provider()  # type: ignore[return-value]


def configure_metrics(resource: Resource, exporters: list[str]) -> MeterProvider:
    provider = meter_provider(resource)
    for name in exporters:
        provider.add_metric_reader(metric_reader(name))
    return provider


def dead_letter_depth(database_url: str) -> list[Observation]:
    """The number of dead-lettered events per queue (inbox, outbox); none when the database cannot be read."""
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=5) as conn:
            rows = conn.execute(DEAD_LETTERS_SQL).fetchall()
    except psycopg.Error as exc:
        log.warning("dead-letter depth unavailable: %s", type(exc).__name__)
        return []
    return [Observation(count, {"queue": queue}) for queue, count in rows]


def watch_dead_letters(database_url: Callable[[], str]) -> None:
    """Report `outreach.events.dead_letters` whenever a reader collects: a level, not a count of events, so a
    redrive shows as the depth going down."""

    def observe(_: CallbackOptions) -> Iterable[Observation]:
        return dead_letter_depth(database_url())

    _meter.create_observable_gauge("outreach.events.dead_letters", callbacks=[observe], unit="{event}",
                                   description="Events waiting in dead letters, by queue (inbox, outbox)")
