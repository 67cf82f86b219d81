"""Top factors per prospect: signed contributions, in log-odds of the score, fast enough for a million rows.

Two explainers, one interface (`factor_names`, `contributions_t(X) -> (factors, rows)`), chosen by the model kind:

**`LinearExplainer`** (the logistic-regression baseline): `contribution_j = w_j * (x_j - mean_j)`, with `w_j` the
coefficient per raw unit (the standardized coefficient divided by the feature's scale) and `mean_j` its training
mean. Exact: the contributions add up to `logit(score) - logit(score of the average prospect)`.

**`BinnedDependenceExplainer`** (the calibrated gradient-boosting model): the *per-feature deviation* of the
model's partial dependence. At training time, for every feature j and every point v of a grid over its values,
`PD_j(v)` = the mean, over a fixed background sample of training rows, of `logit(score)` with feature j set to v
(all other features as they are). A prospect's contribution of j is `PD_j(x_j) - mean_background(PD_j(x_bj))`:
how much its value of j moves the average prediction away from the average prospect's, holding the others at
their observed distribution. At scoring time that is one table lookup per feature (x rounded to the nearest grid
point), so explaining costs a handful of vectorized passes over the matrix instead of one model call per feature.
It is first-order: interactions are not attributed, so the contributions do not add up exactly to the score
(they do for an additive model). Grids: binary and small-integer features get every integer value (exact);
the others `CONTINUOUS_GRID` evenly spaced points between their 0.5 % and 99.5 % training quantiles.
A feature whose largest absolute contribution over the grid is below `MIN_EFFECT` log-odds is left out
(never shown as a top factor).

Both report log-odds units: +0.4 means "raises the odds of converting by about half". The heuristic
(`ml.heuristic`) explains itself in score points.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np

CONTINUOUS_GRID: Final = 48
"""Grid points of a continuous feature's partial dependence."""

MAX_INTEGER_LEVELS: Final = 64
"""An integer-valued feature with at most this many levels gets one grid point per integer."""

BACKGROUND_ROWS: Final = 300
"""Training rows the partial dependence is averaged over."""

MIN_EFFECT: Final = 1e-3
"""Log-odds below which a feature is considered to have no effect."""

LOGIT_CLIP: Final = 1e-6


class Explainer(Protocol):
    factor_names: tuple[str, ...]

    def contributions_t(self, X: np.ndarray) -> np.ndarray:
        """Contributions, one row per factor and one column per prospect (float32)."""
        ...


def logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=np.float64), LOGIT_CLIP, 1.0 - LOGIT_CLIP)
    return np.log(q) - np.log1p(-q)


@dataclass(frozen=True)
class LinearExplainer:
    """`w_j * (x_j - mean_j)` for the features with a non-zero weight."""

    factor_names: tuple[str, ...]
    columns: np.ndarray  # index in the feature matrix of each factor
    weights: np.ndarray  # log-odds per raw unit
    center: np.ndarray  # training mean

    def contributions_t(self, X: np.ndarray) -> np.ndarray:
        out = np.empty((len(self.columns), X.shape[0]), dtype=np.float32)
        for i, j in enumerate(self.columns):
            np.multiply(X[:, j] - self.center[i], self.weights[i], out=out[i], casting="same_kind")
        return out


def linear_explainer(
    feature_names: Sequence[str], weights: np.ndarray, center: np.ndarray
) -> LinearExplainer:
    """From raw-unit weights (coefficient / scale) and the training means."""
    weights, center = np.asarray(weights, dtype=np.float64), np.asarray(center, dtype=np.float64)
    active = np.flatnonzero(np.abs(weights) > 0)
    return LinearExplainer(
        factor_names=tuple(feature_names[j] for j in active),
        columns=active,
        weights=weights[active],
        center=center[active],
    )


@dataclass(frozen=True)
class BinnedDependenceExplainer:
    """Centered partial dependence on a uniform grid per feature, looked up by rounding to the nearest point."""

    factor_names: tuple[str, ...]
    columns: np.ndarray  # index in the feature matrix of each factor
    lows: np.ndarray  # first grid point
    inverse_steps: np.ndarray  # 1 / grid spacing (0 for a one-point grid)
    tables: tuple[np.ndarray, ...]  # centered log-odds at the grid points (float32)

    def contributions_t(self, X: np.ndarray) -> np.ndarray:
        n = X.shape[0]
        out = np.empty((len(self.columns), n), dtype=np.float32)
        scratch = np.empty(n, dtype=np.float64)
        for i, j in enumerate(self.columns):
            table = self.tables[i]
            np.subtract(X[:, j], self.lows[i], out=scratch)
            scratch *= self.inverse_steps[i]
            np.rint(scratch, out=scratch)
            np.clip(scratch, 0, len(table) - 1, out=scratch)
            np.take(table, scratch.astype(np.intp), out=out[i])
        return out


def _grid(values: np.ndarray) -> np.ndarray:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.zeros(1)
    lo, hi = float(finite.min()), float(finite.max())
    if np.all(finite == np.round(finite)) and hi - lo + 1 <= MAX_INTEGER_LEVELS:
        return np.arange(lo, hi + 1.0)
    lo, hi = (float(q) for q in np.quantile(finite, [0.005, 0.995]))
    if hi <= lo:
        return np.array([lo])
    return np.linspace(lo, hi, CONTINUOUS_GRID)


