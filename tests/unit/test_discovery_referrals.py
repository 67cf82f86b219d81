"""ReferralCreatedEvent data → `referral` candidate records, with state and city derived from the region slug."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from outreach.discovery.referrals import from_referral_event, split_region

FETCHED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
EVENT = {
    "referral_id": "6f76f5df-642b-456a-8846-35ee1067756b",
    "referrer_user_id": "af0ab53d-87e7-4bfd-9e29-a16c7686eea1",
    "referred_name": "Eric Robinson",
    "referred_business_name": "bluebonnet paint pros",
    "referred_email": "bluebonnetpaintpros@gmail.com",
    "referred_phone": "832.821.1017 - mobile",
    "specialty_hint": "painting",
    "region": "us-tx-houston",
    "campaign_id": None,
    "created_at": "2026-11-27T15:17:19Z",
}


def test_a_referral_becomes_a_referral_record() -> None:
    record = from_referral_event(EVENT, FETCHED)

    assert (record.source, record.source_record_id, record.fetched_at) == ("referral", EVENT["referral_id"], FETCHED)
    assert record.contact_name == "Eric Robinson"
    assert record.business_name == "bluebonnet paint pros"
    assert (record.email, record.phone) == ("bluebonnetpaintpros@gmail.com", "832.821.1017 - mobile")
    assert record.specialty_hints == ("painting",)
    assert (record.region, record.state, record.city) == ("us-tx-houston", "TX", "Houston")
    assert record.referred_by_user_id == EVENT["referrer_user_id"]


def test_optional_fields_may_be_null() -> None:
    record = from_referral_event(
        {**EVENT, "referred_business_name": None, "referred_email": None, "specialty_hint": None}, FETCHED
    )

    assert (record.business_name, record.email, record.specialty_hints) == (None, None, ())


@pytest.mark.parametrize(
    ("region", "parts"),
    [
        ("us-ca-san-diego", ("CA", "San Diego")),
        ("us-nc-winston-salem", ("NC", "Winston Salem")),
        ("US-WA-Seattle", ("WA", "Seattle")),
        ("san-diego", (None, None)),
        (None, (None, None)),
    ],
)
def test_split_region(region: str | None, parts: tuple[str | None, str | None]) -> None:
    assert split_region(region) == parts


def test_an_event_without_a_referral_id_is_refused() -> None:
    with pytest.raises(ValueError, match="source_record_id"):
        from_referral_event({**EVENT, "referral_id": None}, FETCHED)
