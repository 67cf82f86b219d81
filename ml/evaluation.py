"""Holdout metrics, calibration, lift and cumulative gains; the side-by-side comparison of scorers.

Metrics (`evaluate`):

- `roc_auc` - ranking quality; `pr_auc` - average precision (more telling than ROC AUC at low base rates);
- `brier` - mean squared error of the probability; `log_loss`;
- `ece` - expected calibration error with **equal-mass bins**: the holdout sorted by score (stable, so ties keep
  their row order) is cut into `n_bins` consecutive groups of equal size (sizes differ by at most one), and
  `ece = sum_b (n_b / n) * |mean(label_b) - mean(score_b)|`. Equal mass, because with equal-width bins almost every
  prospect of a low-base-rate problem falls into the first bin or two and the error of the rest is measured on a
  handful of rows;
- `lift_top_decile` - conversion rate of the top 10 % by score over the overall rate; `gain_top_decile` - the
  share of all conversions found in that 10 %.

Lift and cumulative gains by decile (`gains_table`): the holdout sorted by score descending (stable) and cut into
ten equal-size groups; decile 1 is the highest-scored tenth. Degenerate inputs (one class only) give NaN metrics
rather than an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from ml.features import feature_matrix

N_BINS: Final = 10
EPSILON: Final = 1e-12


class Scorer(Protocol):
    feature_columns: tuple[str, ...]

    def predict_proba(self, X: np.ndarray) -> np.ndarray: ...


def _arrays(labels: Any, scores: Any) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels, dtype=np.float64).ravel()
    p = np.asarray(scores, dtype=np.float64).ravel()
    if y.shape != p.shape:
        raise ValueError(f"labels and scores differ in length: {y.shape} vs {p.shape}")
    return y, p


def _two_classes(y: np.ndarray) -> bool:
    return y.size > 0 and 0 < y.sum() < y.size


def roc_auc(labels: Any, scores: Any) -> float:
    y, p = _arrays(labels, scores)
    return float(roc_auc_score(y, p)) if _two_classes(y) else float("nan")


def pr_auc(labels: Any, scores: Any) -> float:
    y, p = _arrays(labels, scores)
    return float(average_precision_score(y, p)) if _two_classes(y) else float("nan")


def brier(labels: Any, scores: Any) -> float:
    y, p = _arrays(labels, scores)
    return float(np.mean((p - y) ** 2)) if y.size else float("nan")


def log_loss(labels: Any, scores: Any) -> float:
    y, p = _arrays(labels, scores)
    if not y.size:
        return float("nan")
    q = np.clip(p, 1e-15, 1 - 1e-15)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log1p(-q)))


def _equal_mass_groups(order: np.ndarray, groups: int) -> list[np.ndarray]:
    if not order.size:
        return []
    return [g for g in np.array_split(order, min(groups, order.size)) if g.size]


def calibration_table(labels: Any, scores: Any, n_bins: int = N_BINS) -> pd.DataFrame:
    """Equal-mass bins by score ascending: `bin`, `n`, `mean_score`, `observed_rate`, `min_score`, `max_score`."""
    y, p = _arrays(labels, scores)
    rows = []
    for b, idx in enumerate(_equal_mass_groups(np.argsort(p, kind="stable"), n_bins), start=1):
        rows.append(
            {
                "bin": b,
                "n": int(idx.size),
                "mean_score": float(p[idx].mean()),
                "observed_rate": float(y[idx].mean()),
                "min_score": float(p[idx].min()),
                "max_score": float(p[idx].max()),
            }
        )
    return pd.DataFrame(rows, columns=["bin", "n", "mean_score", "observed_rate", "min_score", "max_score"])


def ece(labels: Any, scores: Any, n_bins: int = N_BINS) -> float:
    """Expected calibration error over equal-mass bins (see the module docstring)."""
    y, p = _arrays(labels, scores)
    if not y.size:
        return float("nan")
    table = calibration_table(y, p, n_bins)
    weights = table["n"].to_numpy() / y.size
    return float(np.sum(weights * np.abs(table["observed_rate"].to_numpy() - table["mean_score"].to_numpy())))


def gains_table(labels: Any, scores: Any, groups: int = 10) -> pd.DataFrame:
    """Lift and cumulative gains by decile (score descending).

    Columns: `decile`, `n`, `positives`, `conversion_rate`, `lift`, `cumulative_n`, `cumulative_positives`,
    `cumulative_gain` (share of all positives captured so far), `cumulative_lift`, `min_score`, `max_score`.
    """
    y, p = _arrays(labels, scores)
    total_positives = y.sum()
    base_rate = total_positives / y.size if y.size else float("nan")
    rows = []
    cum_n = cum_pos = 0.0
    for d, idx in enumerate(_equal_mass_groups(np.argsort(-p, kind="stable"), groups), start=1):
        positives = float(y[idx].sum())
        cum_n += idx.size
        cum_pos += positives
        rate = positives / idx.size
        rows.append(
            {
                "decile": d,
                "n": int(idx.size),
                "positives": int(positives),
                "conversion_rate": rate,
                "lift": rate / base_rate if base_rate > 0 else float("nan"),
                "cumulative_n": int(cum_n),
                "cumulative_positives": int(cum_pos),
                "cumulative_gain": cum_pos / total_positives if total_positives > 0 else float("nan"),
                "cumulative_lift": (cum_pos / cum_n) / base_rate if base_rate > 0 else float("nan"),
                "min_score": float(p[idx].min()),
                "max_score": float(p[idx].max()),
            }
        )
    columns = ["decile", "n", "positives", "conversion_rate", "lift", "cumulative_n", "cumulative_positives",
               "cumulative_gain", "cumulative_lift", "min_score", "max_score"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def evaluate(labels: Any, scores: Any, n_bins: int = N_BINS) -> dict[str, float]:
    """All the metrics of one scorer on one holdout (see the module docstring)."""
    y, p = _arrays(labels, scores)
    gains = gains_table(y, p)
    top = gains.iloc[0] if len(gains) else None
    return {
        "n": float(y.size),
        "positives": float(y.sum()),
        "base_rate": float(y.mean()) if y.size else float("nan"),
        "roc_auc": roc_auc(y, p),
        "pr_auc": pr_auc(y, p),
        "brier": brier(y, p),
        "log_loss": log_loss(y, p),
        "ece": ece(y, p, n_bins),
        "lift_top_decile": float(top["lift"]) if top is not None else float("nan"),
        "gain_top_decile": float(top["cumulative_gain"]) if top is not None else float("nan"),
        "mean_score": float(p.mean()) if y.size else float("nan"),
    }


def oracle_auc(true_propensities: Any, labels: Any) -> float:
    """ROC AUC of the true (hidden) propensities against the realized labels: the ceiling any model can reach on
    these labels, since outcomes are random draws from the propensities. Compare a model's AUC with it."""
    return roc_auc(labels, true_propensities)


