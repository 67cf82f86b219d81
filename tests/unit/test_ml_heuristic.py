"""The cold-start heuristic: supply gap x profile quality in 0..1, with exact top factors."""

from __future__ import annotations

import numpy as np
import pytest
from test_ml_synthetic import labelled_world

from ml.features import FEATURE_COLUMNS, feature_matrix
from ml.heuristic import FACTOR_NAMES, HEURISTIC, HEURISTIC_VERSION, QUALITY_WEIGHTS, is_heuristic

COLUMN = {name: i for i, name in enumerate(FEATURE_COLUMNS)}


def _row(**values: float) -> np.ndarray:
    x = np.zeros((1, len(FEATURE_COLUMNS)))
    for name, value in values.items():
        x[0, COLUMN[name]] = value
    return x


BEST = dict(supply_gap_primary=1.0, license_active=1.0, reachable_channels=2.0, profile_completeness=1.0,
            enrichment_confidence=1.0, referred=1.0, rating_centered=0.8, log_reviews=2.0)  # fmt: skip


def test_the_weights_sum_to_one_and_the_version_marks_the_heuristic() -> None:
    assert sum(QUALITY_WEIGHTS.values()) == pytest.approx(1.0)
    assert is_heuristic(HEURISTIC_VERSION) and not is_heuristic("gbm-20250101T000000Z-0123abcd")


def test_the_score_is_gap_weight_times_quality() -> None:
    assert HEURISTIC.predict_proba(_row(**BEST))[0] == pytest.approx(1.0)
    assert HEURISTIC.predict_proba(_row())[0] == pytest.approx(0.2 * QUALITY_WEIGHTS["reputation"] * 0.5)
    # Licensed and reachable by email only, nothing else, in a half-starved cell.
    x = _row(supply_gap_primary=0.5, license_active=1.0, reachable_channels=1.0)
    expected = (0.2 + 0.8 * 0.5) * (0.30 + 0.25 * 0.5 + 0.10 * 0.5)
    assert HEURISTIC.predict_proba(x)[0] == pytest.approx(expected)


def test_an_unknown_gap_counts_as_half() -> None:
    known = HEURISTIC.predict_proba(_row(supply_gap_primary=0.5, license_active=1.0))
    unknown = HEURISTIC.predict_proba(_row(supply_gap_primary=0.0, supply_gap_missing=1.0, license_active=1.0))
    assert unknown == pytest.approx(known)


def test_scores_stay_in_0_1_and_rise_with_the_gap_and_with_quality() -> None:
    _, frame = labelled_world()
    X = feature_matrix(frame)
    scores = HEURISTIC.predict_proba(X)
    assert scores.min() >= 0.0 and scores.max() <= 1.0
    higher_gap = X.copy()
    higher_gap[:, COLUMN["supply_gap_primary"]] = np.minimum(higher_gap[:, COLUMN["supply_gap_primary"]] + 0.1, 1)
    assert (HEURISTIC.predict_proba(higher_gap) >= scores).all()
    licensed = X.copy()
    licensed[:, COLUMN["license_active"]] = 1.0
    assert (HEURISTIC.predict_proba(licensed) >= scores).all()


def test_the_factors_add_up_to_the_score_minus_the_reference() -> None:
    _, frame = labelled_world()
    X = feature_matrix(frame)
    contributions = HEURISTIC.contributions_t(X)
    assert contributions.shape == (len(FACTOR_NAMES), len(X))
    np.testing.assert_allclose(
        contributions.sum(axis=0), HEURISTIC.predict_proba(X) - HEURISTIC.reference_score(), atol=1e-6
    )
