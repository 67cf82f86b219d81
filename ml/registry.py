"""Model artifacts and the promotion rule (pure: the Postgres side is `outreach.scoring.registry_store`).

A `ModelArtifact` is everything scoring needs: the fitted scikit-learn pipeline, the feature columns it was fitted
on (in order), its explainer and its metadata (version, kind, training window, parameters, holdout metrics, label
counts, library versions). `serialize` turns it into bytes (joblib, zlib level 3) with their sha256;
`deserialize` checks the digest before unpickling - an artifact is only ever loaded from our own registry, and the
digest catches a truncated or swapped blob.

Promotion rule (`should_promote`)
---------------------------------
A candidate replaces what scores today only if it does **not regress on the same holdout**:

    roc_auc(candidate) >= roc_auc(current) - tol["roc_auc"]
    pr_auc(candidate)  >= pr_auc(current)  - tol["pr_auc"]
    brier(candidate)   <= brier(current)   + tol["brier"]
    ece(candidate)     <= ece(current)     + tol["ece"]      and  ece(candidate) <= ece_ceiling(candidate)

`ece_ceiling = MAX_ECE + sqrt(base_rate * (1 - base_rate) * 10 / n)`: 0.05 plus one standard error of a bin's
observed rate (ten equal-mass bins of n/10 holdout examples), so a small holdout's sampling noise alone does not
block the first models (n = 250 at a 12 % base rate: 0.115; n = 15,000: 0.058).

"current" is the production model's metrics **re-computed on the candidate's holdout** (metrics stored at the
production model's own training time come from another holdout and are not comparable); with no production model
it is the heuristic's metrics on that holdout (for the heuristic only the ranking checks apply - its score is not a
probability, so Brier and ECE are compared with the ceiling alone), and with nothing at all only the ceiling applies.
A missing or NaN metric fails its check. `tolerance` is one number for all four metrics or a mapping per metric
(missing keys take `DEFAULT_TOLERANCE`). Ties promote: the newer model has seen more recent data.
"""

from __future__ import annotations

import hashlib
import io
import math
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import joblib
import numpy as np
import sklearn

from ml.explain import Explainer

DEFAULT_TOLERANCE: Final[dict[str, float]] = {"roc_auc": 0.005, "pr_auc": 0.005, "brier": 0.0005, "ece": 0.01}
MAX_ECE: Final = 0.05
"""A model whose holdout ECE is above this (plus the holdout's sampling noise) is never promoted."""
ECE_BINS: Final = 10

HIGHER_IS_BETTER: Final[dict[str, bool]] = {"roc_auc": True, "pr_auc": True, "brier": False, "ece": False}


class ArtifactIntegrityError(ValueError):
    """The artifact's bytes do not match their recorded sha256."""


@dataclass
class ModelArtifact:
    """A fitted scorer and its metadata. `predict_proba(X)` takes the float64 matrix of `feature_columns`."""

    pipeline: Any
    feature_columns: tuple[str, ...]
    explainer: Explainer
    version: str
    kind: str
    trained_at: datetime
    training_window: tuple[datetime, datetime] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    n_labels: int = 0
    n_positives: int = 0
    library_versions: dict[str, str] = field(default_factory=dict)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated conversion probability per row (the positive class)."""
        return self.pipeline.predict_proba(X)[:, 1]


def library_versions() -> dict[str, str]:
    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": np.__version__}


def sha256(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def serialize(artifact: ModelArtifact) -> tuple[bytes, str]:
    """(bytes, sha256 hex) of the artifact."""
    buffer = io.BytesIO()
    joblib.dump(artifact, buffer, compress=3)
    blob = buffer.getvalue()
    return blob, sha256(blob)


def deserialize(blob: bytes, expected_sha256: str | None = None) -> ModelArtifact:
    """The artifact back from `serialize`'s bytes; raises ArtifactIntegrityError on a digest mismatch."""
    if expected_sha256 is not None and sha256(blob) != expected_sha256:
        raise ArtifactIntegrityError("artifact bytes do not match their sha256")
    artifact = joblib.load(io.BytesIO(blob))
    if not isinstance(artifact, ModelArtifact):
        raise ArtifactIntegrityError(f"not a ModelArtifact: {type(artifact).__name__}")
    return artifact


@dataclass(frozen=True)
class PromotionDecision:
    promote: bool
    reasons: tuple[str, ...]
    """One line per check, pass or fail, for the asset check's description and the registry row."""

    def as_dict(self) -> dict[str, Any]:
        return {"promote": self.promote, "reasons": list(self.reasons)}


def _tolerances(tolerance: float | Mapping[str, float] | None) -> dict[str, float]:
    if tolerance is None:
        return dict(DEFAULT_TOLERANCE)
    if isinstance(tolerance, int | float):
        return dict.fromkeys(DEFAULT_TOLERANCE, float(tolerance))
    return {**DEFAULT_TOLERANCE, **{k: float(v) for k, v in tolerance.items()}}


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def ece_ceiling(metrics: Mapping[str, float]) -> float:
    """`MAX_ECE` plus one standard error of a bin's rate on this holdout (needs `n` and `base_rate`)."""
    n, rate = metrics.get("n"), metrics.get("base_rate")
    if not _finite(n) or not _finite(rate) or n <= 0:
        return MAX_ECE
    return MAX_ECE + math.sqrt(max(rate * (1.0 - rate), 0.0) * ECE_BINS / n)


def should_promote(
    candidate_metrics: Mapping[str, float],
    production_metrics: Mapping[str, float] | None,
    tolerance: float | Mapping[str, float] | None = None,
    *,
    production_is_heuristic: bool = False,
) -> PromotionDecision:
    """Apply the promotion rule of the module docstring; metrics as returned by `ml.evaluation.evaluate`."""
    tol = _tolerances(tolerance)
    reasons: list[str] = []
    ok = True
    ece, ceiling = candidate_metrics.get("ece"), ece_ceiling(candidate_metrics)
    if not _finite(ece) or ece > ceiling:
        ok = False
        reasons.append(f"FAIL ece {ece} above the ceiling {ceiling:.4f}")
    else:
        reasons.append(f"ok ece {ece:.4f} <= ceiling {ceiling:.4f}")
    if production_metrics is None:
        reasons.append("no production model or heuristic metrics: first model")
        return PromotionDecision(ok, tuple(reasons))
    metrics = ("roc_auc", "pr_auc") if production_is_heuristic else tuple(HIGHER_IS_BETTER)
    for name in metrics:
        new, old = candidate_metrics.get(name), production_metrics.get(name)
        if not _finite(new) or not _finite(old):
            ok = False
            reasons.append(f"FAIL {name}: candidate {new}, production {old} (missing)")
            continue
        if HIGHER_IS_BETTER[name]:
            passed, bound, sign = new >= old - tol[name], old - tol[name], ">="
        else:
            passed, bound, sign = new <= old + tol[name], old + tol[name], "<="
        ok &= passed
        reasons.append(
            f"{'ok' if passed else 'FAIL'} {name} {new:.4f} {sign} {bound:.4f} (production {old:.4f}, "
            f"tolerance {tol[name]})"
        )
    return PromotionDecision(ok, tuple(reasons))
