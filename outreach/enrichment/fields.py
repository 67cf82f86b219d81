"""Enriched values: every normalized field carries its value, a confidence, its source and how it was derived.

Why: the waterfall that builds a golden record compares candidates field by field, and an auditor must be able to
see where a phone number or a license status came from and why it was believed. Normalizers stay source-blind (they
return a `Normalized` judgement of the value alone); `enrich` attributes it to a source, weighing it by the source's
reliability prior below, which is the one place those priors live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Final, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

Specialty = Literal[
    "general_contractor",
    "plumbing",
    "electrical",
    "hvac",
    "roofing",
    "painting",
    "flooring",
    "carpentry",
    "landscaping",
    "concrete",
    "drywall",
    "handyman",
    "remodeling",
    "solar",
    "pest_control",
    "cleaning",
]
"""The contract's fixed specialty list (common.schema.json `Specialty`)."""

LineType = Literal[
    "mobile",
    "landline",
    "fixed_line_or_mobile",
    "voip",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal",
    "pager",
    "uan",
    "voicemail",
    "unknown",
]
"""Phone line types as `phonenumbers` can tell them; US numbers are mostly `fixed_line_or_mobile`."""

LicenseStatus = Literal["active", "expired", "suspended", "inactive", "unknown"]


@dataclass(frozen=True, slots=True)
class Normalized(Generic[T]):
    """What a normalizer concluded about one value, before it is attributed to a source.

    `confidence` (0..1) judges the value alone (how clean the parse was); `method` says how it was obtained;
    `reason` says why a value is missing, doubtful or changed. A normalizer never raises on bad data: it returns
    `value=None` with a reason.
    """

    value: T | None
    confidence: float
    method: str
    reason: str | None = None

    def scaled(self, factor: float, reason: str | None = None) -> Normalized[T]:
        """The same value trusted `factor` times as much (at most 1), with `reason` replacing the old one if given."""
        if self.value is None:
            return self
        return Normalized(self.value, round(min(1.0, self.confidence * factor), 4), self.method, reason or self.reason)


@dataclass(frozen=True, slots=True)
class FieldValue(Generic[T]):
    """One field of an enriched record: the value, how much we believe it, where and when it was seen, and why.

    A frozen dataclass rather than a pydantic model because a million records hold thirty-odd of these each and
    a dataclass builds in a third of the time; EnrichedRecord (pydantic) still validates them when it is read from
    JSON, and serializes them.
    """

    value: T | None
    confidence: float
    """0..1: the normalizer's confidence in the value times the source's reliability prior for the field."""
    source: str
    method: str
    reason: str | None = None
    source_record_id: str | None = None
    """The record the value came from; None when there is no value."""
    observed_at: datetime | None = None
    """When the source was read; None when there is no value."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} is outside 0..1")


Enriched = FieldValue
"""The name the issue uses for the same type."""


class Provenance(BaseModel):
    """Which discovery record (source, id, fetch time) an enriched record was built from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    source_record_id: str
    fetched_at: datetime


StrField = FieldValue[str]
BoolField = FieldValue[bool]
DateField = FieldValue[date]
FloatField = FieldValue[float]
IntField = FieldValue[int]
SpecialtyField = FieldValue[Specialty]
LineTypeField = FieldValue[LineType]
LicenseStatusField = FieldValue[LicenseStatus]


class EnrichedRecord(BaseModel):
    """A normalized record about one business: every field as a FieldValue, plus the records it came from.

    One discovery record enriches into one of these (one provenance entry); the waterfall merges several into a
    golden one whose provenance lists them all and whose fields each keep the source they were chosen from.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    provenance: tuple[Provenance, ...] = Field(min_length=1)
    as_of: date
    """The day license status and license age were judged against."""

    business_name: StrField
    contact_name: StrField
    business_type: StrField

    street: StrField
    """USPS-style delivery line, upper case (`100 N MAIN ST STE 200`), or the raw line when it did not parse."""
    city: StrField
    """Title case, as the contract's `City` (`San Diego`)."""
    state: StrField
    postal_code: StrField
    """ZIP5."""
    region: StrField
    """Contract region slug `us-<state>-<city-slug>`."""

    phone: StrField
    """E.164."""
    phone_extension: StrField
    phone_valid: BoolField
    phone_line_type: LineTypeField
    sms_eligible: BoolField
    time_zone: StrField
    """IANA zone for quiet hours."""

    email: StrField
    email_valid: BoolField
    email_suggestion: StrField
    """A likely intended address when the domain looks like a typo (`gmial.com` → `gmail.com`)."""
    email_is_free_mail: BoolField
    email_is_role_account: BoolField
    email_matches_website: BoolField

    website: StrField
    website_domain: StrField
    """Registrable domain of the business's own site (None for a profile on a platform such as facebook.com)."""

    license_number: StrField
    license_state: StrField
    license_status: LicenseStatusField
    license_issued_on: DateField
    license_expires_on: DateField
    license_age_years: FloatField

    specialties: tuple[SpecialtyField, ...] = ()
    """One entry per specialty, each with its own confidence; highest first."""

    rating: FloatField
    review_count: IntField
    referred_by_user_id: StrField


