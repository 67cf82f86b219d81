"""Pairwise scores from cluster-size combinatorics agree with counting every pair by brute force."""

from __future__ import annotations

import itertools
import random

import pandas as pd
import pytest

from outreach.resolution import PairwiseScores, evaluate


def _brute_force(predicted: list[int], truth: list[int]) -> tuple[int, int, int]:
    tp = predicted_pairs = true_pairs = 0
    for i, j in itertools.combinations(range(len(predicted)), 2):
        same_predicted, same_true = predicted[i] == predicted[j], truth[i] == truth[j]
        tp += same_predicted and same_true
        predicted_pairs += same_predicted
        true_pairs += same_true
    return tp, predicted_pairs, true_pairs


@pytest.mark.parametrize("seed", range(25))
def test_matches_brute_force_pair_counts(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 60)
    predicted = [rng.randint(0, rng.randint(1, 12)) for _ in range(n)]
    truth = [rng.randint(0, rng.randint(1, 12)) for _ in range(n)]
    ids = [f"r{i}" for i in range(n)]
    order = list(range(n))
    rng.shuffle(order)  # the frames need not be in the same order
    clusters = pd.DataFrame({"record_id": [ids[i] for i in order], "cluster_id": [predicted[i] for i in order]})
    labels = pd.DataFrame({"record_id": ids, "entity_id": [f"e{t}" for t in truth]})

    scores = evaluate(clusters, labels)

    tp, predicted_pairs, true_pairs = _brute_force(predicted, truth)
    assert (scores.true_positive_pairs, scores.predicted_pairs, scores.true_pairs) == (tp, predicted_pairs, true_pairs)
    if predicted_pairs and true_pairs and tp:
        precision, recall = tp / predicted_pairs, tp / true_pairs
        assert scores.precision == pytest.approx(precision)
        assert scores.recall == pytest.approx(recall)
        assert scores.f1 == pytest.approx(2 * precision * recall / (precision + recall))


def test_conventions_without_pairs() -> None:
    assert PairwiseScores(0, 0, 0).as_dict() == {
        "true_positive_pairs": 0, "predicted_pairs": 0, "true_pairs": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0,
    }  # fmt: skip
    assert PairwiseScores(0, 3, 0).precision == 0.0
    assert PairwiseScores(0, 0, 3).recall == 0.0
    assert PairwiseScores(0, 3, 3).f1 == 0.0


def test_large_clusters_need_no_pair_materialization() -> None:
    n = 200_000  # one business fetched 200,000 times: ~2e10 pairs, counted from one cluster size
    ids = pd.RangeIndex(n)
    clusters = pd.DataFrame({"record_id": ids, "cluster_id": 0})
    truth = pd.DataFrame({"record_id": ids, "entity_id": ids % 2})
    scores = evaluate(clusters, truth)
    assert scores.predicted_pairs == n * (n - 1) // 2
    assert scores.true_pairs == 2 * ((n // 2) * (n // 2 - 1) // 2)
    assert scores.recall == 1.0


def test_rejects_frames_that_label_different_records() -> None:
    clusters = pd.DataFrame({"record_id": ["a", "b"], "cluster_id": ["a", "a"]})
    with pytest.raises(ValueError, match="same records"):
        evaluate(clusters, pd.DataFrame({"record_id": ["a", "c"], "entity_id": [1, 1]}))
    with pytest.raises(ValueError, match="more than once"):
        evaluate(clusters, pd.DataFrame({"record_id": ["a", "b", "b"], "entity_id": [1, 1, 1]}))
