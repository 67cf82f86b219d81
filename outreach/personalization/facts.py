"""The facts a message may state about a prospect: nothing else reaches a template or the language model.

`Facts` holds display values only, built from plain values the caller supplies (the golden prospect, the demand
marts, the referral): business name, specialty label, region name, the count of open projects of that specialty in
that region, the average project value (formatted), the referrer's first name for a referred prospect, and the
source of the data in plain words (for the GDPR notice). Contact data never goes in.
"""

from __future__ import annotations

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Display = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
FirstName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]

SPECIALTY_LABELS = {
    "general_contractor": "general contracting",
    "plumbing": "plumbing",
    "electrical": "electrical",
    "hvac": "HVAC",
    "roofing": "roofing",
    "painting": "painting",
    "flooring": "flooring",
    "carpentry": "carpentry",
    "landscaping": "landscaping",
    "concrete": "concrete",
    "drywall": "drywall",
    "handyman": "handyman",
    "remodeling": "remodeling",
    "solar": "solar",
    "pest_control": "pest control",
    "cleaning": "cleaning",
}

# Where discovery found a prospect (`outreach.discovery.records.SOURCES`), as the GDPR notice says it.
SOURCE_DESCRIPTIONS = {
    "license_ca": "the California public contractor license registry",
    "license_wa": "the Washington State public contractor registration list",
    "license_tx": "the Texas public contractor license registry",
    "directory": "a public online business directory",
    "social": "your public business profile on social media",
    "referral": "a referral from someone who knows your work",
}
GENERIC_LICENSE_SOURCE = "a public contractor license registry"
CURRENCY_SYMBOLS = {"USD": "$", "CAD": "CA$", "EUR": "€", "GBP": "£", "AUD": "A$"}


class Facts(BaseModel):
    """Everything a message may say about the prospect and their market; display-ready."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    business_name: Display
    specialty_label: Display
    region_name: Display
    open_projects: int | None = Field(default=None, ge=0)  # open projects of this specialty in this region
    average_project_value: str | None = Field(default=None, max_length=40)  # formatted: "$12,350"
    referrer_first_name: FirstName | None = None
    source_description: Display  # for the GDPR notice: "a public contractor license registry"

    @classmethod
    def from_values(
        cls,
        *,
        business_name: str,
        specialty: str,
        region_name: str,
        source: str,
        open_projects: int | None = None,
        average_project_value_cents: int | None = None,
        currency: str = "USD",
        referrer_first_name: str | None = None,
    ) -> Facts:
        """Facts from the values our data holds: a specialty slug, cents, a discovery source name."""
        return cls(
            business_name=business_name,
            specialty_label=specialty_label(specialty),
            region_name=region_name,
            open_projects=open_projects,
            average_project_value=(
                format_money(average_project_value_cents, currency) if average_project_value_cents else None
            ),
            referrer_first_name=referrer_first_name,
            source_description=describe_source(source),
        )

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON of the facts: the cache key's part that changes with what we may say."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def for_prompt(self) -> dict[str, object]:
        """The facts a model may use in the text (the data source is for the notice, which code writes)."""
        return self.model_dump(mode="json", exclude={"source_description"}, exclude_none=True)

    def texts(self) -> list[str]:
        """Every fact as text, for the guardrails to find the numbers a message may contain."""
        values = self.model_dump(mode="json", exclude_none=True)
        return [str(value) for value in values.values()]


def specialty_label(specialty: str) -> str:
    """`pest_control` → "pest control", `hvac` → "HVAC"; an unknown slug is shown with spaces."""
    return SPECIALTY_LABELS.get(specialty, specialty.replace("_", " "))


def describe_source(source: str) -> str:
    """A discovery source in plain words; free text (already a description) passes through."""
    if source in SOURCE_DESCRIPTIONS:
        return SOURCE_DESCRIPTIONS[source]
    if source.startswith("license_"):
        return GENERIC_LICENSE_SOURCE
    return source


def format_money(cents: int, currency: str = "USD") -> str:
    """Whole units with thousands separators: 1234550 → "$12,346" (amounts in messages are rounded to units)."""
    units = (Decimal(cents) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    return f"{symbol}{units:,}" if symbol else f"{units:,} {currency.upper()}"