PRIOR_GROUPS: Final = (
    "business_name",
    "contact_name",
    "address",
    "phone",
    "email",
    "website",
    "license",
    "specialties",
    "business_type",
    "reviews",
    "referral",
)
"""What a source can be more or less reliable about; every EnrichedRecord field belongs to one group."""

_PRIOR_TABLE: Final[dict[str, tuple[float, ...]]] = {
    #             name  contact address phone email  web   license spec  btype reviews referral
    "license_ca": (0.95, 0.60, 0.90, 0.80, 0.70, 0.60, 1.00, 1.00, 0.95, 0.30, 0.30),
    "license_wa": (0.95, 0.60, 0.90, 0.80, 0.70, 0.60, 1.00, 1.00, 0.95, 0.30, 0.30),
    "license_tx": (0.95, 0.60, 0.90, 0.80, 0.70, 0.60, 1.00, 0.95, 0.95, 0.30, 0.30),
    "directory": (0.85, 0.50, 0.85, 0.85, 0.80, 0.90, 0.60, 0.85, 0.60, 0.95, 0.30),
    "social": (0.65, 0.90, 0.60, 0.80, 0.85, 0.75, 0.40, 0.80, 0.40, 0.60, 0.50),
    "referral": (0.60, 0.90, 0.50, 0.85, 0.85, 0.70, 0.40, 0.75, 0.40, 0.50, 1.00),
}
"""Source reliability priors, one row per discovery source, one column per PRIOR_GROUPS entry.

Why these numbers (relative order matters more than the digits):
- License registries are the legal record of a business's name, address, license and trade classifications, so
  they lead there. Their phone is often an old office line and their principal/owner name is the registrant, not
  necessarily the person to talk to, hence lower contact priors. TX license types name a trade less precisely than
  CSLB class codes, hence its slightly lower specialty prior.
- Directories are curated for customers: strongest on website and reviews, good on name, address and phone.
- Social profiles and referrals are written by people who know the contractor: best for the contact's name, email
  and (often mobile) phone; weak for legal name, address and licensing. A referral is the authority on who referred.
"""

DEFAULT_PRIOR: Final = 0.5
"""Prior for a source not in the table: neither trusted nor ignored."""

SOURCE_PRIORS: Final[dict[str, dict[str, float]]] = {
    source: dict(zip(PRIOR_GROUPS, row, strict=True)) for source, row in _PRIOR_TABLE.items()
}

FIELD_PRIOR_GROUP: Final[dict[str, str]] = {
    "business_name": "business_name",
    "contact_name": "contact_name",
    "business_type": "business_type",
    **dict.fromkeys(("street", "city", "state", "postal_code", "region"), "address"),
    **dict.fromkeys(
        ("phone", "phone_extension", "phone_valid", "phone_line_type", "sms_eligible", "time_zone"), "phone"
    ),
    **dict.fromkeys(
        ("email", "email_valid", "email_suggestion", "email_is_free_mail", "email_is_role_account"), "email"
    ),
    **dict.fromkeys(("email_matches_website", "website", "website_domain"), "website"),
    **dict.fromkeys(
        (
            "license_number",
            "license_state",
            "license_status",
            "license_issued_on",
            "license_expires_on",
            "license_age_years",
        ),
        "license",
    ),
    "specialties": "specialties",
    **dict.fromkeys(("rating", "review_count"), "reviews"),
    "referred_by_user_id": "referral",
}
"""Which prior applies to each EnrichedRecord field."""


@lru_cache(maxsize=64)
def field_priors(source: str) -> dict[str, float]:
    """The reliability prior of `source` for every EnrichedRecord field (one lookup per field when enriching)."""
    row = SOURCE_PRIORS.get(source)
    return {field: DEFAULT_PRIOR if row is None else row[group] for field, group in FIELD_PRIOR_GROUP.items()}