def binned_dependence_explainer(
    predict_logit: Callable[[np.ndarray], np.ndarray],
    X_train: np.ndarray,
    feature_names: Sequence[str],
    *,
    seed: int,
    background_rows: int = BACKGROUND_ROWS,
) -> BinnedDependenceExplainer:
    """Tabulate each feature's centered partial dependence of `predict_logit` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    take = rng.choice(X_train.shape[0], size=min(background_rows, X_train.shape[0]), replace=False)
    background = np.ascontiguousarray(X_train[np.sort(take)])
    grids = [_grid(X_train[:, j]) for j in range(X_train.shape[1])]
    # One model call for every (feature, grid point, background row).
    blocks = []
    for j, grid in enumerate(grids):
        block = np.repeat(background[None, :, :], len(grid), axis=0)
        block[:, :, j] = grid[:, None]
        blocks.append(block.reshape(-1, background.shape[1]))
    predictions = predict_logit(np.concatenate(blocks))
    columns, names, lows, inverse_steps, tables = [], [], [], [], []
    at = 0
    for j, grid in enumerate(grids):
        size = len(grid) * background.shape[0]
        pd_values = predictions[at : at + size].reshape(len(grid), background.shape[0]).mean(axis=1)
        at += size
        inverse = 0.0 if len(grid) == 1 else 1.0 / (grid[1] - grid[0])
        codes = np.clip(np.rint((background[:, j] - grid[0]) * inverse), 0, len(grid) - 1).astype(np.intp)
        centered = pd_values - pd_values[codes].mean()
        if np.max(np.abs(centered)) < MIN_EFFECT:
            continue
        columns.append(j)
        names.append(feature_names[j])
        lows.append(grid[0])
        inverse_steps.append(inverse)
        tables.append(centered.astype(np.float32))
    return BinnedDependenceExplainer(
        factor_names=tuple(names),
        columns=np.asarray(columns, dtype=np.intp),
        lows=np.asarray(lows, dtype=np.float64),
        inverse_steps=np.asarray(inverse_steps, dtype=np.float64),
        tables=tuple(tables),
    )


_INDEX_BITS: Final = 6
_PACKED_MAX_FACTORS: Final = (1 << _INDEX_BITS) - 1


def top_factor_indices(contributions_t: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(factor index, contribution), each (rows, min(k, factors)), by absolute contribution descending.

    Up to 63 factors, the magnitude (float32) and the factor index are packed into one uint32 - the magnitude's bit
    pattern, which orders like the value, with its lowest 6 bits replaced by the index - and the top k are taken
    by k column-wise maxima over the (factors, rows) array: a few vectorized passes instead of a per-row sort.
    Magnitudes closer than about 1e-5 (relative) therefore count as tied, and ties go to the lower factor index;
    the returned contributions are the exact values. More factors fall back to `argpartition`.
    """
    m, n = contributions_t.shape
    k = min(k, m)
    if k == 0 or n == 0:
        return np.zeros((n, k), dtype=np.intp), np.zeros((n, k), dtype=np.float32)
    if m > _PACKED_MAX_FACTORS:
        return _top_factor_indices_sorted(contributions_t, k)
    keys = np.abs(contributions_t, dtype=np.float32).view(np.uint32)
    keys &= np.uint32(~_PACKED_MAX_FACTORS & 0xFFFFFFFF)
    keys |= (_PACKED_MAX_FACTORS - np.arange(m, dtype=np.uint32))[:, None]  # 63 - index: 1..63, removed = 0
    rows = np.arange(n)
    index = np.empty((k, n), dtype=np.intp)
    for i in range(k):
        best = keys.max(axis=0)
        np.subtract(_PACKED_MAX_FACTORS, best & np.uint32(_PACKED_MAX_FACTORS), out=index[i], casting="unsafe")
        keys[index[i], rows] = 0
    values = contributions_t[index, rows]
    return index.T, values.T


def _top_factor_indices_sorted(contributions_t: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    m, n = contributions_t.shape
    magnitude = np.ascontiguousarray(np.abs(contributions_t).T)  # (n, m)
    if k < m:
        candidates = np.sort(np.argpartition(-magnitude, k - 1, axis=1)[:, :k], axis=1)
    else:
        candidates = np.broadcast_to(np.arange(m), (n, m))
    picked = np.take_along_axis(magnitude, candidates, axis=1)
    order = np.argsort(-picked, axis=1, kind="stable")  # magnitude descending, then factor index
    index = np.take_along_axis(candidates, order, axis=1)
    values = np.take_along_axis(contributions_t.T, index, axis=1)
    return index, values


def contributions(explainer: Explainer, X: np.ndarray) -> np.ndarray:
    """Contributions as (rows, factors), columns in `explainer.factor_names` order."""
    return explainer.contributions_t(X).T


def top_factor_records(
    names: Sequence[str], index: np.ndarray, values: np.ndarray, decimals: int = 4
) -> list[list[dict[str, float | str]]]:
    """Python lists of `{"feature", "contribution"}` (for a few rows; `ml.scoring` builds Arrow for many)."""
    rounded = np.round(values.astype(np.float64), decimals)
    return [
        [{"feature": names[i], "contribution": float(c)} for i, c in zip(row_index, row_values, strict=True)]
        for row_index, row_values in zip(index.tolist(), rounded.tolist(), strict=True)
    ]
