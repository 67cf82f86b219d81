"""Top factors: the linear explainer is exact, the binned partial dependence recovers an additive model, top-k."""

from __future__ import annotations

import numpy as np
import pytest

from ml.explain import (
    binned_dependence_explainer,
    contributions,
    linear_explainer,
    top_factor_indices,
    top_factor_records,
)


def test_linear_contributions_are_weight_times_centered_value() -> None:
    explainer = linear_explainer(("a", "b", "c"), np.array([2.0, 0.0, -1.0]), np.array([1.0, 5.0, 0.5]))
    assert explainer.factor_names == ("a", "c")  # a zero weight is never a factor
    X = np.array([[3.0, 9.0, 0.5], [1.0, 0.0, 2.5]])
    np.testing.assert_allclose(contributions(explainer, X), [[4.0, 0.0], [0.0, -2.0]])


def test_binned_dependence_recovers_the_shape_of_an_additive_model() -> None:
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(0, 10, 5000), rng.integers(0, 2, 5000), rng.normal(size=5000)])

    def logit(M: np.ndarray) -> np.ndarray:  # additive: 0.3 x0 + 1.5 x1, x2 has no effect
        return 0.3 * M[:, 0] + 1.5 * M[:, 1]

    explainer = binned_dependence_explainer(logit, X, ("x0", "x1", "x2"), seed=1)
    assert explainer.factor_names == ("x0", "x1")
    probe = np.array([[2.0, 1.0, 0.0], [8.0, 0.0, 0.0]])
    c = contributions(explainer, probe)
    # Centered: contribution = effect - mean effect over the background; differences are exact for the binary x1
    # and within half a grid step for the continuous x0.
    assert c[0, 1] - c[1, 1] == pytest.approx(1.5, abs=1e-5)
    assert c[1, 0] - c[0, 0] == pytest.approx(0.3 * 6, abs=0.3 * 10 / 47)
    assert c[:, 0].mean() == pytest.approx(0.0, abs=0.2)


def test_top_factors_are_ordered_by_absolute_contribution_with_exact_values() -> None:
    ct = np.array([[0.1, -3.0], [-0.5, 2.0], [0.3, 0.0], [0.2, 1.0]], dtype=np.float32)  # (factors, rows)
    index, values = top_factor_indices(ct, 3)
    assert index.tolist() == [[1, 2, 3], [0, 1, 3]]
    np.testing.assert_allclose(values, [[-0.5, 0.3, 0.2], [-3.0, 2.0, 1.0]], rtol=1e-6)
    records = top_factor_records(("a", "b", "c", "d"), index, values)
    assert records[1][0] == {"feature": "a", "contribution": -3.0}


def test_ties_go_to_the_lower_factor_index_and_k_is_capped_by_the_factors() -> None:
    ct = np.array([[1.0], [-1.0], [1.0]], dtype=np.float32)
    index, _ = top_factor_indices(ct, 5)
    assert index.tolist() == [[0, 1, 2]]


def test_the_packed_top_k_agrees_with_a_full_sort() -> None:
    rng = np.random.default_rng(3)
    ct = rng.normal(size=(30, 20_000)).astype(np.float32)
    index, values = top_factor_indices(ct, 5)
    expected = np.argsort(-np.abs(ct), axis=0, kind="stable")[:5].T
    assert (index == expected).mean() > 0.999  # only near-ties (within 1e-5 relative) may differ
    np.testing.assert_array_equal(values, np.take_along_axis(ct.T, index, axis=1))
