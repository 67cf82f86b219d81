"""Scoring: the output frame and its top factors, batching, the cold-start switch, outreach priority, plots."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from test_ml_synthetic import labelled_world
from threadpoolctl import threadpool_limits

from ml.evaluation import compare
from ml.features import FEATURE_COLUMNS, feature_matrix
from ml.heuristic import FACTOR_NAMES, HEURISTIC, HEURISTIC_VERSION
from ml.labels import MIN_LABELS, MIN_POSITIVES
from ml.plots import evaluation_plots
from ml.registry import ModelArtifact
from ml.scoring import (
    MAX_TOP_K,
    SCORE_COLUMNS,
    outreach_priority,
    priorities,
    score,
    select_scorer,
    top_factors_lists,
)
from ml.training import train_baseline, train_candidate

TRAINED_AT = datetime(2025, 3, 10, tzinfo=UTC)


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return labelled_world()[1]


@pytest.fixture(scope="module")
def models(frame: pd.DataFrame) -> dict[str, ModelArtifact]:
    train = frame.iloc[:8000]
    return {
        "candidate": train_candidate(train, trained_at=TRAINED_AT),
        "baseline": train_baseline(train, trained_at=TRAINED_AT),
    }


def _check_factors(scored: pd.DataFrame, names: tuple[str, ...], k: int) -> None:
    for factors in top_factors_lists(scored):
        assert len(factors) == k
        assert all(f["feature"] in names for f in factors)
        magnitudes = [abs(f["contribution"]) for f in factors]
        assert magnitudes == sorted(magnitudes, reverse=True)
        assert len({f["feature"] for f in factors}) == k


@pytest.mark.parametrize("kind", ["candidate", "baseline"])
def test_a_model_scores_every_prospect_with_its_version_and_top_factors(
    frame: pd.DataFrame, models: dict[str, ModelArtifact], kind: str
) -> None:
    model = models[kind]
    scored = score(model, frame.iloc[8000:9000], top_k=5)
    assert tuple(scored.columns) == SCORE_COLUMNS
    assert scored["prospect_id"].tolist() == frame["prospect_id"].iloc[8000:9000].tolist()
    np.testing.assert_allclose(scored["score"], model.predict_proba(feature_matrix(frame.iloc[8000:9000])))
    assert scored["score"].between(0, 1).all()
    assert (scored["model_version"] == model.version).all()
    _check_factors(scored, FEATURE_COLUMNS, 5)
    assert isinstance(scored["top_factors"].iloc[0], list)


def test_the_heuristic_scores_with_its_own_factors_and_version(frame: pd.DataFrame) -> None:
    scored = score(HEURISTIC, frame.iloc[:500], top_k=3)
    assert (scored["model_version"] == HEURISTIC_VERSION).all()
    _check_factors(scored, FACTOR_NAMES, 3)


def test_top_k_is_capped_and_scores_do_not_depend_on_the_batch_size(
    frame: pd.DataFrame, models: dict[str, ModelArtifact]
) -> None:
    part = frame.iloc[:2500]
    whole = score(models["candidate"], part, top_k=MAX_TOP_K)
    batched = score(models["candidate"], part, top_k=MAX_TOP_K, batch_size=700)
    pd.testing.assert_frame_equal(whole, batched)
    assert len(top_factors_lists(whole)[0]) == MAX_TOP_K
    with pytest.raises(ValueError):
        score(models["candidate"], part, top_k=MAX_TOP_K + 1)
    empty = score(models["candidate"], part.iloc[:0])
    assert len(empty) == 0 and tuple(empty.columns) == SCORE_COLUMNS


def test_the_cold_start_switch_is_at_the_documented_minimum(models: dict[str, ModelArtifact]) -> None:
    model = models["candidate"]
    assert select_scorer(None) is HEURISTIC
    assert select_scorer(replace(model, n_labels=MIN_LABELS, n_positives=MIN_POSITIVES)).version == model.version
    assert select_scorer(replace(model, n_labels=MIN_LABELS - 1, n_positives=500)) is HEURISTIC
    assert select_scorer(replace(model, n_labels=50_000, n_positives=MIN_POSITIVES - 1)) is HEURISTIC


def test_outreach_priority_is_score_times_the_gap_weight() -> None:
    np.testing.assert_allclose(
        outreach_priority([0.2, 0.2, 0.2, 0.8], [0.0, 1.0, np.nan, 0.5]),
        [0.2 * 0.25, 0.2 * 1.0, 0.2 * 0.625, 0.8 * 0.625],
    )
    np.testing.assert_allclose(outreach_priority([0.3], [0.9], score_includes_gap=True), [0.3])


def test_priorities_do_not_count_the_gap_twice_for_heuristic_scores(frame: pd.DataFrame) -> None:
    scored = score(HEURISTIC, frame.iloc[:10])
    np.testing.assert_allclose(priorities(scored, np.full(10, 0.0)), scored["score"])


def test_the_evaluation_plots_are_png_images_in_markdown_and_vega_lite(
    frame: pd.DataFrame, models: dict[str, ModelArtifact]
) -> None:
    holdout = frame.iloc[12_000:16_000]
    comparison = compare({**models, "heuristic": HEURISTIC}, holdout)
    plots = evaluation_plots(comparison)
    assert set(plots) == {"calibration", "gains", "score_distribution"}
    for plot in plots.values():
        assert plot.markdown.count("\n|") >= 5
        assert plot.vega_lite["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        assert plot.png is not None and plot.png.startswith(b"\x89PNG\r\n\x1a\n"), "matplotlib draws every plot"
        assert plot.markdown.startswith(f"![{plot.title}](data:image/png;base64,")
    assert "candidate cumulative_gain" in plots["gains"].markdown
    assert set(plots["calibration"].data["scorer"]) == {"candidate", "baseline", "heuristic", "oracle"}
