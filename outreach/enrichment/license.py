"""Contractor licenses: number, status (judged against a day) and age.

Why status needs the day: registry files are snapshots, and a license whose expiry date has passed is expired
whatever the snapshot's status column says. Status words differ by registry (CSLB `CLEAR` and `Contr Bond Susp`,
WA `ACTIVE`, TX has no status column at all, only an expiry date); they all map onto
active/expired/suspended/inactive/unknown, the only distinction campaigns and scoring need.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Final

from outreach.enrichment.fields import LicenseStatus, Normalized

_STATUS_WORDS: Final[tuple[tuple[re.Pattern[str], LicenseStatus], ...]] = (
    (re.compile(r"SUSP|REVOK|DISCIPLIN|BARRED|PROBATION"), "suspended"),
    (re.compile(r"EXPIR|LAPSE|DELINQ"), "expired"),
    (re.compile(r"INACT|INVALID|NOT ACTIVE|CANCEL|SURRENDER|RETIRE|CLOSED|DECEASED|VOID|WITHDRAW|DISSOLV"), "inactive"),
    (re.compile(r"CLEAR|ACTIVE|CURRENT|VALID|GOOD STANDING|ISSUED|RENEWED|^A$"), "active"),
)
"""First match wins, so `INACTIVE` is read before `ACTIVE` would match inside it, and a suspension before all."""

_PREFIX = re.compile(
    r"^(?:(?:LIC(?:ENSE)?|CSLB|CONTRACTOR)\b\.?\s*)?(?:(?:NO|NUM(?:BER)?)\b\.?|#)?\s*[:#]?\s*", re.IGNORECASE
)
_SEPARATORS = re.compile(r"[\s.]+")
_LICENSE_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9\-*]{1,29}$")


@lru_cache(maxsize=16384)
def normalize_license_number(raw: str | None) -> Normalized[str]:
    """`Lic # 1234 567`, ` tacla000001 ` → `1234567`, `TACLA000001`; spreadsheet floats (`1234567.0`) repaired."""
    if raw is None or not raw.strip():
        return Normalized(None, 0.0, "absent", "no license number given")
    text = raw.strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    number = _SEPARATORS.sub("", _PREFIX.sub("", text, count=1)).upper()
    if not _LICENSE_NUMBER.match(number) or not any(ch.isdigit() for ch in number):
        return Normalized(None, 0.0, "unrecognized", f"not a license number: {raw.strip()[:30]!r}")
    return Normalized(number, 1.0, "license_number")


def normalize_license_status(
    status_text: str | None, expires_on: date | None, as_of: date
) -> Normalized[LicenseStatus]:
    """The license's status on `as_of`, from the registry's status words and its expiry date.

    A stated suspension or inactivation is believed as stated; a stated active license past its expiry is
    expired; with no words the expiry date alone decides, less surely.
    """
    stated = _stated_status(status_text)
    expired = expires_on is not None and expires_on < as_of
    if stated in ("suspended", "inactive"):
        return Normalized(stated, 0.95, "status_text")
    if stated == "active":
        if expired:
            return Normalized("expired", 0.9, "expiry_date", f"status says active but it expired on {expires_on}")
        return Normalized("active", 0.95 if expires_on else 0.85, "status_text")
    if stated == "expired":
        if expires_on is not None and not expired:
            return Normalized("expired", 0.6, "status_text", f"status says expired but expiry is {expires_on}")
        return Normalized("expired", 0.95, "status_text")
    unread = f"unrecognized status {status_text.strip()[:30]!r}; " if status_text and status_text.strip() else ""
    if expires_on is None and not unread:
        return Normalized(None, 0.0, "absent", "no status or expiry date given")
    if expires_on is None:
        return Normalized("unknown", 0.0, "unrecognized", unread + "no expiry date")
    if expired:
        return Normalized("expired", 0.9, "expiry_date", unread + f"expired on {expires_on}")
    return Normalized("active", 0.7, "expiry_date", unread + f"not expired (until {expires_on}); no status given")


@lru_cache(maxsize=1024)
def _stated_status(status_text: str | None) -> LicenseStatus | None:
    if status_text is None:
        return None
    words = _SEPARATORS.sub(" ", status_text.upper()).strip()
    for pattern, status in _STATUS_WORDS:
        if pattern.search(words):
            return status
    return None


def normalize_license_date(value: date | None, as_of: date, *, kind: str) -> Normalized[date]:
    """A registry date, kept unless it is implausible (before 1900, or an issue date in the future)."""
    if value is None:
        return Normalized(None, 0.0, "absent", f"no {kind} date given")
    if value.year < 1900 or (kind == "issue" and value > as_of):
        return Normalized(None, 0.0, "implausible", f"{kind} date {value} is implausible")
    return Normalized(value, 1.0, "registry_date")


def license_age_years(issued_on: date | None, as_of: date) -> Normalized[float]:
    """Years between issue and `as_of` (two decimals): an established business is a stronger prospect."""
    if issued_on is None:
        return Normalized(None, 0.0, "absent", "no issue date")
    if issued_on > as_of or issued_on.year < 1900:
        return Normalized(None, 0.0, "implausible", f"issue date {issued_on} is implausible")
    return Normalized(round((as_of - issued_on).days / 365.25, 2), 1.0, "issue_date")
