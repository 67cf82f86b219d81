"""OpenTelemetry tracing: the process's tracer provider, and trace context carried through stored rows.

An event's trace crosses processes and time: the API stores the `traceparent` of the request that received it
with the inbox row; the run that handles it hours later continues that context (`continued_span`), and what the
handler publishes stores the handler's context with the outbox row, which the relay continues in turn. So one
trace shows a reply from its webhook to the opt-out confirmation it caused.

A provider is installed even when nothing is exported (`OTEL_TRACES_EXPORTER=none`): spans then still give every
log line a trace id and every outbound call a `traceparent`, for a few microseconds per span.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import Link, Span, SpanKind

EXPORTERS = ("console", "otlp", "none")


def exporter_names(setting: str, variable: str) -> list[str]:
    """The exporters named by an `OTEL_*_EXPORTER` value (comma-separated, as the OTel spec allows)."""
    names = [name.strip().lower() for name in setting.split(",") if name.strip()]
    unknown = [name for name in names if name not in EXPORTERS]
    if unknown:
        raise ValueError(f"{variable}: unknown exporter {', '.join(unknown)}; use {', '.join(EXPORTERS)}")
    return [name for name in names if name != "none"]


def span_exporter(name: str) -> SpanExporter:
    """`console` writes spans to stdout; `otlp` sends them over OTLP/HTTP to `OTEL_EXPORTER_OTLP_ENDPOINT`."""
    if name == "console":
        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def tracer_provider(resource: Resource | None = None) -> TracerProvider:
    """The process's SDK tracer provider, installed globally on first use (OTel allows one per process)."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider(resource=resource or Resource.create())
    trace.set_tracer_provider(provider)
    return trace.get_tracer_provider()  # type: ignore[return-value]


def configure_tracing(resource: Resource, exporters: list[str]) -> TracerProvider:
    """Install the provider with a batching processor per configured exporter (none: spans are not exported)."""
    provider = tracer_provider(resource)
    for name in exporters:
        provider.add_span_processor(BatchSpanProcessor(span_exporter(name)))
    return provider


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the current span, or None outside any recorded trace."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def extracted(traceparent: str | None) -> otel_context.Context | None:
    """The remote context a stored `traceparent` names, or None when it is absent or malformed."""
    if not traceparent:
        return None
    context = propagate.extract({"traceparent": traceparent})
    return context if trace.get_current_span(context).get_span_context().is_valid else None


@contextmanager
def continued_span(name: str, traceparent: str | None, *, kind: SpanKind,
                   attributes: Mapping[str, str | int] | None = None) -> Iterator[Span]:
    """A span continuing the stored context `traceparent`, linked to the span that was current (the run handling
    a batch), so both the event's trace and the run's are navigable; without a stored context, a child of the
    current span."""
    stored = extracted(traceparent)
    current = trace.get_current_span().get_span_context()
    links = [Link(current)] if stored is not None and current.is_valid else None
    tracer = trace.get_tracer(__name__)
    with tracer.start_as_current_span(name, context=stored, kind=kind, attributes=attributes, links=links) as span:
        yield span
