"""Pairwise precision, recall and F1 of predicted clusters against true entity labels.

A pair of records is a true positive when both the prediction and the truth put them together. Counting pairs
one by one is quadratic in cluster size (one business fetched daily for a year is 66,430 pairs), so the counts
come from cluster sizes instead: the pairs a set of n records holds is n(n-1)/2, and the true positives are the
pairs held by each cell of the predicted × true contingency table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True)
class PairwiseScores:
    """Pair counts and the scores derived from them. With no predicted pair precision is 1 (nothing claimed
    wrongly); with no true pair recall is 1 (nothing to find)."""

    true_positive_pairs: int
    predicted_pairs: int
    true_pairs: int

    @property
    def precision(self) -> float:
        return self.true_positive_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Counts and rounded scores, for a report line."""
        return {
            **asdict(self),
            "precision": round(self.precision, 5),
            "recall": round(self.recall, 5),
            "f1": round(self.f1, 5),
        }


def _pairs(labels: pd.DataFrame, by: list[str]) -> int:
    """Pairs of rows sharing the values of `by`: the sum of n(n-1)/2 over its groups."""
    sizes = labels.groupby(by, sort=False).size().astype("int64")
    return int((sizes * (sizes - 1) // 2).sum())


def evaluate(clusters: pd.DataFrame, truth: pd.DataFrame) -> PairwiseScores:
    """Scores of `clusters` (`record_id`, `cluster_id`) against `truth` (`record_id`, `entity_id`).

    Both frames must label the same records, each once: a record missing from either side would silently
    change the pair counts, so it is an error instead.
    """
    for name, frame in (("clusters", clusters), ("truth", truth)):
        if frame["record_id"].duplicated().any():
            raise ValueError(f"{name} labels some record_id more than once")
    joined = clusters[["record_id", "cluster_id"]].merge(
        truth[["record_id", "entity_id"]], on="record_id", how="outer", indicator=True
    )
    if (joined["_merge"] != "both").any():
        raise ValueError("clusters and truth do not label the same records")
    return PairwiseScores(
        true_positive_pairs=_pairs(joined, ["cluster_id", "entity_id"]),
        predicted_pairs=_pairs(joined, ["cluster_id"]),
        true_pairs=_pairs(joined, ["entity_id"]),
    )
