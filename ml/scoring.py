"""Scoring: a model artifact or the heuristic over a feature frame, batched; the cold-start switch; priority.

`score(...)` returns one row per prospect: `prospect_id`, `score` (0..1), `model_version` (categorical; the
heuristic's is `heuristic-v1`), `top_factors` (an Arrow-backed column of lists of `{"feature", "contribution"}`,
largest absolute contribution first; reading a cell gives a Python list of dicts). The factors are built as Arrow
arrays straight from numpy - never a Python object per prospect - so explaining a million prospects costs a fraction
of the model call (see `bench/bench_scoring.py`).

Cold start (`select_scorer`): the production model scores when there is one and it was trained on at least
`ml.labels.MIN_LABELS` examples with `MIN_POSITIVES` conversions; otherwise the transparent heuristic
(`ml.heuristic`) scores, and its version marks every score it produced.

Outreach priority (`outreach_priority`)
---------------------------------------
    priority = score x gap_weight,    gap_weight = GAP_WEIGHT_FLOOR + (1 - GAP_WEIGHT_FLOOR) x supply_gap

`score` is the calibrated probability that the prospect converts if contacted; `gap_weight` is how much InstaBids
needs one more contractor of that specialty in that region (the demand mart's supply-gap index, 0..1). Their
product ranks prospects by "expected conversions, weighted by need": of two equally likely prospects the one in
the starved cell goes first, and a sure prospect in a well-supplied cell still outranks a hopeless one in a starved
cell. The floor (0.25) keeps supplied cells in play (they still gain from good contractors) and the weight
bounded (0.25..1). An unknown gap counts as `UNKNOWN_GAP` (0.5). The heuristic's score already multiplies in the
gap, so for heuristic scores pass `score_includes_gap=True` (weight 1) instead of counting the gap twice.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa

from ml.explain import top_factor_indices, top_factor_records
from ml.heuristic import HEURISTIC, Heuristic, is_heuristic
from ml.labels import enough_labels
from ml.registry import ModelArtifact

DEFAULT_TOP_K: Final = 5
MAX_TOP_K: Final = 10
BATCH_SIZE: Final = 1_000_000
"""Rows per model call and explanation pass: bounds memory (about 300 bytes a row) for larger inputs."""
CONTRIBUTION_DECIMALS: Final = 4

GAP_WEIGHT_FLOOR: Final = 0.25
UNKNOWN_GAP: Final = 0.5

SCORE_COLUMNS: Final = ("prospect_id", "score", "model_version", "top_factors")
FACTOR_TYPE: Final = pa.list_(pa.struct([("feature", pa.string()), ("contribution", pa.float64())]))

Scorer = ModelArtifact | Heuristic


def select_scorer(production: ModelArtifact | None) -> Scorer:
    """The production model, or the heuristic when there is none or it was trained below the cold-start minimum."""
    if production is None or not enough_labels(production.n_labels, production.n_positives):
        return HEURISTIC
    return production


def _factor_column(names: tuple[str, ...], index: np.ndarray, values: np.ndarray) -> pd.arrays.ArrowExtensionArray:
    n, k = index.shape
    features = pa.array(list(names), type=pa.string()).take(pa.array(index.ravel()))
    contributions = pa.array(np.round(values.astype(np.float64).ravel(), CONTRIBUTION_DECIMALS))
    items = pa.StructArray.from_arrays([features, contributions], names=["feature", "contribution"])
    offsets = pa.array(np.arange(0, n * k + 1, k, dtype=np.int32))
    return pd.arrays.ArrowExtensionArray(pa.ListArray.from_arrays(offsets, items, type=FACTOR_TYPE))


def score(
    model_or_heuristic: Scorer,
    features: pd.DataFrame,
    *,
    top_k: int = DEFAULT_TOP_K,
    batch_size: int = BATCH_SIZE,
) -> pd.DataFrame:
    """Score every row of `features` (`ml.features.build_features` output) with a model artifact or the heuristic.

    Returns `SCORE_COLUMNS` in the input's row order (module docstring). `top_k` is at most `MAX_TOP_K`; fewer
    factors are returned when the scorer has fewer. Works in batches of `batch_size` rows to bound memory.
    """
    if not 0 <= top_k <= MAX_TOP_K:
        raise ValueError(f"top_k must be between 0 and {MAX_TOP_K}")
    scorer = model_or_heuristic
    explainer = scorer.explainer
    names = tuple(explainer.factor_names)
    X = features[list(scorer.feature_columns)].to_numpy(dtype=np.float64)
    n = X.shape[0]
    k = min(top_k, len(names))
    scores = np.empty(n, dtype=np.float64)
    index = np.empty((n, k), dtype=np.intp)
    values = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        batch = X[start:stop]
        scores[start:stop] = scorer.predict_proba(batch)
        if k:
            index[start:stop], values[start:stop] = top_factor_indices(explainer.contributions_t(batch), k)
    np.clip(scores, 0.0, 1.0, out=scores)
    return pd.DataFrame(
        {
            "prospect_id": features["prospect_id"].array,
            "score": scores,
            "model_version": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[scorer.version]),
            "top_factors": _factor_column(names, index, values),
        }
    )


def top_factors_lists(scores: pd.DataFrame) -> list[list[dict[str, Any]]]:
    """The `top_factors` column as Python lists of dicts (for JSON and events)."""
    column = scores["top_factors"]
    if isinstance(column.dtype, pd.ArrowDtype):
        return column.array.__arrow_array__().to_pylist()
    return [list(v) for v in column]


def outreach_priority(
    score: Any, supply_gap: Any, *, score_includes_gap: bool = False
) -> np.ndarray:
    """Priority = score x (GAP_WEIGHT_FLOOR + (1 - GAP_WEIGHT_FLOOR) x supply_gap); NaN gap = `UNKNOWN_GAP`.

    `score_includes_gap=True` (heuristic scores) uses a weight of 1. Vectorized; returns float64 in 0..1.
    """
    s = np.clip(np.asarray(score, dtype=np.float64), 0.0, 1.0)
    if score_includes_gap:
        return s.copy()
    gap = np.asarray(supply_gap, dtype=np.float64)
    gap = np.clip(np.where(np.isnan(gap), UNKNOWN_GAP, gap), 0.0, 1.0)
    return s * (GAP_WEIGHT_FLOOR + (1.0 - GAP_WEIGHT_FLOOR) * gap)


def priorities(scores: pd.DataFrame, supply_gap: Any) -> np.ndarray:
    """`outreach_priority` for a `score()` frame: heuristic rows get weight 1 (their score holds the gap)."""
    heuristic = scores["model_version"].astype(str).map(is_heuristic).to_numpy(dtype=bool)
    model = outreach_priority(scores["score"], supply_gap)
    return np.where(heuristic, np.clip(scores["score"].to_numpy(dtype=np.float64), 0.0, 1.0), model)


__all__ = [
    "DEFAULT_TOP_K", "MAX_TOP_K", "SCORE_COLUMNS", "outreach_priority", "priorities", "score", "select_scorer",
    "top_factor_records", "top_factors_lists",
]  # fmt: skip
