"""Phones: E.164, validity, line type (which decides SMS eligibility) and time zone (which decides quiet hours).

Why the line type is modelled as it is: US numbering plans do not separate mobile from landline ranges, so
`phonenumbers` answers FIXED_LINE_OR_MOBILE for almost every US number. We keep that honest answer as
`fixed_line_or_mobile` with a low confidence rather than guessing; SMS eligibility is then "not known to be a
landline" (a carrier lookup, outside this module, can sharpen it later).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Final

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult
from phonenumbers import timezone as phone_timezone

from outreach.enrichment.fields import LineType, Normalized
from outreach.enrichment.region import STATE_TIME_ZONES

_LINE_TYPES: Final[dict[int, LineType]] = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}

_LINE_TYPE_CONFIDENCE: Final[dict[LineType, float]] = {
    "mobile": 0.9,
    "landline": 0.9,
    "fixed_line_or_mobile": 0.5,
}
"""How sure the numbering plan is: definite for a mobile or fixed range, a coin toss for shared NANP ranges."""

SMS_CAPABLE: Final[frozenset[LineType]] = frozenset({"mobile", "fixed_line_or_mobile", "voip", "personal"})
"""Line types we may text: anything not known to be a landline or a special-purpose range (toll-free, pager...)."""

_NOT_POSSIBLE: Final[dict[ValidationResult, str]] = {
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country calling code",
    ValidationResult.TOO_SHORT: "too few digits",
    ValidationResult.TOO_LONG: "too many digits",
    ValidationResult.INVALID_LENGTH: "wrong number of digits",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "local number without an area code",
}

_PARSE_ERRORS: Final[dict[int, str]] = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country calling code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too few digits after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "too few digits",
    NumberParseException.TOO_LONG: "too long to be a phone number",
}

_UNKNOWN_ZONE: Final = "Etc/Unknown"
_ABSENT_EXTENSION: Final[Normalized[str]] = Normalized(None, 0.0, "absent", "no extension")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[A-Za-z]+\.?")
_EXTENSION_MARKERS: Final = frozenset({"x", "ext", "extn", "extension"})
_NATIONAL_DIGITS: Final = 10
_SEVERAL = re.compile(r"[/,;|]|\bor\b|\band\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PhoneResult:
    """Everything a phone string tells, each part with its own confidence and reason."""

    e164: Normalized[str]
    extension: Normalized[str]
    valid: Normalized[bool]
    line_type: Normalized[LineType]
    sms_eligible: Normalized[bool]
    zones: tuple[str, ...]
    """IANA zones of the number's area code (several for toll-free and some area codes); empty when unknown."""


def normalize_phone(raw: str | None, default_region: str = "US") -> PhoneResult:
    """Parse a phone in any US-ish format (`(559) 555 0100`, `+1-619-555-0142`, `619.555.0142 x12`).

    Never raises: junk gives an invalid result whose reason says what was wrong.
    """
    if raw is None or not raw.strip():
        return _invalid("absent", "no phone given")
    result = _normalize_cached(_without_words(raw), default_region)
    if result.valid.value:
        return result
    first, *others = _SEVERAL.split(raw, maxsplit=1)
    if not others:
        return result
    first_result = _normalize_cached(_without_words(first), default_region)
    if not first_result.valid.value:
        return result
    e164 = first_result.e164
    return replace(first_result, e164=replace(e164, confidence=0.9, reason="first of several numbers"))


def _without_words(raw: str) -> str:
    """Drop labels such as `cell`, `Tel:` or `(mobile)` around a full number, which `phonenumbers` would read as
    vanity letters; keep extension markers, and keep letters when there are too few digits (`1-800-FLOWERS`)."""
    text = _SPACES.sub(" ", raw).strip()
    if sum(ch.isdigit() for ch in text) < _NATIONAL_DIGITS:
        return text
    return _SPACES.sub(" ", _WORD.sub(_keep_extension_marker, text)).strip()


