"""One event through the whole trace: a signed delivery to the API, its inbox row, the run that handles it (the
sensors' code path), the event it publishes and the relay's delivery of that event to the sandbox's bus. Every span
shares one trace id and each names its parent; the published CloudEvent carries the trace onward.
Also: the integration-health metrics of the event processing and of the HTTP layer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import psycopg
import pytest
from fixtures.api_server import body_of, example_event, secret_of, signed_headers
from fixtures.telemetry import metric_reader, points, span_recorder
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

from integrations.contracts.dev_secrets import default_webhook_secret
from integrations.instabids import InstaBidsClients, RetriesExhausted
from outreach.events.handlers import handler_context, handlers
from outreach.events.processing import process_pending
from outreach.events.relay import relay_pending
from outreach.observability.metrics import dead_letter_depth
from outreach.settings import DOMAINS, Settings

pytestmark = pytest.mark.integration


@pytest.fixture
def spans():
    recorder = span_recorder()
    recorder.clear()
    return recorder


def hex_trace(span) -> str:
    return format(span.context.trace_id, "032x")


def one(spans, name: str):
    (span,) = [s for s in spans if s.name == name]
    return span


def referral_through_the_api(api, client, sender) -> dict:
    """A social-domain delivery whose HTTP request continues the sender's trace (the event has no extension)."""
    event = example_event("ReferralCreatedEvent")
    event["data"]["referral_id"] = str(uuid.uuid4())
    body = body_of(event)
    headers = signed_headers(body, secret_of(event["source"]))
    with trace.get_tracer("sender").start_as_current_span("social delivers", kind=SpanKind.PRODUCER) as span:
        propagate.inject(headers)
        sender.append(span)
        response = client.post("/ai-outreach/events", content=body, headers=headers)
    assert response.status_code == 202, response.text
    return event


def test_one_event_is_followed_from_the_webhook_to_the_bus(api, client, sandbox, spans, tmp_path,
                                                           monkeypatch) -> None:
    monkeypatch.setenv("OUTREACH_STATE_DIR", str(tmp_path))
    sender: list = []
    event = referral_through_the_api(api, client, sender)
    settings = Settings()
    now = datetime.now(UTC)
    with psycopg.connect(api.database_url) as conn:
        context = handler_context(settings, now)
        context.cipher = api.cipher  # the API under test encrypts with its own key
        with trace.get_tracer("run").start_as_current_span("process_inbox_job") as run:
            result = process_pending(conn, handlers(), context, types=("ReferralCreatedEvent",))
        assert result.processed == 1
        with httpx.Client(timeout=10) as http:
            delivered = relay_pending(conn, http, f"{sandbox.url}/event-bus/events",
                                      default_webhook_secret("EVENT_BUS"), datetime.now(UTC))
        assert delivered.delivered >= 1

    finished = spans.get_finished_spans()
    server = one(finished, "POST /ai-outreach/events")
    handled = one(finished, "handle ReferralCreatedEvent")
    published = one(finished, "publish OutreachReferralEvent")
    (root,) = sender
    trace_id = hex_trace(root)
    assert {hex_trace(s) for s in (server, handled, published)} == {trace_id}
    assert (server.kind, server.parent.span_id) == (SpanKind.SERVER, root.context.span_id)
    assert (handled.kind, handled.parent.span_id) == (SpanKind.CONSUMER, server.context.span_id)
    assert handled.attributes["cloudevents.event_id"] == event["id"]
    assert [link.context.span_id for link in handled.links] == [run.context.span_id]
    assert (published.kind, published.parent.span_id) == (SpanKind.PRODUCER, handled.context.span_id)

    on_bus = httpx.get(f"{sandbox.url}/event-bus/events", params={"type": "OutreachReferralEvent"}).json()
    (arrived,) = [i["event"] for i in on_bus["items"] if i["event"]["subject"] == event["data"]["referral_id"]]
    version, trace_of_event, parent_of_event, _ = arrived["traceparent"].split("-")
    assert (version, trace_of_event, parent_of_event) == ("00", trace_id, format(published.context.span_id, "016x"))


