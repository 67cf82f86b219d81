"""CloudEvents delivered by the other domains: checked against the contract, then stored durably in
`app.inbox_events`, deduplicated on (source, id).

Nothing is processed here: the inbox is read later by sensors and jobs. An event is acknowledged only after its
row is committed, and a repeat of a stored event changes nothing (`on conflict do nothing`), so the senders'
at-least-once retries are harmless. The event `data` may carry contact details (replies, sign-ups, referrals), so
it is stored encrypted (`outreach.events.inbox` decrypts it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import psycopg
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match

from integrations.contracts import EVENTS_DIR
from outreach.events.inbox import INSERT_COLUMNS, inbox_row
from outreach.privacy.crypto import PiiCipher

PUBLISHER = {
    "UserCreatedEvent": "/instabids/user-management",
    "MessageReceivedEvent": "/instabids/messaging",
    "MessageStatusUpdatedEvent": "/instabids/messaging",
    "ProjectCreatedEvent": "/instabids/project-management",
    "SpecialtyDemandChangedEvent": "/instabids/project-management",
    "ReferralCreatedEvent": "/instabids/social",
    "VerificationCompletedEvent": "/instabids/labor-marketplace",
    "PaymentIncentiveStatusEvent": "/instabids/payment",
}
"""Each consumed event type and the one domain that publishes it (the contract's table)."""

CONSUMED_TYPES = frozenset(PUBLISHER)
MAX_BATCH = 100
_MAX_DETAIL = 300


class InvalidEvent(ValueError):
    """The event breaks the contract; the message says where, for the sender."""


@dataclass(frozen=True)
class CheckedEvent:
    source: str
    event_id: str
    type: str
    subject: str | None
    occurred_at: datetime
    data: dict[str, Any]
    traceparent: str | None

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.event_id


def _timestamp(value: object) -> bool:
    """RFC 3339 date-time (jsonschema checks it only with an optional package, so we do it here)."""
    if isinstance(value, str):
        datetime.fromisoformat(value)
    return True


@cache
def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    checker.checks("date-time", raises=ValueError)(_timestamp)
    return checker


@cache
def _schema_file(filename: str) -> dict[str, Any]:
    return json.loads((EVENTS_DIR / filename).read_text())


def _inline(node: Any, document: dict[str, Any]) -> Any:
    """`node` with every `$ref` replaced by a copy of its target (`<file>#<pointer>` or `#<pointer>` within
    `document`), `$ref` siblings kept beside it in an `allOf`. The contract's schemas are not recursive, so this
    ends; it spares the validator a reference lookup per keyword, which was most of the intake's CPU time."""
    if isinstance(node, list):
        return [_inline(item, document) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _inline(value, document) for key, value in node.items() if key != "$ref"}
    if "$ref" not in node:
        return out
    filename, _, pointer = node["$ref"].partition("#")
    target_document = _schema_file(filename) if filename else document
    target: Any = target_document
    for part in filter(None, pointer.split("/")):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    inlined = _inline(target, target_document)
    return {"allOf": [inlined], **out} if out else inlined


def _validator(filename: str) -> Draft202012Validator:
    document = _schema_file(filename)
    return Draft202012Validator(_inline(document, document), format_checker=_format_checker())


@cache
def _envelope_validator() -> Draft202012Validator:
    return _validator("cloudevent.schema.json")


@cache
def _data_validator(event_type: str) -> Draft202012Validator:
    return _validator(f"{event_type}.schema.json")


def warm_validators(event_types: frozenset[str]) -> None:
    """Build the validators now rather than on the first event of each type."""
    _envelope_validator()
    for event_type in event_types:
        _data_validator(event_type)


def _first_error(validator: Draft202012Validator, instance: Any, what: str) -> str | None:
    error = best_match(validator.iter_errors(instance))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return f"{what} {where}: {error.message}"[:_MAX_DETAIL]


def _encodable(text: str) -> bool:
    """PostgreSQL text holds neither NUL nor lone surrogates."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def check_event(event: Any, accepted_types: frozenset[str]) -> CheckedEvent:
    """The event as stored, or `InvalidEvent`: envelope, type accepted here, publisher, then `data` schema."""
    if not isinstance(event, dict):
        raise InvalidEvent("an event must be a JSON object")
    try:
        problem = _first_error(_envelope_validator(), event, "envelope")
    except RecursionError as exc:
        raise InvalidEvent("the event is nested too deeply") from exc
    if problem:
        raise InvalidEvent(problem)
    event_type, source = event["type"], event["source"]
    if event_type not in accepted_types:
        raise InvalidEvent(f"{event_type} is not accepted on this path")
    if PUBLISHER[event_type] != source:
        raise InvalidEvent(f"{event_type} is published by {PUBLISHER[event_type]}, not {source}")
    subject = event.get("subject")
    if not _encodable(event["id"]) or (subject is not None and not _encodable(subject)):
        raise InvalidEvent("id and subject must be text without NUL characters")
    try:
        problem = _first_error(_data_validator(event_type), event["data"], "data")
    except RecursionError as exc:
        raise InvalidEvent("the event data is nested too deeply") from exc
    if problem:
        raise InvalidEvent(problem)
    return CheckedEvent(source, event["id"], event_type, subject, datetime.fromisoformat(event["time"]),
                        event["data"], event.get("traceparent"))


def parse_json(body: bytes) -> Any:
    """The body as JSON, refusing NaN and Infinity (Python accepts them; JSON and its other readers do not)."""

    def reject(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    try:
        return json.loads(body, parse_constant=reject)
    except (ValueError, RecursionError) as exc:
        raise InvalidEvent("the body is not valid JSON") from exc


_INSERT_ONE = f"""
insert into app.inbox_events ({INSERT_COLUMNS}) values (%s, %s, %s, %s, %s, %s, %s)
on conflict (source, event_id) do nothing
returning source, event_id
"""
_INSERT_MANY = f"""
insert into app.inbox_events ({INSERT_COLUMNS})
select * from unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::timestamptz[], %s::bytea[], %s::text[])
on conflict (source, event_id) do nothing
returning source, event_id
"""


async def store(conn: psycopg.AsyncConnection, events: list[CheckedEvent], cipher: PiiCipher) -> set[tuple[str, str]]:
    """Insert `events` (distinct keys) in one statement, hence one transaction; returns the keys newly stored."""
    rows = [inbox_row(e.source, e.event_id, e.type, e.subject, e.occurred_at, e.data, e.traceparent, cipher)
            for e in events]
    if not rows:
        return set()
    if len(rows) == 1:
        cursor = await conn.execute(_INSERT_ONE, rows[0])
    else:
        cursor = await conn.execute(_INSERT_MANY, [list(column) for column in zip(*rows, strict=True)])
    return {(source, event_id) for source, event_id in await cursor.fetchall()}