def _keep_extension_marker(word: re.Match[str]) -> str:
    return word.group(0) if word.group(0).rstrip(".").lower() in _EXTENSION_MARKERS else " "


@lru_cache(maxsize=16384)
def _normalize_cached(compact: str, default_region: str) -> PhoneResult:
    """Cached on the tidied raw text: sources repeat the same numbers across records and days."""
    try:
        number = phonenumbers.parse(compact, default_region)
    except NumberParseException as error:
        return _invalid("unparseable", _PARSE_ERRORS.get(error.error_type, "not a phone number"))
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != ValidationResult.IS_POSSIBLE:
        return _invalid("impossible", _NOT_POSSIBLE.get(possible, "not a possible phone number"))
    number_type = phonenumbers.number_type(number)
    if number_type == PhoneNumberType.UNKNOWN:
        return _invalid("invalid", "digits do not form an assigned number range (bad area code or exchange?)")

    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    foreign = number.country_code != 1
    line_type = _LINE_TYPES.get(number_type, "unknown")
    line_confidence = _LINE_TYPE_CONFIDENCE.get(line_type, 0.8)
    sms = line_type in SMS_CAPABLE
    if phonenumbers.is_number_type_geographical(number_type, number.country_code):
        zones = phone_timezone.time_zones_for_geographical_number(number)
    else:
        zones = phone_timezone.time_zones_for_number(number)
    return PhoneResult(
        e164=Normalized(
            e164,
            0.9 if foreign else 1.0,
            "phonenumbers",
            f"outside North America ({phonenumbers.region_code_for_number(number)})" if foreign else None,
        ),
        extension=Normalized(number.extension, 1.0, "phonenumbers") if number.extension else _ABSENT_EXTENSION,
        valid=Normalized(True, 1.0, "phonenumbers"),
        line_type=Normalized(
            line_type,
            line_confidence,
            "phonenumbers.number_type",
            "US ranges do not tell mobile from landline" if line_type == "fixed_line_or_mobile" else None,
        ),
        sms_eligible=Normalized(
            sms,
            line_confidence,
            "line_type",
            None if sms else f"{line_type.replace('_', ' ')} numbers cannot receive SMS",
        ),
        zones=tuple(zone for zone in zones if zone != _UNKNOWN_ZONE),
    )


def _invalid(method: str, reason: str) -> PhoneResult:
    """No number: validity and SMS eligibility are a sure False for a bad one, unknown (None) for a missing one."""
    missing = Normalized(None, 0.0, method, reason)
    judged = missing if method == "absent" else Normalized(False, 1.0, method, reason)
    return PhoneResult(e164=missing, extension=missing, valid=judged, line_type=missing, sms_eligible=judged, zones=())


def pick_time_zone(zones: tuple[str, ...], state: str | None) -> Normalized[str]:
    """The IANA zone for quiet hours: the area code's zone, else the business state's.

    An area code in one zone is the best evidence (it is where the number was issued); when it spans several
    zones the state's zone chooses among them; with no usable phone the state's main zone is the fallback.
    """
    state_zone = STATE_TIME_ZONES.get(state) if state else None
    if len(zones) == 1:
        if state_zone is None or state_zone == zones[0]:
            return Normalized(zones[0], 0.9, "area_code")
        return Normalized(
            zones[0], 0.7, "area_code", f"area code is in {zones[0]}, business state {state} in {state_zone}"
        )
    if zones and state_zone in zones:
        return Normalized(state_zone, 0.85, "area_code_and_state")
    if state_zone is not None:
        reason = f"area code spans {len(zones)} zones, none the state's" if zones else "no usable phone"
        return Normalized(state_zone, 0.6, "state", reason)
    if zones:
        return Normalized(None, 0.0, "ambiguous", f"area code spans {len(zones)} zones and no state is known")
    return Normalized(None, 0.0, "absent", "neither a usable phone nor a state")
