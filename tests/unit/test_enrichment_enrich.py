import random
import string
from datetime import UTC, date, datetime

import pytest

from outreach.discovery.records import CandidateRecord
from outreach.enrichment import EnrichedRecord, FieldValue, enrich
from outreach.enrichment.fields import SOURCE_PRIORS, field_priors

AS_OF = date(2025, 6, 15)
FETCHED = datetime(2025, 6, 1, 12, tzinfo=UTC)


def _record(**fields) -> CandidateRecord:
    base = {"source": "directory", "source_record_id": "r-1", "fetched_at": FETCHED}
    return CandidateRecord(**(base | fields))


def _values(record: EnrichedRecord) -> dict[str, object]:
    return {name: getattr(record, name).value for name in ("street", "city", "state", "postal_code", "region")}


def test_a_cslb_record_enriches_every_field_with_source_and_confidence() -> None:
    record = _record(
        source="license_ca",
        source_record_id="1002345",
        business_name="ACME ROOFING INC",
        street="100 North Main Street, Suite 200",
        city="SAN DIEGO",
        state="CA",
        postal_code="92101-1234",
        phone="(619) 555 0142",
        classifications=("B|C39",),
        license_number="1002345",
        license_status="CLEAR",
        license_issued_on=date(2010, 3, 1),
        license_expires_on=date(2026, 3, 31),
        business_type="Corporation",
    )
    enriched = enrich(record, AS_OF)
    assert _values(enriched) == {
        "street": "100 N MAIN ST STE 200",
        "city": "San Diego",
        "state": "CA",
        "postal_code": "92101",
        "region": "us-ca-san-diego",
    }
    assert enriched.phone.value == "+16195550142"
    assert enriched.time_zone.value == "America/Los_Angeles"
    assert (enriched.license_status.value, enriched.license_age_years.value) == ("active", 15.29)
    assert enriched.business_type.value == "corporation"
    assert [s.value for s in enriched.specialties] == ["general_contractor", "roofing"]
    assert enriched.provenance[0].source_record_id == "1002345"
    assert enriched.phone.source == "license_ca"
    assert enriched.phone.observed_at == FETCHED
    assert enriched.phone.source_record_id == "1002345"


def test_every_field_is_a_field_value_even_when_the_source_had_nothing() -> None:
    enriched = enrich(_record(), AS_OF)
    for name in EnrichedRecord.model_fields:
        if name not in ("provenance", "as_of", "specialties"):
            value = getattr(enriched, name)
            assert isinstance(value, FieldValue), name
            assert (value.value, value.confidence, value.source) == (None, 0.0, "directory"), name
            assert value.reason, name


def test_confidence_is_the_normalizer_s_times_the_source_prior() -> None:
    registry = enrich(_record(source="license_wa", street="100 Main St"), AS_OF).street
    referral = enrich(_record(source="referral", street="100 Main St"), AS_OF).street
    assert registry.confidence == SOURCE_PRIORS["license_wa"]["address"]
    assert referral.confidence == SOURCE_PRIORS["referral"]["address"]
    assert enrich(_record(source="referral", contact_name="Jo Smith"), AS_OF).contact_name.confidence == 0.9


def test_an_unknown_source_gets_the_default_prior() -> None:
    assert set(field_priors("carrier_pigeon").values()) == {0.5}


def test_a_region_only_record_gets_state_and_a_guessed_city() -> None:
    enriched = enrich(_record(source="social", region="us-ca-san-diego"), AS_OF)
    assert (enriched.region.value, enriched.state.value, enriched.city.value) == ("us-ca-san-diego", "CA", "San Diego")
    assert enriched.city.confidence < enriched.state.confidence


def test_the_region_is_derived_from_city_and_state_and_a_disagreeing_slug_is_noted() -> None:
    enriched = enrich(_record(city="Oakland", state="CA", region="us-ca-san-diego"), AS_OF)
    assert enriched.region.value == "us-ca-oakland"
    assert "us-ca-san-diego" in enriched.region.reason


def test_a_license_record_without_address_state_falls_back_to_the_license_state() -> None:
    enriched = enrich(_record(source="license_wa", license_number="ROOFTI*123AB", license_state="WA"), AS_OF)
    assert enriched.state.value == "WA"
    assert enriched.time_zone.value == "America/Los_Angeles"
    assert enriched.license_state.value == "WA"


