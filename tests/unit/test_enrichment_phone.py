import pytest

from outreach.enrichment.phone import normalize_phone, pick_time_zone


@pytest.mark.parametrize(
    ("raw", "e164", "extension"),
    [
        ("(559) 555 0100", "+15595550100", None),
        ("9255034838", "+19255034838", None),
        ("+1-619-555-0142", "+16195550142", None),
        ("619.555.0142 x12", "+16195550142", "12"),
        ("619-555-0142 ext. 7", "+16195550142", "7"),
        ("1 (512) 555-0100", "+15125550100", None),
        ("Tel: 206 851 2194", "+12068512194", None),
        ("+1 619 555 0142 (cell)", "+16195550142", None),
        ("Office: 619.555.0142 Ext. 12", "+16195550142", "12"),
        ("１ ６１９ ５５５ ０１４２", "+16195550142", None),
        ("1-800-FLOWERS", "+18003569377", None),
    ],
)
def test_us_formats_normalize_to_e164(raw, e164, extension) -> None:
    result = normalize_phone(raw)
    assert (result.e164.value, result.extension.value, result.valid.value) == (e164, extension, True)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("junk", "not a phone number"),
        ("555-1234", "local number without an area code"),
        ("(123) 456-7890", "assigned number range"),
        ("12345678901234567", "too many digits"),
        ("12", "too few digits"),
        ("+", "not a phone number"),
        ("x" * 1000, "too long"),
    ],
)
def test_malformed_phones_are_invalid_with_a_reason(raw, reason) -> None:
    result = normalize_phone(raw)
    assert result.e164.value is None
    assert result.valid.value is False
    assert result.sms_eligible.value is False
    assert reason in result.e164.reason


def test_a_missing_phone_is_unknown_rather_than_invalid() -> None:
    result = normalize_phone("  ")
    assert (result.e164.value, result.valid.value, result.sms_eligible.value) == (None, None, None)
    assert result.valid.reason == "no phone given"


def test_us_numbers_are_honestly_fixed_line_or_mobile_and_sms_eligible_with_low_confidence() -> None:
    result = normalize_phone("(619) 555-0142")
    assert result.line_type.value == "fixed_line_or_mobile"
    assert result.sms_eligible.value is True
    assert result.line_type.confidence == result.sms_eligible.confidence == 0.5
    assert "mobile from landline" in result.line_type.reason


@pytest.mark.parametrize(
    ("raw", "line_type", "sms"),
    [
        ("+44 20 7946 0958", "landline", False),
        ("1-800-555-0199", "toll_free", False),
        ("+44 7911 123456", "mobile", True),
    ],
)
def test_known_line_types_decide_sms_eligibility(raw, line_type, sms) -> None:
    result = normalize_phone(raw)
    assert (result.line_type.value, result.sms_eligible.value) == (line_type, sms)
    assert result.line_type.confidence == 0.9 or line_type == "toll_free"


def test_a_foreign_number_is_valid_but_flagged() -> None:
    result = normalize_phone("+44 20 7946 0958")
    assert result.e164.value == "+442079460958"
    assert result.e164.confidence < 1.0
    assert "GB" in result.e164.reason


def test_the_first_of_several_numbers_is_taken_with_a_note() -> None:
    result = normalize_phone("619-555-0142 / 619-555-0143")
    assert result.e164.value == "+16195550142"
    assert result.e164.reason == "first of several numbers"


@pytest.mark.parametrize(
    ("raw", "state", "zone", "method"),
    [
        ("(619) 555-0142", "CA", "America/Los_Angeles", "area_code"),
        ("(512) 555-0100", None, "America/Chicago", "area_code"),
        ("(907) 555-0100", "AK", "America/Anchorage", "area_code_and_state"),
        ("1-800-555-0199", "TX", "America/Chicago", "area_code_and_state"),
        (None, "WA", "America/Los_Angeles", "state"),
        ("junk", "NY", "America/New_York", "state"),
    ],
)
def test_time_zone_comes_from_the_area_code_then_the_state(raw, state, zone, method) -> None:
    picked = pick_time_zone(normalize_phone(raw).zones, state)
    assert (picked.value, picked.method) == (zone, method)


def test_an_area_code_in_another_state_s_zone_wins_with_less_confidence() -> None:
    picked = pick_time_zone(normalize_phone("(212) 555-0100").zones, "CA")
    assert picked.value == "America/New_York"
    assert picked.confidence < 0.9
    assert "CA" in picked.reason


def test_no_phone_and_no_state_gives_no_time_zone() -> None:
    picked = pick_time_zone((), None)
    assert picked.value is None
    assert picked.reason


def test_an_area_code_spanning_zones_without_a_state_is_not_guessed() -> None:
    picked = pick_time_zone(normalize_phone("1-800-555-0199").zones, None)
    assert picked.value is None
    assert "zones" in picked.reason
