import itertools
from datetime import UTC, date, datetime

import pytest

from outreach.discovery.records import CandidateRecord
from outreach.enrichment import EnrichedRecord, enrich, merge

AS_OF = date(2025, 7, 1)
MAY, JUNE = datetime(2025, 5, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC)


def _enriched(source: str, record_id: str, fetched_at: datetime = MAY, **fields) -> EnrichedRecord:
    record = CandidateRecord(source=source, source_record_id=record_id, fetched_at=fetched_at, **fields)
    return enrich(record, AS_OF)


@pytest.fixture
def registry() -> EnrichedRecord:
    return _enriched(
        "license_ca",
        "1002345",
        business_name="ACME ROOFING INC",
        contact_name="DOCKERY RANDALL MARK",
        street="100 North Main Street",
        city="SAN DIEGO",
        state="CA",
        phone="(619) 555 0142",
        classifications=("B|C39",),
        license_number="1002345",
        license_status="CLEAR",
        license_expires_on=date(2026, 3, 31),
    )


@pytest.fixture
def social() -> EnrichedRecord:
    return _enriched(
        "social",
        "s-9",
        JUNE,
        business_name="Acme Roofing",
        contact_name="Randy Dockery",
        region="us-ca-san-diego",
        email="Randy@AcmeRoofing.com",
        specialty_hints=("solar",),
        description="roof repair",
    )


@pytest.fixture
def directory() -> EnrichedRecord:
    return _enriched(
        "directory",
        "d-7",
        JUNE,
        business_name="Acme Roofing Co",
        postal_code="92101",
        website="www.acmeroofing.com",
        rating=4.6,
        review_count=31,
    )


def _decision(golden, field):
    return next(d for d in golden.decisions if d.field == field)


def test_the_higher_confidence_value_wins(registry, social) -> None:
    golden = merge([registry, social])
    assert golden.record.business_name.value == "ACME ROOFING INC"
    assert golden.record.contact_name.value == "Randy Dockery"
    assert _decision(golden, "business_name").reason.startswith("highest confidence: 0.95 (license_ca)")


def test_a_tie_goes_to_the_fresher_record() -> None:
    older = _enriched("directory", "d-1", MAY, phone="(619) 555-0142")
    newer = _enriched("directory", "d-2", JUNE, phone="(619) 555-0199")
    golden = merge([older, newer])
    assert golden.record.phone.value == "+16195550199"
    assert "fresher" in _decision(golden, "phone").reason


def test_a_full_tie_is_broken_by_source_and_record_id_whatever_the_input_order() -> None:
    first = _enriched("directory", "d-1", MAY, phone="(619) 555-0142")
    second = _enriched("directory", "d-2", MAY, phone="(619) 555-0199")
    assert merge([first, second]).record.phone.value == merge([second, first]).record.phone.value == "+16195550142"
    assert "first by source and record id" in _decision(merge([second, first]), "phone").reason


def test_a_later_source_fills_the_gaps(registry, social, directory) -> None:
    golden = merge([registry, social, directory])
    assert golden.record.email.value == "randy@acmeroofing.com"
    assert golden.record.website_domain.value == "acmeroofing.com"
    assert golden.record.rating.value == 4.6
    assert _decision(golden, "email").reason == "only social had a value"


def test_every_field_has_a_decision_that_names_the_chosen_candidate(registry, social, directory) -> None:
    golden = merge([registry, social, directory])
    fields = [name for name in EnrichedRecord.model_fields if name not in ("provenance", "as_of", "specialties")]
    assert [d.field for d in golden.decisions[: len(fields)]] == fields
    for decision in golden.decisions:
        if decision.chosen is not None:
            assert decision.chosen in decision.candidates
            assert decision.reason
    name = _decision(golden, "business_name")
    assert {c.source for c in name.candidates} == {"license_ca", "social", "directory"}
    assert name.chosen.source_record_id == "1002345"


def test_a_field_no_source_had_is_empty_and_says_so(registry) -> None:
    golden = merge([registry])
    assert golden.record.email.value is None
    assert _decision(golden, "email").reason == "no source had a value"
    assert _decision(golden, "email").chosen is None


def test_phone_details_follow_the_chosen_phone_not_the_most_confident_detail() -> None:
    registry = _enriched("license_ca", "1", MAY, phone="(619) 555-0142", state="CA")
    referral = _enriched("referral", "2", JUNE, phone="(212) 555-0100", state="CA")
    assert registry.time_zone.confidence > referral.time_zone.confidence
    golden = merge([registry, referral])
    assert golden.record.phone.value == "+12125550100"
    assert golden.record.time_zone.value == "America/New_York"
    assert _decision(golden, "time_zone").reason.startswith("among records with the chosen phone")


def test_address_gaps_are_filled_only_from_records_without_another_street(registry, directory) -> None:
    elsewhere = _enriched(
        "directory", "d-8", JUNE, street="1 Wall St", city="New York", state="NY", postal_code="10005"
    )
    golden = merge([registry, directory, elsewhere])
    assert golden.record.street.value == "100 N MAIN ST"
    assert (golden.record.city.value, golden.record.postal_code.value) == ("San Diego", "92101")
    assert _decision(golden, "postal_code").reason.startswith("gap filled from a record with no street")


def test_specialties_are_the_union_at_their_strongest_evidence(registry, social) -> None:
    golden = merge([registry, social])
    found = {s.value: (s.confidence, s.source) for s in golden.record.specialties}
    assert found == {
        "general_contractor": (1.0, "license_ca"),
        "roofing": (1.0, "license_ca"),
        "solar": (0.72, "social"),
    }
    assert "specialties[roofing]" in [d.field for d in golden.decisions]


def test_email_website_agreement_is_recomputed_across_sources(social, directory) -> None:
    assert social.email_matches_website.value is None
    golden = merge([social, directory])
    assert golden.record.email_matches_website.value is True
    assert "derived from the chosen email (social)" in _decision(golden, "email_matches_website").reason


def test_the_golden_record_lists_every_source_record(registry, social, directory) -> None:
    golden = merge([directory, registry, social])
    assert [p.source_record_id for p in golden.record.provenance] == ["1002345", "d-7", "s-9"]


def test_merging_is_deterministic_under_any_input_order(registry, social, directory) -> None:
    results = {merge(list(order)).model_dump_json() for order in itertools.permutations([registry, social, directory])}
    assert len(results) == 1


def test_merging_a_golden_record_with_new_records_matches_merging_everything(registry, social, directory) -> None:
    incremental = merge([merge([registry, social]).record, directory]).record
    assert incremental == merge([registry, social, directory]).record


def test_naive_and_aware_times_compare() -> None:
    naive = _enriched("directory", "d-1", datetime(2025, 6, 2), phone="(619) 555-0142")
    aware = _enriched("directory", "d-2", JUNE, phone="(619) 555-0199")
    assert merge([naive, aware]).record.phone.value == "+16195550142"


def test_merging_nothing_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        merge([])
