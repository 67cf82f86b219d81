"""Query parameters checked against the contract's own schemas, so the API accepts exactly what it documents
(400 `invalid_request` otherwise) and nothing that PostgreSQL would choke on (NUL characters, NaN) reaches SQL."""

from __future__ import annotations

import math
import re
from datetime import datetime

from integrations.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from integrations.api.problems import bad_request
from integrations.contracts import component_validator

_TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$")
_INTEGER = re.compile(r"^[0-9]{1,7}$")


def text(name: str, raw: str | None, *, max_length: int = 200) -> str | None:
    if raw is None:
        return None
    if not 1 <= len(raw) <= max_length or "\x00" in raw:
        raise bad_request(f"{name} must be 1 to {max_length} characters")
    return raw


def contract(name: str, raw: str | None, component: str) -> str | None:
    """`raw` if valid for `#/components/schemas/<component>` of the ai-outreach contract."""
    if raw is None:
        return None
    if "\x00" in raw or not component_validator("ai-outreach", component).is_valid(raw):
        raise bad_request(f"{name} is not a valid {component}")
    return raw


def choice(name: str, raw: str | None, allowed: tuple[str, ...]) -> str | None:
    if raw is None:
        return None
    return required_choice(name, raw, allowed)


def required_choice(name: str, raw: str | None, allowed: tuple[str, ...]) -> str:
    if raw is None or raw not in allowed:
        raise bad_request(f"{name} is required: one of {', '.join(allowed)}")
    return raw


def fraction(name: str, raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise bad_request(f"{name} must be a number within 0..1") from exc
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise bad_request(f"{name} must be a number within 0..1")
    return value


def timestamp(name: str, raw: str | None) -> datetime | None:
    """An RFC 3339 UTC timestamp (`...Z`), as the contract's Timestamp."""
    if raw is None:
        return None
    try:
        if not _TIMESTAMP.match(raw):
            raise ValueError(raw)
        return datetime.fromisoformat(raw)
    except ValueError as exc:
        raise bad_request(f"{name} must be an RFC 3339 UTC timestamp such as 2025-03-01T00:00:00Z") from exc


def limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not _INTEGER.match(raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise bad_request(f"limit must be an integer within 1..{MAX_LIMIT}")
    return int(raw)


def page_token(raw: str | None) -> str | None:
    if raw is not None and not raw:
        raise bad_request("page_token must not be empty")
    return raw
