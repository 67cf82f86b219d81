"""`ReferralCreatedEvent`s (a user referred someone who is not a contractor yet) → `referral` records.

Why derive state and city from the region: the event gives only the slug (`us-ca-san-diego`), while every other
source gives a state and a city; filling them lets blocking and address matching treat referrals like the rest.
The city is a best effort (`san-diego` → `San Diego`, but `st-louis` → `St Louis`): the slug is what is certain.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from outreach.discovery.records import CandidateRecord
from outreach.discovery.social import given

_REGION = re.compile(r"^[a-z]{2}-(?P<state>[a-z]{2})-(?P<city>[a-z0-9]+(?:-[a-z0-9]+)*)$")


def split_region(region: str | None) -> tuple[str | None, str | None]:
    """`us-ca-san-diego` → (`CA`, `San Diego`); (None, None) when it is not a region slug."""
    match = _REGION.match(region.strip().lower()) if region else None
    if match is None:
        return None, None
    return match["state"].upper(), " ".join(word.capitalize() for word in match["city"].split("-"))


def from_referral_event(data: Mapping[str, Any], fetched_at: datetime) -> CandidateRecord:
    """The `data` of a ReferralCreatedEvent as a `referral` record (record id = referral_id; the referrer as
    `referred_by_user_id`). `campaign_id` and `created_at` are about the referral, not the business, and are not
    kept. Raises ValueError (pydantic's ValidationError) without a referral_id."""
    region = given(data.get("region"))
    state, city = split_region(region)
    hint = given(data.get("specialty_hint"))
    return CandidateRecord(
        source="referral",
        source_record_id=data.get("referral_id"),
        fetched_at=fetched_at,
        business_name=given(data.get("referred_business_name")),
        contact_name=given(data.get("referred_name")),
        city=city,
        state=state,
        region=region,
        phone=given(data.get("referred_phone")),
        email=given(data.get("referred_email")),
        specialty_hints=(hint,) if hint else (),
        referred_by_user_id=given(data.get("referrer_user_id")),
    )
