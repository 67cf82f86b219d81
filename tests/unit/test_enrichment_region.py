import pytest

from outreach.enrichment.region import (
    REGION_PATTERN,
    normalize_region,
    normalize_state,
    region_slug,
    slugify,
    split_region,
)


@pytest.mark.parametrize(
    ("raw", "code"),
    [("CA", "CA"), ("ca", "CA"), ("California", "CA"), (" new  york ", "NY"), ("Calif.", "CA"), ("D.C.", "DC"),
     ("Washington DC", "DC"), ("Puerto Rico", "PR"), ("tx", "TX")],
)  # fmt: skip
def test_state_names_and_codes_become_usps_codes(raw, code) -> None:
    assert normalize_state(raw).value == code


@pytest.mark.parametrize("raw", ["ZZ", "Ontario", "12", "", None])
def test_unknown_states_give_none_with_a_reason(raw) -> None:
    result = normalize_state(raw)
    assert result.value is None
    assert result.reason


@pytest.mark.parametrize(
    ("city", "state", "slug"),
    [
        ("San Diego", "CA", "us-ca-san-diego"),
        ("St. Louis", "MO", "us-mo-st-louis"),
        ("O'Fallon", "IL", "us-il-ofallon"),
        ("Winston-Salem", "NC", "us-nc-winston-salem"),
        ("Cañon City", "CO", "us-co-canon-city"),
        ("  Coeur d'Alene ", "ID", "us-id-coeur-dalene"),
        ("!!!", "CA", None),
    ],
)
def test_region_slugs_follow_the_contract_pattern(city, state, slug) -> None:
    assert region_slug(city, state) == slug
    assert slug is None or REGION_PATTERN.match(slug)


def test_slugify_reads_ampersand_as_and() -> None:
    assert slugify("Town & Country") == "town-and-country"


@pytest.mark.parametrize(
    ("raw", "slug", "confidence"),
    [("us-ca-san-diego", "us-ca-san-diego", 1.0), ("US-CA-San Diego", "us-ca-san-diego", 0.9)],
)
def test_given_regions_are_validated_and_reslugged(raw, slug, confidence) -> None:
    result = normalize_region(raw)
    assert (result.value, result.confidence) == (slug, confidence)


@pytest.mark.parametrize("raw", ["san diego", "us-zz-san-diego", "mx-ca-tijuana", "us-ca-", ""])
def test_invalid_regions_give_none_with_a_reason(raw) -> None:
    result = normalize_region(raw)
    assert result.value is None
    assert result.reason


def test_split_region_recovers_state_and_a_city_guess() -> None:
    assert split_region("us-ca-san-diego") == ("CA", "San Diego")
