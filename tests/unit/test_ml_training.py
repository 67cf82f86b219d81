"""Training on synthetic worlds with a known propensity: the candidate against the baseline, the heuristic and the
oracle; calibration; determinism; the cold-start refusal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from test_ml_synthetic import HORIZON, START, labelled_world, make_demand, make_prospects, sandbox_propensity
from threadpoolctl import threadpool_limits

from ml.evaluation import ece
from ml.features import FEATURE_COLUMNS, build_features, feature_matrix
from ml.labels import MIN_LABELS, MIN_POSITIVES, NotEnoughLabels
from ml.training import (
    BASELINE_C_GRID,
    TrainingRun,
    choose_regularization,
    promotion_gate,
    run_training,
    train_baseline,
    train_candidate,
)

TRAINED_AT = datetime(2025, 3, 10, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """Small data: starting OpenMP/BLAS threads costs more than the second core gives (and CI boxes are shared)."""
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def sandbox_run() -> TrainingRun:
    _, frame = labelled_world()
    return run_training(frame, embargo=HORIZON, trained_at=TRAINED_AT)


@pytest.fixture(scope="module")
def interaction_run() -> TrainingRun:
    _, frame = labelled_world(interaction=True)
    return run_training(frame, embargo=HORIZON, trained_at=TRAINED_AT)


def test_on_the_sandbox_truth_the_candidate_beats_the_heuristic_and_nearly_matches_the_linear_truth(
    sandbox_run: TrainingRun,
) -> None:
    m = sandbox_run.comparison.metrics
    # The sandbox's propensity is close to linear in the logit of our features: the baseline is nearly the
    # true model there, and the trees must not be much worse; the heuristic's hand-set weights are.
    assert m.loc["candidate", "roc_auc"] > m.loc["heuristic", "roc_auc"] + 0.015
    assert m.loc["candidate", "roc_auc"] > m.loc["baseline", "roc_auc"] - 0.02
    assert m.loc["candidate", "roc_auc"] < m.loc["oracle", "roc_auc"]
    assert m.loc["candidate", "lift_top_decile"] > 1.8
    assert m.loc["candidate", "ece"] < 0.03 and m.loc["baseline", "ece"] < 0.03


def test_where_effects_interact_the_candidate_beats_the_baseline_and_the_heuristic(
    interaction_run: TrainingRun,
) -> None:
    m = interaction_run.comparison.metrics
    assert m.loc["candidate", "roc_auc"] > m.loc["baseline", "roc_auc"] + 0.08
    assert m.loc["candidate", "roc_auc"] > m.loc["heuristic", "roc_auc"] + 0.1
    assert m.loc["candidate", "pr_auc"] > m.loc["baseline", "pr_auc"]
    assert m.loc["candidate", "brier"] < m.loc["baseline", "brier"]
    assert m.loc["oracle", "roc_auc"] - m.loc["candidate", "roc_auc"] < 0.06


def test_the_candidate_is_the_family_that_ranks_the_latest_training_examples_best(
    sandbox_run: TrainingRun, interaction_run: TrainingRun
) -> None:
    for run in (sandbox_run, interaction_run):
        selection = run.candidate.params["selection_auc"]
        assert set(selection) == {"gbm", "logistic"}
        assert run.candidate.kind == max(selection, key=lambda kind: (selection[kind], kind == "gbm"))
    assert interaction_run.candidate.kind == "gbm", "where effects interact the trees rank better"


def test_a_logistic_candidate_is_compared_with_the_trees_it_was_chosen_over() -> None:
    _, frame = labelled_world()
    run = run_training(frame.head(4000), candidate="logistic", trained_at=TRAINED_AT)
    assert run.candidate is run.baseline and run.candidate.kind == "logistic"
    assert set(run.comparison.metrics.index) == {"candidate", "baseline", "gbm", "heuristic", "oracle"}
    assert run.candidate.metrics["roc_auc"] == run.comparison.metrics.loc["baseline", "roc_auc"]
    with pytest.raises(ValueError, match="unknown candidate"):
        run_training(frame.head(4000), candidate="forest")


def test_the_run_records_its_holdout_metrics_window_and_choices(sandbox_run: TrainingRun) -> None:
    candidate, baseline = sandbox_run.candidate, sandbox_run.baseline
    assert candidate.metrics["roc_auc"] == sandbox_run.comparison.metrics.loc["candidate", "roc_auc"]
    if candidate.kind == "gbm":
        assert candidate.params["calibration"] in ("sigmoid", "isotonic")
        assert set(candidate.params["calibration_brier"]) == {"sigmoid", "isotonic"}
    else:  # the logistic model, a probability through its prior correction
        assert candidate is baseline and candidate.params["prior_correction"] > 0
    assert candidate.version.startswith(f"{candidate.kind}-20250310T060000Z-")
    assert baseline.version.startswith("logistic-20250310T060000Z-")
    assert candidate.feature_columns == FEATURE_COLUMNS
    start, end = candidate.training_window
    assert start < end < sandbox_run.holdout_start
    assert candidate.n_labels == sandbox_run.train_rows
    assert candidate.n_labels >= MIN_LABELS and candidate.n_positives >= MIN_POSITIVES


def test_the_baseline_regularization_is_the_one_that_ranks_the_latest_training_examples_best(
    sandbox_run: TrainingRun,
) -> None:
    by_c = {float(c): auc for c, auc in sandbox_run.baseline.params["selection_auc_by_C"].items()}
    assert set(by_c) == set(BASELINE_C_GRID)
    assert sandbox_run.baseline.params["C"] == max(BASELINE_C_GRID, key=lambda c: (by_c[c], -c))
    assert len(set(by_c.values())) > 1


def test_a_tie_in_regularization_goes_to_the_stronger_one() -> None:
    # one informative feature: every C ranks the same (the ordering of a single slope does not depend on its size)
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(0.0, index=range(2000), columns=list(FEATURE_COLUMNS))
    frame["log_reviews"] = rng.normal(size=2000)
    frame["label"] = (rng.random(2000) < 1 / (1 + np.exp(1.5 - frame["log_reviews"]))).astype(int)
    chosen, by_c = choose_regularization(frame, time_column=None)
    assert len(set(by_c.values())) == 1
    assert chosen == min(BASELINE_C_GRID)


def test_calibration_error_is_small_on_a_large_sample() -> None:
    rng = np.random.default_rng(21)
    demand, base_gap = make_demand(rng, START, 1)
    prospects, truth = make_prospects(rng, 60_000, base_gap)
    p = sandbox_propensity(truth, rng)
    frame = build_features(prospects, demand, None, START)
    frame["label"] = (rng.random(p.size) < p).astype(int)
    train, holdout = frame.iloc[:30_000], frame.iloc[30_000:]
    model = train_candidate(train, time_column=None, trained_at=TRAINED_AT)
    scores = model.predict_proba(feature_matrix(holdout))
    assert ece(holdout["label"], scores) < 0.015
    assert abs(scores.mean() - holdout["label"].mean()) < 0.01


def test_training_is_deterministic() -> None:
    _, frame = labelled_world()
    part = frame.iloc[:3000]
    a = train_candidate(part, trained_at=TRAINED_AT)
    b = train_candidate(part, trained_at=TRAINED_AT)
    assert a.version == b.version
    X = feature_matrix(part)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c, d = train_baseline(part, trained_at=TRAINED_AT), train_baseline(part, trained_at=TRAINED_AT)
    np.testing.assert_array_equal(c.predict_proba(X), d.predict_proba(X))


def test_the_baseline_is_a_probability_despite_class_weights() -> None:
    _, frame = labelled_world()
    model = train_baseline(frame, trained_at=TRAINED_AT)
    scores = model.predict_proba(feature_matrix(frame))
    assert abs(scores.mean() - frame["label"].mean()) < 0.01  # the prior correction undid the balanced weights


def test_below_the_cold_start_minimum_no_model_is_trained() -> None:
    _, frame = labelled_world()
    positives = frame[frame["label"] == 1].head(MIN_POSITIVES - 1)
    negatives = frame[frame["label"] == 0].head(5000)
    with pytest.raises(NotEnoughLabels):
        run_training(pd.concat([positives, negatives]).sort_values("contacted_at"))
    with pytest.raises(NotEnoughLabels):
        run_training(frame.head(MIN_LABELS - 1))


def test_the_gate_judges_the_candidate_against_production_on_the_same_holdout(sandbox_run: TrainingRun) -> None:
    first = promotion_gate(sandbox_run, None)  # cold start: against the heuristic's ranking
    assert first.promote, first.reasons
    assert promotion_gate(sandbox_run, sandbox_run.candidate).promote  # the same model does not regress
    weaker = promotion_gate(sandbox_run, sandbox_run.baseline, tolerance=0.0)
    baseline = sandbox_run.comparison.metrics.loc["baseline"]
    assert weaker.promote == bool(
        sandbox_run.candidate.metrics["roc_auc"] >= baseline["roc_auc"]
        and sandbox_run.candidate.metrics["pr_auc"] >= baseline["pr_auc"]
        and sandbox_run.candidate.metrics["brier"] <= baseline["brier"]
        and sandbox_run.candidate.metrics["ece"] <= baseline["ece"]
    )