def test_the_license_state_defaults_to_the_registry_s_own() -> None:
    assert enrich(_record(source="license_tx", license_number="TACLA000001"), AS_OF).license_state.value == "TX"


def test_an_email_at_the_website_s_domain_raises_confidence_in_both() -> None:
    alone = enrich(_record(email="randy@acmeroofing.com"), AS_OF)
    together = enrich(_record(email="randy@acmeroofing.com", website="www.acmeroofing.com"), AS_OF)
    assert together.email_matches_website.value is True
    assert together.email.confidence > alone.email.confidence


def test_names_are_cleaned() -> None:
    enriched = enrich(_record(business_name="  #A1   PLUMBING ", contact_name="SMITH, JO"), AS_OF)
    assert (enriched.business_name.value, enriched.contact_name.value) == ("A1 PLUMBING", "Jo Smith")
    assert enriched.contact_name.method == "last_first_reordered"


@pytest.mark.parametrize(
    ("raw", "name"),
    [("RIVERA, ALEX", "Alex Rivera"), ("O'BRIEN, PAT", "Pat O'Brien"), ("John Smith, Jr.", "John Smith, Jr."),
     ("DOCKERY RANDALL MARK", "Dockery Randall Mark"), ("McKay Smith", "McKay Smith")],
)  # fmt: skip
def test_person_names(raw, name) -> None:
    assert enrich(_record(contact_name=raw), AS_OF).contact_name.value == name


@pytest.mark.parametrize(
    ("raw", "kind"),
    [("Corporation", "corporation"), ("Sole Owner", "sole_proprietor"), ("Limited Liability Company", "llc"),
     ("Partnership", "partnership"), ("JointVenture", "joint_venture"), ("Mystery", None)],
)  # fmt: skip
def test_business_types(raw, kind) -> None:
    assert enrich(_record(business_type=raw), AS_OF).business_type.value == kind


def test_garbage_in_every_field_never_raises_and_explains_itself() -> None:
    enriched = enrich(
        _record(
            business_name="!!!",
            contact_name="123",
            street="???",
            city="00000",
            state="Atlantis",
            postal_code="ABCDE",
            region="nowhere",
            phone="call me maybe",
            email="@@",
            website="http://",
            license_number="n/a",
            license_status="¯\\_(ツ)_/¯",
            license_issued_on=date(2999, 1, 1),
            business_type="?",
            rating=11.0,
            review_count=-3,
        ),
        AS_OF,
    )
    for name in ("business_name", "contact_name", "city", "state", "postal_code", "region", "phone", "email",
                 "website", "license_number", "license_issued_on", "license_age_years", "business_type", "rating",
                 "review_count"):  # fmt: skip
        value = getattr(enriched, name)
        assert value.value is None, name
        assert value.reason, name
    assert enriched.street.confidence < 0.2
    assert enriched.phone_valid.value is False
    assert enriched.email_valid.value is False


def test_enrichment_is_deterministic_and_round_trips_through_json() -> None:
    record = _record(
        business_name="Acme Roofing",
        phone="619.555.0142 x12",
        email="Randy@AcmeRoofing.com",
        website="https://acmeroofing.com",
        classifications=("Roofing", "Gutters"),
        rating=4.5,
        review_count=12,
    )
    first, second = enrich(record, AS_OF), enrich(record, AS_OF)
    assert first == second
    assert EnrichedRecord.model_validate_json(first.model_dump_json()) == first


def test_an_out_of_range_confidence_is_refused() -> None:
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        FieldValue("x", 1.5, "directory", "as_given")


def test_random_junk_in_any_text_field_never_raises() -> None:
    rng = random.Random(20250615)
    alphabet = string.printable + "ñé中€\u200b\x00"
    text_fields = ("business_name", "contact_name", "street", "city", "state", "postal_code", "region", "phone",
                   "email", "website", "description", "license_number", "license_status", "business_type")  # fmt: skip
    for index in range(200):
        junk = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        fields = dict.fromkeys(text_fields, junk)
        record = _record(source_record_id=f"r-{index}", classifications=(junk,), specialty_hints=(junk,), **fields)
        assert isinstance(enrich(record, AS_OF), EnrichedRecord)
