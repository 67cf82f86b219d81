"""The one shape every discovery source produces: a candidate record, as found, with its provenance.

Values are kept as the source gave them (a phone may be `(619) 555 0142`, an email may be malformed);
enrichment normalizes and scores them, entity resolution clusters records of the same business.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

SOURCES = ("social", "referral", "license_ca", "license_wa", "license_tx", "directory")
"""Discovery source slugs (the contract's ProspectSource pattern)."""


class CandidateRecord(BaseModel):
    """One record about a (possibly) contractor business, from one source, on one day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(pattern=r"^[a-z][a-z0-9_]{1,49}$")
    source_record_id: str = Field(min_length=1)
    fetched_at: datetime

    business_name: str | None = None
    contact_name: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    region: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None

    specialty_hints: tuple[str, ...] = ()
    """Contract specialties the source states outright (e.g. the social `specialty_hint`)."""
    classifications: tuple[str, ...] = ()
    """Source-specific trade codes or labels (CSLB `C36`, WA `PLUMBING`, TX license type, directory categories)."""
    description: str | None = None

    license_number: str | None = None
    license_state: str | None = None
    license_status: str | None = None
    license_issued_on: date | None = None
    license_expires_on: date | None = None
    business_type: str | None = None

    rating: float | None = None
    review_count: int | None = None
    referred_by_user_id: str | None = None
