"""Model artifacts round-trip through bytes with a checked sha256; the promotion rule."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from test_ml_synthetic import labelled_world

from ml.features import feature_matrix
from ml.registry import (
    MAX_ECE,
    ArtifactIntegrityError,
    deserialize,
    ece_ceiling,
    serialize,
    sha256,
    should_promote,
)
from ml.training import train_baseline

PRODUCTION = {"roc_auc": 0.70, "pr_auc": 0.30, "brier": 0.110, "ece": 0.015}


def test_an_artifact_round_trips_through_bytes_and_predicts_the_same() -> None:
    _, frame = labelled_world()
    artifact = train_baseline(frame.iloc[:3000], trained_at=datetime(2025, 3, 1, tzinfo=UTC))
    blob, digest = serialize(artifact)
    assert digest == sha256(blob) and len(digest) == 64
    restored = deserialize(blob, digest)
    assert restored.version == artifact.version and restored.feature_columns == artifact.feature_columns
    X = feature_matrix(frame.iloc[:500])
    np.testing.assert_array_equal(restored.predict_proba(X), artifact.predict_proba(X))
    with pytest.raises(ArtifactIntegrityError):
        deserialize(blob[:-1] + bytes([blob[-1] ^ 1]), digest)


def test_a_candidate_as_good_within_tolerance_is_promoted() -> None:
    candidate = {"roc_auc": 0.698, "pr_auc": 0.297, "brier": 0.1103, "ece": 0.02}
    decision = should_promote(candidate, PRODUCTION)
    assert decision.promote, decision.reasons
    assert all(r.startswith("ok") for r in decision.reasons)


@pytest.mark.parametrize(
    ("metric", "value"),
    [("roc_auc", 0.69), ("pr_auc", 0.29), ("brier", 0.112), ("ece", 0.03), ("ece", MAX_ECE + 0.001)],
)
def test_a_regression_on_any_metric_blocks_the_promotion(metric: str, value: float) -> None:
    candidate = PRODUCTION | {metric: value}
    decision = should_promote(candidate, PRODUCTION | ({"ece": 0.045} if value > MAX_ECE else {}))
    assert not decision.promote
    assert any(r.startswith("FAIL") and metric in r for r in decision.reasons)


def test_tolerance_can_be_one_number_or_per_metric_and_missing_metrics_fail() -> None:
    candidate = PRODUCTION | {"roc_auc": 0.69}
    assert should_promote(candidate, PRODUCTION, tolerance=0.02).promote
    assert should_promote(candidate, PRODUCTION, tolerance={"roc_auc": 0.011}).promote
    assert not should_promote(candidate, PRODUCTION, tolerance={"pr_auc": 0.5}).promote
    assert not should_promote({"roc_auc": 0.9, "ece": 0.01}, PRODUCTION).promote
    assert not should_promote(PRODUCTION | {"roc_auc": float("nan")}, PRODUCTION).promote


def test_against_the_heuristic_only_ranking_counts_and_the_first_model_needs_only_calibration() -> None:
    heuristic = {"roc_auc": 0.65, "pr_auc": 0.25, "brier": 0.16, "ece": 0.19}
    candidate = {"roc_auc": 0.68, "pr_auc": 0.26, "brier": 0.20, "ece": 0.01}
    assert should_promote(candidate, heuristic, production_is_heuristic=True).promote
    assert not should_promote(candidate | {"roc_auc": 0.6}, heuristic, production_is_heuristic=True).promote
    assert should_promote(candidate, None).promote
    assert not should_promote(candidate | {"ece": 0.2}, None).promote


def test_the_ece_ceiling_allows_for_the_sampling_noise_of_small_holdouts() -> None:
    assert ece_ceiling({}) == MAX_ECE
    assert ece_ceiling({"n": 250, "base_rate": 0.12}) == pytest.approx(0.05 + (0.12 * 0.88 * 10 / 250) ** 0.5)
    assert ece_ceiling({"n": 1e9, "base_rate": 0.12}) == pytest.approx(MAX_ECE, abs=1e-4)
    small = {"roc_auc": 0.7, "pr_auc": 0.3, "brier": 0.1, "ece": 0.09, "n": 250, "base_rate": 0.12}
    assert should_promote(small, None).promote
    assert not should_promote(small | {"n": 20_000}, None).promote
