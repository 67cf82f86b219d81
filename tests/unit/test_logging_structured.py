"""Structured logs: one JSON object per line, the trace id as correlation id, contact data redacted by a filter
that makes the record itself safe (message, extra fields, traceback) for every handler."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fixtures.telemetry import captured_logs
from opentelemetry.sdk.trace import TracerProvider

from integrations.instabids import correlation_scope
from outreach.observability.logs import REDACTED, configure_logging, redact

SECRET_CONTACTS = ("maria@cruzplumbing.com", "Tom.Lee+bids@bright-sparks.co.uk", "+16195550142", "(619) 555-0142",
                   "206-555-0199", "206.555.0100")


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """The process's log output while the test runs."""
    with captured_logs() as stream:
        yield stream


def records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize("contact", SECRET_CONTACTS)
def test_emails_and_phones_are_redacted(contact) -> None:
    assert redact(f"reply from {contact}, please") == f"reply from {REDACTED}, please"


@pytest.mark.parametrize("harmless", ["1700000000", "2025-03-01T10:00:00Z", "123e4567-e89b-12d3-a456-426614174000",
                                      "inbox 42 of 1500", "HTTP 503 after 6 attempts",
                                      "4bf92f3577b34da6a3ce929d0e0e4736"])
def test_timestamps_ids_and_counts_are_kept(harmless) -> None:
    assert redact(harmless) == harmless


def test_each_line_is_one_json_object_with_level_logger_and_message(lines) -> None:
    logging.getLogger("outreach.test").warning("%d events dead-lettered", 3)
    (record,) = records(lines)
    assert {k: record[k] for k in ("level", "logger", "message")} == {
        "level": "WARNING", "logger": "outreach.test", "message": "3 events dead-lettered"}
    assert "time" in record


def test_the_message_its_arguments_and_extra_fields_are_redacted(lines) -> None:
    logging.getLogger("outreach.test").info("reply from %s", "maria@cruzplumbing.com",
                                            extra={"params": {"phone": "+16195550142", "limit": 10}})
    (record,) = records(lines)
    assert record["message"] == f"reply from {REDACTED}"
    assert record["params"] == {"phone": REDACTED, "limit": 10}


def test_a_traceback_is_redacted(lines) -> None:
    try:
        raise ValueError("no account for ana@evergreenroof.com")
    except ValueError:
        logging.getLogger("outreach.test").exception("handler failed")
    (record,) = records(lines)
    assert "ana@evergreenroof.com" not in lines.getvalue()
    assert f"ValueError: no account for {REDACTED}" in record["exc_info"]


def test_a_line_inside_a_span_carries_its_trace_id_as_correlation_id(lines) -> None:
    tracer = TracerProvider().get_tracer(__name__)
    with tracer.start_as_current_span("handle") as span:
        logging.getLogger("outreach.test").info("inside")
    logging.getLogger("outreach.test").info("outside")
    inside, outside = records(lines)
    trace_id = format(span.get_span_context().trace_id, "032x")
    assert (inside["trace_id"], inside["correlation_id"]) == (trace_id, trace_id)
    assert inside["span_id"] == format(span.get_span_context().span_id, "016x")
    assert outside["trace_id"] is None


def test_without_a_span_the_http_layers_correlation_scope_is_the_correlation_id(lines) -> None:
    with correlation_scope("run-2025-03-01"):
        logging.getLogger("outreach.test").info("calling")
    assert records(lines)[0]["correlation_id"] == "run-2025-03-01"


def test_configuring_twice_keeps_one_handler(lines) -> None:
    configure_logging("INFO", stream=lines, log_format="json")
    logging.getLogger("outreach.test").info("once")
    assert len(records(lines)) == 1


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="OUTREACH_LOG_FORMAT"):
        configure_logging(log_format="xml")
