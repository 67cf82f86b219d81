"""The stage suites: critical rules fail the stage, row rules name the rows to quarantine, values never leak."""

import pandas as pd

from expectations.runner import validate


def candidates(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "record_key": ["social:1", "license_ca:2", "directory:3"],
            "source": ["social", "license_ca", "directory"],
            "source_record_id": ["1", "2", "3"],
            "has_name": [True, True, False],
            "has_contact_or_license": [True, False, True],
        }
    )
    for column, values in overrides.items():
        frame[column] = values
    return frame


def test_row_rules_name_the_failing_rows_and_the_stage_still_passes() -> None:
    result = validate("candidates", candidates())
    assert result.passed
    assert result.row_failures == {
        "license_ca:2": ["a phone, an email or a license number"],
        "directory:3": ["a business or contact name"],
    }
    assert result.metadata()["quarantined_rows"] == 2


def test_a_duplicate_key_or_unknown_source_is_critical() -> None:
    result = validate("candidates", candidates(record_key=["a", "a", "b"], source=["social", "myspace", "social"]))
    assert not result.passed
    assert {o.description for o in result.critical_failures} == {"one row per source record", "known source"}


def test_enriched_phones_must_be_e164_and_reasons_do_not_carry_values() -> None:
    frame = pd.DataFrame(
        {
            "record_key": ["a", "b"],
            "min_confidence": [0.2, 0.4],
            "max_confidence": [0.9, 1.0],
            "phone": ["+16195550142", "(619) 555-0142"],
            "region": ["us-ca-san-diego", "San Diego"],
            "state": ["CA", "CA"],
            "is_reachable": [True, False],
        }
    )
    result = validate("enriched", frame)
    assert [o.description for o in result.critical_failures] == ["phones are E.164"]
    assert result.row_failures == {"b": ["region is a contract slug"]}
    assert "619" not in repr(result)


def test_an_empty_frame_passes_with_zero_counts() -> None:
    result = validate("golden", pd.DataFrame())
    assert result.passed and result.rows == 0