def truth_agreement(scores: Any, true_propensities: Any) -> dict[str, float]:
    """How close scores are to the true propensities: Spearman rank correlation, mean absolute error."""
    truth, s = _arrays(true_propensities, scores)
    if s.size < 2:
        return {"spearman": float("nan"), "mae": float("nan")}
    rank_s = pd.Series(s).rank().to_numpy()
    rank_t = pd.Series(truth).rank().to_numpy()
    return {"spearman": float(np.corrcoef(rank_s, rank_t)[0, 1]), "mae": float(np.mean(np.abs(s - truth)))}


@dataclass
class Comparison:
    """Side by side on one holdout: `metrics` (one row per scorer), and per scorer its decile gains, calibration
    bins and raw scores (for plots)."""

    metrics: pd.DataFrame
    gains: dict[str, pd.DataFrame] = field(default_factory=dict)
    calibration: dict[str, pd.DataFrame] = field(default_factory=dict)
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def metrics_of(self, name: str) -> dict[str, float]:
        return {k: float(v) for k, v in self.metrics.loc[name].items()}

    def to_markdown(self, columns: tuple[str, ...] = ("roc_auc", "pr_auc", "brier", "ece", "lift_top_decile")) -> str:
        header = "| scorer | " + " | ".join(columns) + " |"
        lines = [header, "|" + "---|" * (len(columns) + 1)]
        for name, row in self.metrics.iterrows():
            lines.append(f"| {name} | " + " | ".join(f"{row[c]:.4f}" for c in columns) + " |")
        return "\n".join(lines)


def compare(
    models: Mapping[str, Scorer | np.ndarray],
    holdout: pd.DataFrame,
    *,
    label_column: str = "label",
    truth_column: str | None = "true_propensity",
    n_bins: int = N_BINS,
) -> Comparison:
    """Evaluate every scorer on the same holdout (features + `label_column`).

    A scorer is anything with `feature_columns` and `predict_proba(X)` (a `ModelArtifact`, the `Heuristic`) or an
    array of precomputed scores. When the holdout has `truth_column` (the sandbox's hidden propensity), an `oracle`
    row is added: its `roc_auc` is `oracle_auc`, the ceiling for the others.
    """
    y = holdout[label_column].to_numpy(dtype=np.float64)
    scores: dict[str, np.ndarray] = {}
    for name, model in models.items():
        if isinstance(model, np.ndarray | pd.Series | list):
            scores[name] = np.asarray(model, dtype=np.float64)
        else:
            scores[name] = np.asarray(model.predict_proba(feature_matrix(holdout, model.feature_columns)))
    if truth_column and truth_column in holdout.columns:
        scores["oracle"] = holdout[truth_column].to_numpy(dtype=np.float64)
    rows = {name: evaluate(y, s, n_bins) for name, s in scores.items()}
    metrics = pd.DataFrame.from_dict(rows, orient="index")
    metrics.index.name = "scorer"
    return Comparison(
        metrics=metrics,
        gains={name: gains_table(y, s) for name, s in scores.items()},
        calibration={name: calibration_table(y, s, n_bins) for name, s in scores.items()},
        scores=scores,
        labels=y,
    )
