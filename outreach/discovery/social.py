"""Social Sharing & Referrals' potential contractors (`PotentialContractor` of the domains contract) → records.

Why so little is done here: these are what people typed about someone they know (nicknames, `Last, First`,
emails with `mailto:` or `at`/`dot`, phones in any format). The record keeps them as given, so enrichment judges
every source the same way and the raw values stay available to explain a match.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from outreach.discovery.records import CandidateRecord


def given(value: Any) -> str | None:
    """A value as given, None when absent or blank (a blank field says nothing)."""
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def from_potential_contractor(item: Mapping[str, Any], fetched_at: datetime) -> CandidateRecord:
    """A `PotentialContractor` as a `social` record (record id = candidate_id). The contract's `relationship`
    and `first_seen_at` describe the referrer's tie and the listing, not the business, and are not kept.
    Raises ValueError (pydantic's ValidationError) without a candidate_id."""
    hint = given(item.get("specialty_hint"))
    return CandidateRecord(
        source="social",
        source_record_id=item.get("candidate_id"),
        fetched_at=fetched_at,
        business_name=given(item.get("business_name")),
        contact_name=given(item.get("name")),
        city=given(item.get("city")),
        state=given(item.get("state")),
        region=given(item.get("region")),
        phone=given(item.get("phone")),
        email=given(item.get("email")),
        specialty_hints=(hint,) if hint else (),
        referred_by_user_id=given(item.get("referred_by_user_id")),
    )
