import pytest
import usaddress

from outreach.enrichment import address
from outreach.enrichment.address import normalize_address, normalize_city, normalize_zip


@pytest.mark.parametrize(
    ("street", "line"),
    [
        ("100 Main St, Ste 200", "100 MAIN ST STE 200"),
        ("123 N. Oak Avenue Apt 4B", "123 N OAK AVE APT 4B"),
        ("4521 West Elm Boulevard #12", "4521 W ELM BLVD # 12"),
        ("1600 Pennsylvania Ave NW", "1600 PENNSYLVANIA AVE NW"),
        ("Suite 5, 77 Sunset Blvd", "77 SUNSET BLVD STE 5"),
        ("  100   north  main   street  ", "100 N MAIN ST"),
        ("PO BOX 100", "PO BOX 100"),
        ("P.O. Box 77", "PO BOX 77"),
        ("Rural Route 2 Box 14", "RR 2 BOX 14"),
        ("12 1/2 Rose Lane", "12 1/2 ROSE LN"),
    ],
)
def test_street_lines_are_standardized_to_usps_style(street, line) -> None:
    result = normalize_address(street, None, None, None)
    assert result.street.value == line
    assert result.street.confidence >= 0.95


@pytest.mark.parametrize(
    ("street", "confidence", "reason"),
    [
        ("100 Broadway", 0.85, "no street type"),
        ("Attn: Bob Smith, 100 Main St", 0.85, "dropped Recipient"),
        ("asdf qwer", 0.2, "not a street address"),
        ("Main Street", 0.2, "not a street address"),
        ("100 Main St & 2nd Ave", 0.2, "not a street address"),
    ],
)
def test_confidence_follows_how_complete_the_parse_is(street, confidence, reason) -> None:
    result = normalize_address(street, None, None, None).street
    assert result.confidence == confidence
    assert reason in result.reason


def test_an_unparsed_line_is_kept_as_given() -> None:
    assert normalize_address("asdf  qwer", None, None, None).street.value == "ASDF QWER"


def test_city_state_and_zip_are_normalized() -> None:
    result = normalize_address("100 Main St", "SAN DIEGO", "California", "92101-1234")
    assert (result.city.value, result.state.value, result.postal_code.value) == ("San Diego", "CA", "92101")


def test_parts_found_in_the_street_line_fill_missing_fields_with_less_confidence() -> None:
    result = normalize_address("100 Main St, Austin, TX 78701", None, None, None)
    assert (result.street.value, result.city.value, result.state.value, result.postal_code.value) == (
        "100 MAIN ST",
        "Austin",
        "TX",
        "78701",
    )
    assert result.city.confidence < 1.0
    assert result.city.reason == "city found in the street line"


def test_a_texas_style_city_state_zip_field_is_split() -> None:
    result = normalize_address("100 MAIN ST", "AUSTIN, TX 78701", None, None)
    assert (result.city.value, result.state.value, result.postal_code.value) == ("Austin", "TX", "78701")


@pytest.mark.parametrize(
    ("raw", "city"),
    [("SAN DIEGO", "San Diego"), ("st. louis", "St. Louis"), ("O'FALLON", "O'Fallon"),
     ("winston-salem", "Winston-Salem"), (" san   diego ", "San Diego")],
)  # fmt: skip
def test_cities_are_title_cased(raw, city) -> None:
    assert normalize_city(raw).value == city


@pytest.mark.parametrize("raw", ["12345", "-", "", None])
def test_non_cities_give_none_with_a_reason(raw) -> None:
    result = normalize_city(raw)
    assert result.value is None
    assert result.reason


@pytest.mark.parametrize(
    ("raw", "zip5", "confidence"),
    [("92101", "92101", 1.0), ("92101-1234", "92101", 1.0), ("921011234", "92101", 1.0), ("92101.0", "92101", 1.0),
     ("2134", "02134", 0.7)],
)  # fmt: skip
def test_zips_become_zip5(raw, zip5, confidence) -> None:
    result = normalize_zip(raw)
    assert (result.value, result.confidence) == (zip5, confidence)


@pytest.mark.parametrize("raw", ["abc", "123", "9210", "92101-12", "", None])
def test_malformed_zips_give_none_with_a_reason(raw) -> None:
    result = normalize_zip(raw)
    assert (result.value is None) == (raw != "9210")
    assert result.reason or raw == "9210"


@pytest.mark.parametrize(
    "street",
    [
        "100 Main St",
        "123 N. Oak Avenue Apt 4B",
        "4521 West Elm Boulevard #12",
        "1600 Pennsylvania Ave NW",
        "77 Martin Luther King Jr Blvd Suite 200",
        "9 St Charles Ave",
        "300 E 42nd St Fl 3",
        "15 Del Mar Heights Rd S Unit A",
    ],
)
def test_the_fast_path_agrees_with_usaddress_on_everyday_lines(street) -> None:
    cleaned = address._clean(street)
    fast = address._SIMPLE_STREET.match(cleaned)
    assert fast is not None
    tagged, _ = usaddress.tag(street)
    slow = address._street_line({label: address._clean(value) for label, value in tagged.items()})
    assert address._street_line({k: v for k, v in fast.groupdict().items() if v}).value == slow.value
