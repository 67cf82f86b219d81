"""Metrics against values computed by hand, the equal-mass ECE, lift and gains by decile, and `compare`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.evaluation import (
    brier,
    calibration_table,
    compare,
    ece,
    evaluate,
    gains_table,
    oracle_auc,
    pr_auc,
    roc_auc,
    truth_agreement,
)

Y = [0, 0, 1, 1]
P = [0.1, 0.4, 0.35, 0.8]


def test_roc_auc_pr_auc_and_brier_match_the_hand_computed_values() -> None:
    # Pairs (positive, negative): (0.35, 0.1) ok, (0.35, 0.4) wrong, (0.8, 0.1) ok, (0.8, 0.4) ok -> 3/4.
    assert roc_auc(Y, P) == pytest.approx(0.75)
    # By score: 0.8 (1) precision 1 at recall 1/2; 0.4 (0); 0.35 (1) precision 2/3 at recall 1.
    assert pr_auc(Y, P) == pytest.approx(0.5 * 1.0 + 0.5 * 2 / 3)
    assert brier(Y, P) == pytest.approx((0.01 + 0.16 + 0.4225 + 0.04) / 4)


def test_ece_uses_equal_mass_bins() -> None:
    # Sorted by score: (0.1, 0), (0.35, 1) | (0.4, 0), (0.8, 1).
    # Bin 1: mean score 0.225, rate 0.5 -> 0.275; bin 2: mean score 0.6, rate 0.5 -> 0.1; equal weights.
    assert ece(Y, P, n_bins=2) == pytest.approx(0.5 * 0.275 + 0.5 * 0.1)
    table = calibration_table(Y, P, n_bins=2)
    assert table["n"].tolist() == [2, 2]
    assert table["mean_score"].tolist() == pytest.approx([0.225, 0.6])
    # A perfectly calibrated constant has no error; one bin per row is the mean absolute error.
    assert ece([0, 1, 0, 1], [0.5] * 4, n_bins=1) == 0.0
    assert ece(Y, P, n_bins=4) == pytest.approx(np.mean(np.abs(np.array(Y) - np.array(P))))


def test_ece_is_small_for_labels_drawn_from_the_scores_and_large_when_they_are_off() -> None:
    rng = np.random.default_rng(0)
    p = rng.beta(1, 8, 200_000)
    y = rng.random(p.size) < p
    assert ece(y, p) < 0.003
    assert ece(y, np.clip(p * 2, 0, 1)) > 0.05


def test_gains_by_decile() -> None:
    # 20 prospects, scores 20..1 (descending = index order); positives at ranks 1, 2, 3 and 11.
    scores = np.arange(20, 0, -1) / 20
    labels = np.zeros(20)
    labels[[0, 1, 2, 10]] = 1
    table = gains_table(labels, scores)
    assert table["n"].tolist() == [2] * 10
    assert table["positives"].tolist() == [2, 1, 0, 0, 0, 1, 0, 0, 0, 0]
    assert table["lift"].iloc[0] == pytest.approx(1.0 / 0.2)  # rate 1 over a base rate 4/20
    assert table["cumulative_gain"].tolist() == pytest.approx([0.5, 0.75, 0.75, 0.75, 0.75, 1, 1, 1, 1, 1])
    assert table["cumulative_lift"].iloc[1] == pytest.approx((3 / 4) / 0.2)
    metrics = evaluate(labels, scores)
    assert metrics["lift_top_decile"] == pytest.approx(5.0)
    assert metrics["gain_top_decile"] == pytest.approx(0.5)


def test_an_empty_holdout_gives_nan_not_an_exception() -> None:
    metrics = evaluate([], [])
    assert metrics["n"] == 0 and np.isnan(metrics["roc_auc"]) and np.isnan(metrics["ece"])
    assert np.isnan(metrics["lift_top_decile"])


def test_one_class_gives_nan_not_an_exception() -> None:
    metrics = evaluate([0, 0, 0], [0.1, 0.2, 0.3])
    assert np.isnan(metrics["roc_auc"]) and np.isnan(metrics["pr_auc"])
    assert metrics["brier"] == pytest.approx((0.01 + 0.04 + 0.09) / 3)


def test_the_oracle_auc_is_the_auc_of_the_true_propensities() -> None:
    rng = np.random.default_rng(1)
    truth = rng.uniform(0, 0.5, 50_000)
    labels = rng.random(truth.size) < truth
    assert oracle_auc(truth, labels) == pytest.approx(roc_auc(labels, truth))
    assert 0.6 < oracle_auc(truth, labels) < 0.8  # outcomes are draws: even the truth is far from 1
    agreement = truth_agreement(truth * 0.5, truth)
    assert agreement["spearman"] == pytest.approx(1.0)


def test_compare_puts_scorers_side_by_side_with_the_oracle() -> None:
    holdout = pd.DataFrame({"label": Y, "true_propensity": [0.2, 0.3, 0.6, 0.7]})
    comparison = compare({"model": np.array(P), "constant": np.full(4, 0.5)}, holdout)
    assert list(comparison.metrics.index) == ["model", "constant", "oracle"]
    assert comparison.metrics.loc["model", "roc_auc"] == pytest.approx(0.75)
    assert comparison.metrics.loc["oracle", "roc_auc"] == 1.0
    assert set(comparison.gains) == {"model", "constant", "oracle"}
    assert "| model |" in comparison.to_markdown()
