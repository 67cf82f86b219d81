"""Structured logs: one JSON object per line, tagged with the trace id as correlation id, contact data redacted.

Why a filter and not only a formatter: the filters rewrite the record itself (message rendered and redacted, extras
and tracebacks redacted), so every handler downstream, ours or a library's, sees the safe version. Redaction is a
net under the rule that code never logs contact data; it catches what slipped through (an email in an exception
message, a phone in a third-party library's log line), it does not replace the rule.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any, TextIO

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

REDACTED = "<redacted>"
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<![\w+-])(?:\+\d{8,15}|\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4})(?![\w-])")
"""E.164 numbers (`+16195550142`) and North American layouts (`(619) 555-0142`, `619.555.0142`). Bare digit runs
are left alone: they are far more often Unix timestamps, counts or ids than phone numbers."""

_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_HANDLER_NAME = "outreach-structured"


def redact(text: str) -> str:
    """`text` with every email address and phone number replaced by `<redacted>`."""
    if "@" in text:
        text = EMAIL.sub(REDACTED, text)
    return PHONE.sub(REDACTED, text)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


class RedactContactData(logging.Filter):
    """Renders the message, then redacts it, every extra field and the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRIBUTES:
                setattr(record, key, _redacted(value))
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class TraceCorrelation(logging.Filter):
    """Adds `trace_id`, `span_id` and, unless the record carries one, `correlation_id` (the trace id, else the
    HTTP layer's correlation scope)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from integrations.instabids.http import current_correlation_id

        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = trace.format_trace_id(context.trace_id)
            record.span_id = trace.format_span_id(context.span_id)
        else:
            record.trace_id = record.span_id = None
        # A record that names its own correlation id (the HTTP layer's, per logical call) keeps it.
        record.correlation_id = getattr(record, "correlation_id", None) or record.trace_id or current_correlation_id()
        return True


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "{asctime}{levelname}{name}{message}{correlation_id}{trace_id}{span_id}",
        style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        datefmt="%Y-%m-%dT%H:%M:%S%z",
    )


def text_formatter() -> logging.Formatter:
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s")


def configure_logging(level: str | None = None, *, default_level: str = "INFO", log_format: str | None = None,
                      stream: TextIO | None = None) -> logging.Handler:
    """Route every log record of the process through one handler on the root logger: correlation, redaction,
    JSON (or `OUTREACH_LOG_FORMAT=text`) on stderr. Calling it again replaces that handler, so faces may call it
    freely; `level` defaults to `OUTREACH_LOG_LEVEL`, else `default_level` (the CLI keeps its terminal quiet)."""
    from outreach.settings import Settings

    settings = Settings()
    chosen_format = (log_format or settings.log_format).lower()
    if chosen_format not in ("json", "text"):
        raise ValueError(f"OUTREACH_LOG_FORMAT must be json or text, not {chosen_format!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(TraceCorrelation())
    handler.addFilter(RedactContactData())
    handler.setFormatter(json_formatter() if chosen_format == "json" else text_formatter())
    root = logging.getLogger()
    for existing in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel((level or settings.log_level or default_level).upper())
    return handler
