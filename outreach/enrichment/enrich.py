"""Enrich one discovery record: normalize every field and attribute it to the record's source.

Why this shape: the normalizers judge values alone; here each judgement becomes a FieldValue whose confidence is
the normalizer's times the source's reliability prior for that field (`fields.SOURCE_PRIORS`), so that the
waterfall can compare a registry's address with a referral's by one number. Fields that depend on each other are
derived here: time zone from phone and state, region from city and state (or city and state from a region), and the
email/website agreement that raises confidence in both.

Speed: the benchmark enriches a million records, so parsers are module-level, and each normalizer caches its
results on the raw string (sources repeat the same phones, cities and categories across records and days).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any, Final

from outreach.discovery.records import CandidateRecord
from outreach.enrichment.address import normalize_address
from outreach.enrichment.email import normalize_email
from outreach.enrichment.fields import (
    EnrichedRecord,
    FieldValue,
    Normalized,
    Provenance,
    field_priors,
)
from outreach.enrichment.license import (
    license_age_years,
    normalize_license_date,
    normalize_license_number,
    normalize_license_status,
)
from outreach.enrichment.phone import normalize_phone, pick_time_zone
from outreach.enrichment.region import normalize_region, normalize_state, region_slug, split_region
from outreach.enrichment.specialty import infer_specialties
from outreach.enrichment.website import email_matches_website, normalize_website

_AGREEMENT_BONUS: Final = 1.05
"""Factor on email and website confidence when the email is at the website's domain: each vouches for the other."""

_SPACES = re.compile(r"\s+")
_SORT_PREFIX = re.compile(r"^[^\w(]+")
_NAME_SUFFIXES: Final = frozenset({"JR", "SR", "II", "III", "IV", "MD", "PHD", "ESQ"})
_BUSINESS_TYPES: Final = (
    ("limited liability", "llc"),
    ("llc", "llc"),
    ("partner", "partnership"),
    ("sole", "sole_proprietor"),
    ("individual", "sole_proprietor"),
    ("joint", "joint_venture"),
    ("corp", "corporation"),
    ("inc", "corporation"),
)
"""Registry business types (CSLB `Sole Owner`, WA `Limited Liability Company`...) by a word they contain."""


def enrich(record: CandidateRecord, as_of: date) -> EnrichedRecord:
    """Normalize one candidate record into an EnrichedRecord; `as_of` is the day license status is judged on."""

    source, record_id, observed_at = record.source, record.source_record_id, record.fetched_at
    priors = field_priors(source)

    def field(name: str, judged: Normalized[Any]) -> FieldValue[Any]:
        if judged.value is None:
            return _missing(source, judged.method, judged.reason)
        confidence = round(judged.confidence * priors[name], 4)
        return FieldValue(judged.value, confidence, source, judged.method, judged.reason, record_id, observed_at)

    address = normalize_address(record.street, record.city, record.state, record.postal_code)
    state, city = address.state, address.city
    if state.value is None and record.license_state:
        state = normalize_state(record.license_state).scaled(0.7, "state of the license, not of an address")
    region = _region(record.region, city, state)
    if region.value is not None and (state.value is None or city.value is None):
        region_state, region_city = split_region(region.value)
        if state.value is None:
            state = Normalized(region_state, region.confidence * 0.9, "from_region")
        if city.value is None:
            city = Normalized(region_city, 0.6, "from_region", "city guessed from the region slug")

    phone = normalize_phone(record.phone)
    email = normalize_email(record.email)
    website = normalize_website(record.website)
    agreement = email_matches_website(email.domain, website.domain.value)
    email_address, website_url, website_domain = email.address, website.url, website.domain
    if agreement.value:
        email_address, website_url, website_domain = (
            email_address.scaled(_AGREEMENT_BONUS),
            website_url.scaled(_AGREEMENT_BONUS),
            website_domain.scaled(_AGREEMENT_BONUS),
        )

    issued = normalize_license_date(record.license_issued_on, as_of, kind="issue")
    expires = normalize_license_date(record.license_expires_on, as_of, kind="expiry")
    specialties = infer_specialties(
        source=record.source,
        classifications=record.classifications,
        specialty_hints=record.specialty_hints,
        description=record.description,
        business_name=record.business_name,
    )
    return EnrichedRecord(
        provenance=(
            Provenance(source=record.source, source_record_id=record.source_record_id, fetched_at=record.fetched_at),
        ),
        as_of=as_of,
        business_name=field("business_name", clean_business_name(record.business_name)),
        contact_name=field("contact_name", clean_person_name(record.contact_name)),
        business_type=field("business_type", normalize_business_type(record.business_type)),
        street=field("street", address.street),
        city=field("city", city),
        state=field("state", state),
        postal_code=field("postal_code", address.postal_code),
        region=field("region", region),
        phone=field("phone", phone.e164),
        phone_extension=field("phone_extension", phone.extension),
        phone_valid=field("phone_valid", phone.valid),
        phone_line_type=field("phone_line_type", phone.line_type),
        sms_eligible=field("sms_eligible", phone.sms_eligible),
        time_zone=field("time_zone", pick_time_zone(phone.zones, state.value)),
        email=field("email", email_address),
        email_valid=field("email_valid", email.valid),
        email_suggestion=field("email_suggestion", email.suggestion),
        email_is_free_mail=field("email_is_free_mail", email.is_free_mail),
        email_is_role_account=field("email_is_role_account", email.is_role_account),
        email_matches_website=field("email_matches_website", agreement),
        website=field("website", website_url),
        website_domain=field("website_domain", website_domain),
        license_number=field("license_number", normalize_license_number(record.license_number)),
        license_state=field("license_state", _license_state(record)),
        license_status=field(
            "license_status",
            normalize_license_status(record.license_status, expires.value, as_of),
        ),
        license_issued_on=field("license_issued_on", issued),
        license_expires_on=field("license_expires_on", expires),
        license_age_years=field("license_age_years", license_age_years(issued.value, as_of)),
        specialties=tuple(field("specialties", found) for found in specialties),
        rating=field("rating", _rating(record.rating)),
        review_count=field("review_count", _review_count(record.review_count)),
        referred_by_user_id=field("referred_by_user_id", _text(record.referred_by_user_id, "referrer")),
    )


