"""The transparent cold-start score: supply gap x profile quality, in 0..1, with its own top factors.

Used while there are too few labels to train a model (`ml.labels.MIN_LABELS` / `MIN_POSITIVES`); every score it
produces carries `model_version = HEURISTIC_VERSION`.

    gap      = supply-gap index of the prospect's (primary specialty, region) cell; 0.5 when unknown
    G        = GAP_FLOOR + (1 - GAP_FLOOR) * gap                     in [0.2, 1]
    Q        = sum_k QUALITY_WEIGHTS[k] * q_k                        in [0, 1]   (weights sum to 1)
    score    = G * Q                                                 in [0, 1]

    q_license      = 1 if the license is active (not expired), else 0
    q_channels     = reachable channels / 2   (deliverable email, SMS-capable phone)
    q_profile      = profile completeness (share of the profile's fields present)
    q_confidence   = enrichment confidence (mean field confidence)
    q_referred     = 1 if a user referred the business (social or referral source)
    q_reputation   = (rating - 3) / 2 clipped to 0..1 with at least one review, 0.5 without reviews

Why: the gap says how much InstaBids needs this kind of contractor here (and, in the sandbox's truth, how likely
they are to answer); quality says how likely outreach reaches a real, licensed, reachable business. A product, not
a sum, so a perfect profile in a saturated cell and a bad profile in a starved one both rank low; the floor keeps
quality ranking within a cell without any gap. It is a ranking, not a calibrated probability.

Top factors, in score points and exact: relative to a reference prospect (gap 0.5, every q_k 0.5), the product's
difference splits symmetrically (the Shapley values of a product of two terms):

    score - ref = (G - G0)(Q + Q0)/2  +  sum_k w_k (q_k - 0.5)(G + G0)/2

the first term is the `supply_gap` factor, the others the quality factors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from ml.features import FEATURE_COLUMNS

HEURISTIC_VERSION: Final = "heuristic-v1"
GAP_FLOOR: Final = 0.2
UNKNOWN_GAP: Final = 0.5
REFERENCE_LEVEL: Final = 0.5

QUALITY_WEIGHTS: Final[dict[str, float]] = {
    "license_active": 0.30,
    "reachable_channels": 0.25,
    "profile_completeness": 0.15,
    "enrichment_confidence": 0.10,
    "referred": 0.10,
    "reputation": 0.10,
}

FACTOR_NAMES: Final[tuple[str, ...]] = ("supply_gap", *QUALITY_WEIGHTS)

_COLUMN = {name: i for i, name in enumerate(FEATURE_COLUMNS)}


def is_heuristic(model_version: str) -> bool:
    return model_version.startswith("heuristic")


@dataclass(frozen=True)
class Heuristic:
    """The cold-start scorer: same interface as a model artifact (`predict_proba`, `explainer`, `version`)."""

    version: str = HEURISTIC_VERSION
    feature_columns: tuple[str, ...] = FEATURE_COLUMNS

    @property
    def explainer(self) -> Heuristic:
        return self

    @property
    def factor_names(self) -> tuple[str, ...]:
        return FACTOR_NAMES

    def _terms(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """G (n,) and the quality components q (k, n)."""
        column = _COLUMN
        gap = np.where(X[:, column["supply_gap_missing"]] > 0, UNKNOWN_GAP, X[:, column["supply_gap_primary"]])
        g = GAP_FLOOR + (1.0 - GAP_FLOOR) * np.clip(gap, 0.0, 1.0)
        rating = X[:, column["rating_centered"]] + 4.2
        has_reviews = X[:, column["log_reviews"]] > 0
        q = np.vstack(
            [
                X[:, column["license_active"]],
                X[:, column["reachable_channels"]] / 2.0,
                X[:, column["profile_completeness"]],
                X[:, column["enrichment_confidence"]],
                X[:, column["referred"]],
                np.where(has_reviews, (rating - 3.0) / 2.0, 0.5),
            ]
        )
        return g, np.clip(q, 0.0, 1.0)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """The score in 0..1 per row of the feature matrix (columns `FEATURE_COLUMNS`)."""
        g, q = self._terms(X)
        weights = np.fromiter(QUALITY_WEIGHTS.values(), dtype=np.float64)
        return g * (weights @ q)

    def contributions_t(self, X: np.ndarray) -> np.ndarray:
        """Exact factors in score points, (factors, rows): they add up to score - reference score."""
        g, q = self._terms(X)
        weights = np.fromiter(QUALITY_WEIGHTS.values(), dtype=np.float64)
        g0 = GAP_FLOOR + (1.0 - GAP_FLOOR) * UNKNOWN_GAP
        q0 = REFERENCE_LEVEL * weights.sum()
        quality = weights @ q
        out = np.empty((len(FACTOR_NAMES), X.shape[0]), dtype=np.float32)
        out[0] = (g - g0) * (quality + q0) / 2.0
        out[1:] = weights[:, None] * (q - REFERENCE_LEVEL) * ((g + g0) / 2.0)[None, :]
        return out

    def reference_score(self) -> float:
        g0 = GAP_FLOOR + (1.0 - GAP_FLOOR) * UNKNOWN_GAP
        return g0 * REFERENCE_LEVEL * sum(QUALITY_WEIGHTS.values())


HEURISTIC: Final = Heuristic()
