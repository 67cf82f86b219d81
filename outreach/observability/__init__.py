"""Observability of every process of the platform: structured logs, OpenTelemetry traces and metrics.

Each face (the CLI, the API server, the Dagster code location) calls `configure_observability` once; the rest of
the code only uses the OpenTelemetry and logging APIs. See docs/observability.md.
"""

from __future__ import annotations

from collections.abc import Callable

from outreach.observability.logs import configure_logging

__all__ = ["configure_logging", "configure_observability", "configure_telemetry"]

_telemetry_configured = False


def configure_telemetry(service_name: str, *, dead_letters_from: Callable[[], str] | None = None) -> None:
    """Install the tracer and meter providers with the exporters of `OTEL_TRACES_EXPORTER` and
    `OTEL_METRICS_EXPORTER` (console, otlp or none; default none). Once per process: later calls change nothing.
    With `dead_letters_from` (a database URL getter) and a metrics exporter, the dead-letter depth is reported."""
    global _telemetry_configured
    if _telemetry_configured:
        return
    from opentelemetry.sdk.resources import Resource

    from outreach.observability.metrics import configure_metrics, watch_dead_letters
    from outreach.observability.tracing import configure_tracing, exporter_names
    from outreach.settings import Settings

    settings = Settings()
    traces = exporter_names(settings.traces_exporter, "OTEL_TRACES_EXPORTER")
    metric_exporters = exporter_names(settings.metrics_exporter, "OTEL_METRICS_EXPORTER")
    resource = Resource.create({"service.name": settings.service_name or service_name})
    configure_tracing(resource, traces)
    configure_metrics(resource, metric_exporters)
    if metric_exporters and dead_letters_from is not None:
        watch_dead_letters(dead_letters_from)
    _telemetry_configured = True


def configure_observability(service_name: str, *, default_level: str = "INFO",
                            dead_letters_from: Callable[[], str] | None = None) -> None:
    """Logs and telemetry of a process, as each face wants them."""
    configure_logging(default_level=default_level)
    configure_telemetry(service_name, dead_letters_from=dead_letters_from)
