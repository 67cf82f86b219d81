"""Labels from our own history: was a contacted prospect converted within a horizon? And the time-based split.

The history frame is the one `ml.features.build_features` reads (`prospect_id`, `occurred_at`, `event`): the core
builds it from the outreach messages we sent (`contacted`) and from `UserCreatedEvent`s that name one of our
prospects (`converted`).

One example per prospect and label window: the prospect's **first contact** in `[window_start, window_end)`.
Its label is 1 when a `converted` event follows within `horizon` of that contact
(`contacted_at <= converted_at < contacted_at + horizon`), else 0. Its features are computed at `window_start`
(the `as_of` column), so nothing the window itself produced - later contacts, replies - leaks into them.

- A prospect that converted before the contact is not an example (it was already ours).
- **Censoring**: an example whose horizon has not fully elapsed by `observed_until` is dropped - a 0 there would
  only mean "not yet". Pass the time the history was extracted.
- A prospect contacted again in a later window (it did not convert) is a new example with its new history.

Cold start: below `MIN_LABELS` examples or `MIN_POSITIVES` conversions no model is trained and the scorer uses the
transparent heuristic (`ml.heuristic`). The numbers follow Salesforce Einstein Lead Scoring, which asks for at
least 1,000 leads and 120 conversions before it trains a model: below that, a holdout of a few dozen
conversions cannot tell a real improvement from noise.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

import numpy as np
import pandas as pd

from ml.features import HISTORY_COLUMNS, as_utc_timestamp

MIN_LABELS: Final = 1000
"""Fewest labelled examples (contacted prospects with a resolved horizon) a model is trained on."""

MIN_POSITIVES: Final = 120
"""Fewest conversions among them."""

LABEL_COLUMNS: Final[tuple[str, ...]] = ("prospect_id", "as_of", "contacted_at", "converted_at", "label")

TimeLike = datetime | pd.Timestamp | str


class NotEnoughLabels(RuntimeError):
    """Below the cold-start minimum: keep scoring with the heuristic."""


def enough_labels(n_labels: int, n_positives: int) -> bool:
    """True at or above both minimums (`MIN_LABELS` examples and `MIN_POSITIVES` conversions)."""
    return n_labels >= MIN_LABELS and n_positives >= MIN_POSITIVES


def label_counts(labels: pd.DataFrame) -> tuple[int, int]:
    """(examples, conversions) of a label frame."""
    return len(labels), int(labels["label"].sum())


def _history(history: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in HISTORY_COLUMNS if c not in history.columns]
    if missing:
        raise ValueError(f"history is missing columns {missing}")
    occurred = pd.to_datetime(history["occurred_at"], utc=True)
    return pd.DataFrame(
        {
            "prospect_id": history["prospect_id"].astype(str).to_numpy(dtype=object),
            "occurred_at": occurred.array,
            "event": history["event"].astype(str).to_numpy(dtype=object),
        }
    )


def build_labels(
    history: pd.DataFrame,
    window_start: TimeLike,
    window_end: TimeLike,
    horizon: timedelta,
    observed_until: TimeLike,
) -> pd.DataFrame:
    """Examples of one window: `prospect_id`, `as_of` (= window_start), `contacted_at`, `converted_at`, `label`.

    Sorted by `contacted_at` then `prospect_id`; `converted_at` is NaT for a 0.
    """
    start, end, until = as_utc_timestamp(window_start), as_utc_timestamp(window_end), as_utc_timestamp(observed_until)
    h = _history(history)
    contacts = h[(h["event"] == "contacted") & (h["occurred_at"] >= start) & (h["occurred_at"] < end)]
    first = contacts.groupby("prospect_id", sort=True)["occurred_at"].min().rename("contacted_at").reset_index()
    first = first[first["contacted_at"] + horizon <= until]
    conversions = h.loc[h["event"] == "converted", ["prospect_id", "occurred_at"]]
    joined = first.merge(conversions, on="prospect_id", how="left")
    earlier = joined["occurred_at"] < joined["contacted_at"]
    already = set(joined.loc[earlier.fillna(False).to_numpy(dtype=bool), "prospect_id"])
    inside = (joined["occurred_at"] >= joined["contacted_at"]) & (
        joined["occurred_at"] < joined["contacted_at"] + horizon
    )
    converted_at = joined.loc[inside.fillna(False).to_numpy(dtype=bool)].groupby("prospect_id")["occurred_at"].min()
    out = first[~first["prospect_id"].isin(already)].copy()
    out["converted_at"] = pd.to_datetime(converted_at.reindex(out["prospect_id"].to_numpy()).to_numpy(), utc=True)
    out["label"] = out["converted_at"].notna().astype(np.int8)
    out.insert(1, "as_of", start)
    out = out.sort_values(["contacted_at", "prospect_id"], kind="mergesort").reset_index(drop=True)
    return out[list(LABEL_COLUMNS)]


def build_label_windows(
    history: pd.DataFrame,
    start: TimeLike,
    end: TimeLike,
    window: timedelta,
    horizon: timedelta,
    observed_until: TimeLike,
) -> pd.DataFrame:
    """`build_labels` over consecutive windows `[start, start+window), ...` up to `end`, stacked in time order."""
    first, last = as_utc_timestamp(start), as_utc_timestamp(end)
    frames = []
    at = first
    while at < last:
        frames.append(build_labels(history, at, min(at + window, last), horizon, observed_until))
        at = at + window
    if not frames:
        return build_labels(history, first, first, horizon, observed_until)
    return pd.concat(frames, ignore_index=True)


def holdout_start_for(times: pd.Series, holdout_fraction: float) -> pd.Timestamp:
    """The time from which about `holdout_fraction` of the examples (the latest ones) form the holdout."""
    if not 0.0 < holdout_fraction < 1.0:
        raise ValueError("holdout_fraction must be in (0, 1)")
    ordered = pd.to_datetime(times, utc=True).sort_values(kind="mergesort").reset_index(drop=True)
    return ordered.iloc[min(round(len(ordered) * (1.0 - holdout_fraction)), len(ordered) - 1)]


def time_split(
    labelled: pd.DataFrame,
    *,
    holdout_start: TimeLike | None = None,
    holdout_fraction: float = 0.2,
    time_column: str = "contacted_at",
    embargo: timedelta = timedelta(0),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, holdout) by time: holdout = examples at or after `holdout_start`; train = before it minus `embargo`.

    `holdout_start` defaults to the time that leaves the latest `holdout_fraction` of the examples for the holdout.
    `embargo` drops the training examples of `[holdout_start - embargo, holdout_start)`; pass the label horizon to
    mimic production, where a model trained at a time T only knows the labels of contacts before T - horizon.
    Both parts keep their row order.
    """
    times = pd.to_datetime(labelled[time_column], utc=True)
    cut = as_utc_timestamp(holdout_start) if holdout_start is not None else holdout_start_for(times, holdout_fraction)
    holdout_mask = (times >= cut).to_numpy()
    train_mask = (times < cut - embargo).to_numpy()
    return labelled[train_mask], labelled[holdout_mask]
