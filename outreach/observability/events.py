"""Spans and metrics around the two ends of event processing: handling an inbox event, publishing an outbox one.

Both continue the trace context stored with the row (`traceparent`), so the handling run joins the trace of the
API request that received the event, and the delivery to the bus joins the trace of the handler that published.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from outreach.observability.metrics import EVENTS_HANDLED, EVENTS_PUBLISHED, HANDLING_DURATION
from outreach.observability.tracing import continued_span, current_traceparent


def _attributes(event_type: str, source: str, event_id: str) -> dict[str, str]:
    """The OTel semantic conventions' CloudEvents attributes (ids only: never the event's data)."""
    return {"cloudevents.event_type": event_type, "cloudevents.event_source": source,
            "cloudevents.event_id": event_id}


@contextmanager
def handling(event_type: str, source: str, event_id: str, traceparent: str | None) -> Iterator[Span]:
    """The span of one inbox event's handling (its stored context continued), counted and timed by outcome; an
    exception marks the span as failed and passes through to the caller's retry bookkeeping."""
    started = time.perf_counter()
    outcome = "failed"
    try:
        with continued_span(f"handle {event_type}", traceparent, kind=SpanKind.CONSUMER,
                            attributes=_attributes(event_type, source, event_id)) as span:
            yield span
        outcome = "processed"
    finally:
        labels = {"event.type": event_type, "outcome": outcome}
        EVENTS_HANDLED.add(1, labels)
        HANDLING_DURATION.record(time.perf_counter() - started, labels)


@dataclass
class Publication:
    """One delivery attempt of an outbox event: the `traceparent` to put on the CloudEvent, and its outcome."""

    event_type: str
    span: Span
    traceparent: str | None

    def finish(self, delivered: bool, error: str | None = None) -> None:
        EVENTS_PUBLISHED.add(1, {"event.type": self.event_type, "outcome": "delivered" if delivered else "failed"})
        if not delivered:
            self.span.set_status(Status(StatusCode.ERROR, error))


@contextmanager
def publishing(event_type: str, source: str, event_id: str, traceparent: str | None) -> Iterator[Publication]:
    """The producer span of one delivery, continuing the context stored when the event was published; the event
    carries this span's context (the OTel messaging convention), or the stored one when nothing is traced."""
    with continued_span(f"publish {event_type}", traceparent, kind=SpanKind.PRODUCER,
                        attributes=_attributes(event_type, source, event_id)) as span:
        yield Publication(event_type, span, current_traceparent() or traceparent)
