"""Labels from contacts and conversions, censoring, windows, the time-based split and the cold-start minimums."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from ml.labels import (
    MIN_LABELS,
    MIN_POSITIVES,
    build_label_windows,
    build_labels,
    enough_labels,
    label_counts,
    time_split,
)

T0 = pd.Timestamp("2025-03-03T00:00:00Z")
HORIZON = timedelta(days=14)


def _events(*rows: tuple[str, float, str]) -> pd.DataFrame:
    """(prospect, days after T0, event)."""
    return pd.DataFrame(
        {
            "prospect_id": [r[0] for r in rows],
            "occurred_at": [T0 + pd.Timedelta(days=r[1]) for r in rows],
            "event": [r[2] for r in rows],
        }
    )


HISTORY = _events(
    ("a", 1, "contacted"), ("a", 4, "converted"),  # converted within the horizon: 1
    ("b", 2, "contacted"), ("b", 3, "contacted"), ("b", 17, "converted"),  # converted 15 days after the first: 0
    ("c", 3, "contacted"), ("c", 5, "responded"),  # never converted: 0
    ("d", -10, "converted"), ("d", 2, "contacted"),  # already ours before the contact: not an example
    ("e", 6.9, "contacted"), ("e", 7.5, "converted"),  # its horizon ends after observed_until: censored
    ("f", 9, "contacted"), ("f", 10, "converted"),  # outside the window
)  # fmt: skip


def test_a_window_labels_each_first_contact_by_conversion_within_the_horizon() -> None:
    labels = build_labels(HISTORY, T0, T0 + timedelta(days=7), HORIZON, observed_until=T0 + timedelta(days=20))
    assert labels["prospect_id"].tolist() == ["a", "b", "c"]
    assert labels["label"].tolist() == [1, 0, 0]
    assert labels["contacted_at"].tolist() == [T0 + pd.Timedelta(days=d) for d in (1, 2, 3)]
    assert labels["converted_at"].iloc[0] == T0 + pd.Timedelta(days=4)
    assert pd.isna(labels["converted_at"].iloc[1])
    assert (labels["as_of"] == T0).all()


def test_a_window_whose_contacts_never_converted_labels_them_all_0() -> None:
    unconverted = HISTORY[HISTORY["prospect_id"].isin(["b", "c"])]
    labels = build_labels(unconverted, T0, T0 + timedelta(days=7), HORIZON, observed_until=T0 + timedelta(days=20))
    assert labels["prospect_id"].tolist() == ["b", "c"] and labels["label"].tolist() == [0, 0]
    assert labels["converted_at"].isna().all()


def test_an_example_whose_horizon_is_not_over_is_not_labelled_yet() -> None:
    labels = build_labels(HISTORY, T0, T0 + timedelta(days=7), HORIZON, observed_until=T0 + timedelta(days=22))
    assert "e" in labels["prospect_id"].tolist()
    labels = build_labels(HISTORY, T0, T0 + timedelta(days=7), HORIZON, observed_until=T0 + timedelta(days=20.8))
    assert "e" not in labels["prospect_id"].tolist()


def test_consecutive_windows_stack_in_time_order() -> None:
    labels = build_label_windows(
        HISTORY, T0, T0 + timedelta(days=14), timedelta(days=7), HORIZON, observed_until=T0 + timedelta(days=40)
    )
    assert labels["prospect_id"].tolist() == ["a", "b", "c", "e", "f"]
    assert labels["as_of"].tolist() == [T0] * 4 + [T0 + pd.Timedelta(days=7)]
    assert label_counts(labels) == (5, 3)


def test_the_time_split_keeps_the_latest_examples_for_the_holdout_with_an_embargo() -> None:
    frame = pd.DataFrame(
        {"contacted_at": [T0 + pd.Timedelta(days=d) for d in range(10)], "label": [0, 1] * 5}
    )
    train, holdout = time_split(frame, holdout_start=T0 + pd.Timedelta(days=7), embargo=timedelta(days=2))
    assert holdout["contacted_at"].min() == T0 + pd.Timedelta(days=7)
    assert train["contacted_at"].max() == T0 + pd.Timedelta(days=4)
    assert len(holdout) == 3 and len(train) == 5
    train, holdout = time_split(frame, holdout_fraction=0.2)
    assert len(holdout) == 2 and len(train) == 8
    assert train["contacted_at"].max() < holdout["contacted_at"].min()


@pytest.mark.parametrize(
    ("n", "positives", "enough"),
    [
        (MIN_LABELS, MIN_POSITIVES, True),
        (MIN_LABELS - 1, MIN_POSITIVES, False),
        (MIN_LABELS, MIN_POSITIVES - 1, False),
        (50_000, 5_000, True),
    ],
)
def test_the_cold_start_minimum_is_1000_labels_with_120_conversions(n: int, positives: int, enough: bool) -> None:
    assert (MIN_LABELS, MIN_POSITIVES) == (1000, 120)
    assert enough_labels(n, positives) is enough
