"""`ml.features.build_features`: the one feature function of training and scoring."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from test_ml_synthetic import labelled_world, make_world

from ml.features import FEATURE_COLUMNS, FeatureInputError, build_features, feature_matrix, supply_gap
from ml.labels import build_labels

AS_OF = pd.Timestamp("2025-02-01T06:00:00Z")


def _prospect(**overrides) -> dict:
    row = {
        "prospect_id": "00000000-0000-4000-8000-000000000001",
        "region": "us-ca-la",
        "specialties": ["plumbing", "hvac"],
        "business_name": "Acme Plumbing",
        "street": "1 Main St",
        "city": "Los Angeles",
        "state": "CA",
        "postal_code": "90001",
        "website_domain": "acme.example",
        "license_number": "123456",
        "license_status": "active",
        "license_expires_on": date(2026, 1, 1),
        "license_age_years": 12.5,
        "rating": 4.7,
        "review_count": 99,
        "sources": ["license_ca", "social"],
        "source_record_count": 3,
        "referred_by_user_id": None,
        "field_confidence": {"business_name": 1.0, "region": 0.8, "phone": 0.9, "email": 0.6},
        "is_email_valid": True,
        "is_phone_valid": True,
        "is_sms_eligible": False,
    }
    return row | overrides


def _demand(day: date, specialty: str, region: str, gap: float | None, value: float | None = 1_000_000) -> dict:
    return {
        "partition_date": day, "specialty": specialty, "region": region, "supply_gap_index": gap,
        "opportunity_value_cents": value, "demand_pressure": gap, "coverage_shortfall": gap,
        "contractor_shortfall": gap, "gap_severity_weight": 0.5, "wait_pressure": 0.25,
        "coverage_ratio": None if gap is None else 1.0 - gap,
    }  # fmt: skip


DEMAND = pd.DataFrame(
    [
        _demand(date(2025, 1, 31), "plumbing", "us-ca-la", 0.6),
        _demand(date(2025, 2, 1), "plumbing", "us-ca-la", 0.7),
        _demand(date(2025, 2, 2), "plumbing", "us-ca-la", 0.99),  # after as_of: never used
        _demand(date(2025, 2, 1), "hvac", "us-ca-la", 0.9),
        _demand(date(2025, 1, 1), "roofing", "us-ca-la", 0.8),  # older than the lookback: unknown
    ]
)


def _one(frame: pd.DataFrame) -> dict:
    return frame.iloc[0].to_dict()


def test_the_output_is_prospect_id_then_the_feature_columns_all_finite_floats() -> None:
    features = build_features(pd.DataFrame([_prospect()]), DEMAND, None, AS_OF)
    assert list(features.columns) == ["prospect_id", *FEATURE_COLUMNS]
    assert all(features[c].dtype == np.float64 for c in FEATURE_COLUMNS)
    assert np.isfinite(feature_matrix(features)).all()


def test_a_complete_profile_gets_the_documented_values() -> None:
    f = _one(build_features(pd.DataFrame([_prospect()]), DEMAND, None, AS_OF))
    assert f["profile_completeness"] == 1.0
    assert f["enrichment_confidence"] == pytest.approx((1.0 + 0.8 + 0.9 + 0.6) / 7)
    assert (f["license_active"], f["license_lapsed"], f["license_suspended"]) == (1.0, 0.0, 0.0)
    assert f["years_in_business"] == 12.5 and f["years_in_business_missing"] == 0.0
    assert f["rating_centered"] == pytest.approx(0.5)
    assert f["log_reviews"] == pytest.approx(2.0)
    assert f["supply_gap_primary"] == 0.7  # the latest day on or before as_of, not the later one
    assert f["supply_gap_max"] == 0.9  # hvac, its second specialty
    assert f["supply_gap_missing"] == 0.0
    assert f["log_opportunity_value"] == pytest.approx(np.log10(1 + 10_000))
    assert (f["source_license"], f["source_social"], f["source_directory"], f["referred"]) == (1.0, 1.0, 0.0, 1.0)
    assert (f["email_valid"], f["sms_eligible"], f["reachable_channels"]) == (1.0, 0.0, 1.0)
    assert f["has_website"] == 1.0 and f["specialty_count"] == 2.0
    assert f["prior_contacts"] == 0.0 and f["days_since_last_contact"] == 365.0


def test_missing_inputs_become_constants_and_flags_not_nan() -> None:
    bare = _prospect(
        specialties=["roofing"], business_name=None, street=" ", city=None, state=None, postal_code=None,
        website_domain=None, license_number=None, license_status=None, license_expires_on=None,
        license_age_years=None, rating=None, review_count=None, sources=[], field_confidence="{}",
        is_email_valid=False, is_phone_valid=False, is_sms_eligible=False,
    )  # fmt: skip
    f = _one(build_features(pd.DataFrame([bare]), DEMAND, None, AS_OF))
    assert f["profile_completeness"] == pytest.approx(1 / 11)  # only the specialty
    assert f["supply_gap_primary"] == 0.0 and f["supply_gap_missing"] == 1.0  # roofing's row is too old
    assert f["years_in_business"] == 0.0 and f["years_in_business_missing"] == 1.0
    assert f["rating_centered"] == 0.0 and f["log_reviews"] == 0.0
    assert f["license_active"] == f["license_lapsed"] == 0.0
    assert f["enrichment_confidence"] == 0.0


def test_an_active_license_past_its_expiry_counts_as_lapsed() -> None:
    f = _one(build_features(pd.DataFrame([_prospect(license_expires_on=date(2025, 1, 15))]), DEMAND, None, AS_OF))
    assert (f["license_active"], f["license_lapsed"]) == (0.0, 1.0)


def test_only_history_before_as_of_counts() -> None:
    pid = _prospect()["prospect_id"]
    history = pd.DataFrame(
        {
            "prospect_id": [pid, pid, pid, pid, "someone-else"],
            "occurred_at": pd.to_datetime(
                [f"2025-{day}Z" for day in ("01-10T06:00", "01-22T06:00", "01-23T06:00", "02-01T06:00", "01-30T01:00")]
            ),
            "event": ["contacted", "contacted", "responded", "contacted", "contacted"],
        }
    )
    f = _one(build_features(pd.DataFrame([_prospect()]), DEMAND, history, AS_OF))
    assert f["prior_contacts"] == 2.0  # the contact at exactly as_of is not before it
    assert f["days_since_last_contact"] == pytest.approx(10.0)
    assert f["responded_before"] == 1.0 and f["bounced_before"] == 0.0


def test_a_missing_column_or_a_repeated_prospect_is_refused() -> None:
    with pytest.raises(FeatureInputError, match="rating"):
        build_features(pd.DataFrame([_prospect()]).drop(columns=["rating"]), DEMAND, None, AS_OF)
    with pytest.raises(FeatureInputError, match="repeated"):
        build_features(pd.DataFrame([_prospect(), _prospect()]), DEMAND, None, AS_OF)


def test_features_of_a_prospect_do_not_depend_on_the_batch_or_its_order() -> None:
    world = make_world(3000, seed=5)
    full = build_features(world.prospects, world.demand, world.history, world.end)
    subset = world.prospects.sample(frac=0.3, random_state=1)
    part = build_features(subset, world.demand, world.history, world.end)
    expected = full.set_index("prospect_id").loc[part["prospect_id"]].reset_index()
    pd.testing.assert_frame_equal(part, expected)


def test_training_examples_get_exactly_the_features_scoring_computes() -> None:
    world, frame = labelled_world()
    as_of = frame["as_of"].iloc[len(frame) // 2]
    examples = frame[frame["as_of"] == as_of].head(200)
    scored = build_features(
        world.prospects[world.prospects["prospect_id"].isin(examples["prospect_id"])], world.demand, world.history,
        as_of,
    )  # fmt: skip
    expected = scored.set_index("prospect_id").loc[examples["prospect_id"], list(FEATURE_COLUMNS)]
    np.testing.assert_array_equal(examples[list(FEATURE_COLUMNS)].to_numpy(), expected.to_numpy())


def test_labels_window_features_see_nothing_of_the_window_itself() -> None:
    world = make_world(2000, seed=6)
    start = world.start + timedelta(days=21)
    labels = build_labels(world.history, start, start + timedelta(days=7), timedelta(days=14), world.observed_until)
    features = build_features(
        world.prospects[world.prospects["prospect_id"].isin(labels["prospect_id"])], world.demand, world.history,
        start,
    )  # fmt: skip
    contacts = world.history[(world.history["event"] == "contacted") & (world.history["occurred_at"] < start)]
    counted = features.set_index("prospect_id")["prior_contacts"]
    expected = contacts.groupby("prospect_id").size().reindex(counted.index, fill_value=0).astype(float)
    pd.testing.assert_series_equal(counted, expected, check_names=False)


def test_supply_gap_is_nan_where_unknown() -> None:
    prospects = pd.DataFrame([_prospect(), _prospect(prospect_id="p2", specialties=["roofing"])])
    gaps = supply_gap(build_features(prospects, DEMAND, None, AS_OF))
    assert gaps[0] == 0.7 and np.isnan(gaps[1])
