from datetime import date

import pytest

from outreach.enrichment.license import (
    license_age_years,
    normalize_license_date,
    normalize_license_number,
    normalize_license_status,
)

AS_OF = date(2025, 6, 1)
FUTURE, PAST = date(2026, 1, 31), date(2025, 1, 31)


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        (" 1002345 ", "1002345"),
        ("1002 345", "1002345"),
        ("1002345.0", "1002345"),
        ("tacla000001", "TACLA000001"),
        ("Lic # 1002345", "1002345"),
        ("License No. 998877", "998877"),
        ("CSLB 1002345", "1002345"),
        ("NORTHWS123AB", "NORTHWS123AB"),
        ("MIKESC*023KH", "MIKESC*023KH"),
    ],
)
def test_license_numbers_are_stripped_and_upper_cased(raw, number) -> None:
    assert normalize_license_number(raw).value == number


@pytest.mark.parametrize("raw", ["ABC", "n/a", "!!!", "", None, "X" * 40 + "1"])
def test_non_license_numbers_give_none_with_a_reason(raw) -> None:
    result = normalize_license_number(raw)
    assert result.value is None
    assert result.reason


@pytest.mark.parametrize(
    ("text", "expires", "status"),
    [
        ("CLEAR", FUTURE, "active"),
        ("ACTIVE", None, "active"),
        ("A", FUTURE, "active"),
        ("CLEAR", PAST, "expired"),
        ("Contr Bond Susp", FUTURE, "suspended"),
        ("Work Comp Susp", FUTURE, "suspended"),
        ("Liab Ins Susp", None, "suspended"),
        ("REVOKED", FUTURE, "suspended"),
        ("INACTIVE", FUTURE, "inactive"),
        ("Cancelled", None, "inactive"),
        ("EXPIRED", PAST, "expired"),
        ("EXPIRED", FUTURE, "expired"),
        (None, FUTURE, "active"),
        (None, PAST, "expired"),
        (None, None, None),
        ("something odd", None, "unknown"),
        ("something odd", PAST, "expired"),
    ],
)
def test_status_comes_from_status_words_and_expiry_on_the_day(text, expires, status) -> None:
    assert normalize_license_status(text, expires, AS_OF).value == status


def test_a_stale_active_status_past_expiry_is_expired_with_a_reason() -> None:
    result = normalize_license_status("CLEAR", PAST, AS_OF)
    assert result.value == "expired"
    assert "2025-01-31" in result.reason


def test_expiry_alone_is_less_sure_than_a_stated_status() -> None:
    by_expiry = normalize_license_status(None, FUTURE, AS_OF)
    stated = normalize_license_status("CLEAR", FUTURE, AS_OF)
    assert by_expiry.confidence < stated.confidence
    assert by_expiry.method == "expiry_date"


def test_the_same_license_changes_status_with_the_day_it_is_judged() -> None:
    assert normalize_license_status("ACTIVE", FUTURE, date(2025, 12, 31)).value == "active"
    assert normalize_license_status("ACTIVE", FUTURE, date(2026, 2, 1)).value == "expired"


@pytest.mark.parametrize(
    ("issued", "years"),
    [(date(2015, 6, 1), 10.0), (date(2025, 6, 1), 0.0), (date(2024, 12, 1), 0.5)],
)
def test_license_age_in_years(issued, years) -> None:
    assert license_age_years(issued, AS_OF).value == years


@pytest.mark.parametrize("issued", [date(2030, 1, 1), date(1800, 1, 1), None])
def test_implausible_or_missing_issue_dates_give_no_age(issued) -> None:
    result = license_age_years(issued, AS_OF)
    assert result.value is None
    assert result.reason


def test_registry_dates_are_checked_for_plausibility() -> None:
    assert normalize_license_date(date(2030, 1, 1), AS_OF, kind="expiry").value == date(2030, 1, 1)
    assert normalize_license_date(date(2030, 1, 1), AS_OF, kind="issue").value is None
    assert normalize_license_date(date(1066, 1, 1), AS_OF, kind="expiry").reason