def test_event_handling_is_counted_and_timed_by_outcome(api, spans, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OUTREACH_STATE_DIR", str(tmp_path))
    with metric_reader() as reader, psycopg.connect(api.database_url) as conn:
        conn.execute("insert into app.inbox_events (source, event_id, type, occurred_at, data_enc) "
                     "values ('/instabids/social', %s, 'ReferralCreatedEvent', now(), %s)",
                     (str(uuid.uuid4()), b"not a sealed payload"))
        conn.commit()
        context = handler_context(Settings(), datetime.now(UTC))
        context.cipher = api.cipher
        process_pending(conn, handlers(), context, types=("ReferralCreatedEvent",), max_attempts=1)
        handled = {p.attributes["outcome"]: p.value for p in points(reader, "outreach.events.handled")
                   if p.attributes["event.type"] == "ReferralCreatedEvent"}
        assert handled.get("failed") == 1
        assert points(reader, "outreach.events.handling.duration")
        dead = conn.execute("select count(*) from app.inbox_events where status = 'dead'").fetchone()[0]
    assert dead >= 1
    depth = {o.attributes["queue"]: o.value for o in dead_letter_depth(api.database_url)}
    assert depth == {"inbox": dead, "outbox": 0}
    failed = [s for s in spans.get_finished_spans() if s.name == "handle ReferralCreatedEvent"]
    assert failed[-1].status.status_code == trace.StatusCode.ERROR


def test_the_http_layer_reports_calls_latency_retries_errors_and_breaker_state(sandbox) -> None:
    urls = {domain: sandbox.url for domain in DOMAINS}
    tuning = {"max_attempts": 2, "sleep": lambda _: None, "breaker_fail_max": 1}
    with (metric_reader() as reader,
          InstaBidsClients.build(urls, "ai-outreach", "sandbox-secret", **tuning) as up,
          InstaBidsClients.build({**urls, "payment": "http://127.0.0.1:9"}, "ai-outreach", "sandbox-secret",
                                 **tuning) as down):
        next(up.labor.coverage(limit=1))
        with pytest.raises(RetriesExhausted):  # nothing listens on the discard port
            next(down.payment.average_project_value())
        requests = {(p.attributes["domain"], p.attributes.get("http.response.status_code")): p.value
                    for p in points(reader, "instabids.http.client.requests")}
        assert requests[("labor_marketplace", 200)] >= 1
        assert any(p.attributes["domain"] == "payment" for p in points(reader, "instabids.http.client.duration"))
        retries = {p.attributes["domain"]: p.value for p in points(reader, "instabids.http.client.retries")}
        errors = {(p.attributes["domain"], p.attributes["error.type"]): p.value
                  for p in points(reader, "instabids.http.client.errors")}
        breaker = {p.attributes["domain"]: p.value for p in points(reader, "instabids.circuit_breaker.state")}
    assert retries["payment"] >= 1
    assert errors[("payment", "retries_exhausted")] >= 1
    assert breaker["payment"] == 2  # open


def test_exporters_are_chosen_by_configuration() -> None:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    from outreach.observability.tracing import exporter_names, span_exporter

    assert exporter_names("none", "OTEL_TRACES_EXPORTER") == []
    assert exporter_names("console, otlp", "OTEL_TRACES_EXPORTER") == ["console", "otlp"]
    assert isinstance(span_exporter("console"), ConsoleSpanExporter)
    assert isinstance(span_exporter("otlp"), OTLPSpanExporter)
    with pytest.raises(ValueError, match="OTEL_TRACES_EXPORTER: unknown exporter jaeger"):
        exporter_names("jaeger", "OTEL_TRACES_EXPORTER")