@lru_cache(maxsize=4096)
def _missing(source: str, method: str, reason: str | None) -> FieldValue[Any]:
    """A field without a value has no time or record id of its own, so one frozen instance serves many records."""
    return FieldValue(None, 0.0, source, method, reason)


def _region(raw: str | None, city: Normalized[str], state: Normalized[str]) -> Normalized[str]:
    """The region from city and state when both are known (the record's own slug only as a fallback)."""
    given = normalize_region(raw)
    if city.value is None or state.value is None:
        return given if given.value is not None else Normalized(None, 0.0, "absent", "needs a city and a state")
    slug = region_slug(city.value, state.value)
    if slug is None:
        return given
    reason = None if given.value in (None, slug) else f"the source's region {given.value} disagrees"
    return Normalized(slug, min(city.confidence, state.confidence), "city_and_state", reason)


def _license_state(record: CandidateRecord) -> Normalized[str]:
    """The licensing state as given, else the registry's own state (`license_ca` → CA)."""
    given = normalize_state(record.license_state)
    if given.value is not None or not record.source.startswith("license_"):
        return given
    return normalize_state(record.source.removeprefix("license_")) if record.license_number else given


@lru_cache(maxsize=16384)
def clean_business_name(raw: str | None) -> Normalized[str]:
    """Whitespace tidied and registry sort prefixes dropped (WA lists `!ROOFTECH INC`, `#A1 PLUMBING`).

    Case is kept as given: title-casing `ABC ROOFING` would lose the acronym.
    """
    if raw is None or not raw.strip():
        return Normalized(None, 0.0, "absent", "no business name given")
    text = _SPACES.sub(" ", raw).strip()
    cleaned = _SORT_PREFIX.sub("", text)
    if not any(ch.isalnum() for ch in cleaned):
        return Normalized(None, 0.0, "unrecognized", "no letters or digits")
    return Normalized(cleaned, 1.0, "sort_prefix_removed" if cleaned != text else "whitespace")


@lru_cache(maxsize=16384)
def clean_person_name(raw: str | None) -> Normalized[str]:
    """`SMITH, JO` → `Jo Smith`: registries list people last name first and in capitals."""
    if raw is None or not raw.strip():
        return Normalized(None, 0.0, "absent", "no contact name given")
    text = _SPACES.sub(" ", raw).strip(" ,")
    if not any(ch.isalpha() for ch in text):
        return Normalized(None, 0.0, "unrecognized", "no letters")
    method, confidence = "as_given", 1.0
    last, comma, first = text.partition(",")
    if comma and first.strip() and first.strip(" .").upper() not in _NAME_SUFFIXES and "," not in first:
        text, method, confidence = f"{first.strip()} {last.strip()}", "last_first_reordered", 0.9
    if text.isupper() or text.islower():
        text = " ".join(_capitalize_name(word) for word in text.split(" "))
    return Normalized(text, confidence, method)


def _capitalize_name(word: str) -> str:
    """`O'BRIEN` → `O'Brien`, `SMITH-JONES` → `Smith-Jones`."""
    return "-".join("'".join(part.capitalize() for part in piece.split("'")) for piece in word.split("-"))


@lru_cache(maxsize=1024)
def normalize_business_type(raw: str | None) -> Normalized[str]:
    """Registry business types → llc / partnership / sole_proprietor / joint_venture / corporation."""
    if raw is None or not raw.strip():
        return Normalized(None, 0.0, "absent", "no business type given")
    text = raw.strip().lower()
    for word, kind in _BUSINESS_TYPES:
        if word in text:
            return Normalized(kind, 1.0, "business_type_map")
    return Normalized(None, 0.0, "unrecognized", f"unrecognized business type {raw.strip()[:30]!r}")


def _rating(value: float | None) -> Normalized[float]:
    if value is None:
        return Normalized(None, 0.0, "absent", "no rating given")
    if not 0.0 <= value <= 5.0:
        return Normalized(None, 0.0, "out_of_range", f"rating {value} is outside 0..5")
    return Normalized(value, 1.0, "as_given")


def _review_count(value: int | None) -> Normalized[int]:
    if value is None:
        return Normalized(None, 0.0, "absent", "no review count given")
    if value < 0:
        return Normalized(None, 0.0, "out_of_range", f"review count {value} is negative")
    return Normalized(value, 1.0, "as_given")


def _text(value: str | None, what: str) -> Normalized[str]:
    if value is None or not value.strip():
        return Normalized(None, 0.0, "absent", f"no {what} given")
    return Normalized(value.strip(), 1.0, "as_given")
