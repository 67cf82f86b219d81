"""Potential contractors (Social domain) → `social` candidate records, values kept as people typed them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from outreach.discovery.social import from_potential_contractor

FETCHED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ITEM = {
    "candidate_id": "702a025c-027a-4d51-871c-3d682ba16953",
    "name": "Rivera, Alex",
    "business_name": "alex's plumbing",
    "email": " Alex.Rivera AT gmail dot com ",
    "phone": "(619) 555 0142 ext 3",
    "specialty_hint": "plumbing",
    "region": "us-ca-san-diego",
    "state": "CA",
    "city": "San Diego",
    "referred_by_user_id": "af0ab53d-87e7-4bfd-9e29-a16c7686eea1",
    "relationship": "worked_with",
    "first_seen_at": "2026-02-01T10:00:00Z",
}


def test_a_potential_contractor_becomes_a_social_record_as_given() -> None:
    record = from_potential_contractor(ITEM, FETCHED)

    assert (record.source, record.source_record_id, record.fetched_at) == ("social", ITEM["candidate_id"], FETCHED)
    assert record.contact_name == "Rivera, Alex"
    assert record.business_name == "alex's plumbing"
    assert record.email == " Alex.Rivera AT gmail dot com "  # raw: enrichment repairs it
    assert record.phone == "(619) 555 0142 ext 3"
    assert record.specialty_hints == ("plumbing",)
    assert (record.region, record.state, record.city) == ("us-ca-san-diego", "CA", "San Diego")
    assert record.referred_by_user_id == "af0ab53d-87e7-4bfd-9e29-a16c7686eea1"


def test_nulls_and_blanks_are_absent() -> None:
    record = from_potential_contractor(
        {**ITEM, "business_name": None, "email": "  ", "phone": None, "specialty_hint": None}, FETCHED
    )

    assert (record.business_name, record.email, record.phone) == (None, None, None)
    assert record.specialty_hints == ()


def test_an_item_without_a_candidate_id_is_refused() -> None:
    with pytest.raises(ValueError, match="source_record_id"):
        from_potential_contractor({k: v for k, v in ITEM.items() if k != "candidate_id"}, FETCHED)
