"""Labelled examples from our own history, as of a point in time: what the weekly retrain and the evaluation use.

One example per prospect: its **first contact** ever (a message Messaging accepted), labelled 1 when a
`UserCreatedEvent` for it followed within `LABEL_HORIZON`, with the features it had at the start of that day
(`ml.labels.build_label_windows` over one-day windows, `ml.training.build_training_frame`). First contacts only,
because that is the decision the score drives - whom to contact next - and because a later contact of the same
prospect would share its conversion with the first one, in the training set and in the holdout at once.

Why a 7-day horizon: a first contact and its follow-up three days later get their replies within hours, an
interested reply becomes an account the same day and the sign-up event follows within minutes; a week catches
nearly all of that (organic sign-ups come 1-6 days after a message) while labelling contacts a week after they
happen, which a weekly retrain needs. Contacts younger than the horizon are censored (not labelled yet).

Contact time is the batch clock (`scheduled_at`: the day at the campaign's send time), the time every campaign rule
reasons with; conversions are the sign-up times the User Management domain reports (`converted_at`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import numpy as np
import pandas as pd
import psycopg

from ml.features import FEATURE_COLUMNS, as_utc_timestamp
from ml.labels import LABEL_COLUMNS, build_label_windows
from ml.training import build_training_frame
from outreach.scoring.daily import load_history
from outreach.scoring.scores_store import load_demand, load_prospects

LABEL_HORIZON: Final = timedelta(days=7)
LABEL_WINDOW: Final = timedelta(days=1)
LOOKBACK: Final = timedelta(days=365)
"""Oldest first contacts a retrain learns from."""
DEMAND_LOOKBACK_DAYS: Final = 7
TRUTH_COLUMN: Final = "true_propensity"

Oracle = Callable[[Iterable[str]], Mapping[str, float]]
"""prospect ids -> their true conversion propensity (the sandbox's; production has none)."""


@dataclass(frozen=True)
class LabelledHistory:
    """The examples (features + `label`, `contacted_at`, ...) and the time they were observed at."""

    examples: pd.DataFrame
    as_of: datetime

    @property
    def n_labels(self) -> int:
        return len(self.examples)

    @property
    def n_positives(self) -> int:
        return int(self.examples["label"].sum()) if len(self.examples) else 0


def first_contacts(history: pd.DataFrame) -> pd.Series:
    """prospect_id -> time of its first contact."""
    contacts = history[history["event"] == "contacted"]
    return pd.to_datetime(contacts["occurred_at"], utc=True).groupby(contacts["prospect_id"]).min()


def load_labelled(conn: psycopg.Connection, as_of: datetime) -> LabelledHistory:
    """Every resolved first contact before `as_of` with its label and features (module docstring)."""
    at = as_utc_timestamp(as_of)
    history = load_history(conn)
    history = history[pd.to_datetime(history["occurred_at"], utc=True) < at]
    first = first_contacts(history)
    if first.empty:
        return LabelledHistory(pd.DataFrame(columns=[*LABEL_COLUMNS, *FEATURE_COLUMNS]), at.to_pydatetime())
    start = max(first.min().floor("D"), (at - LOOKBACK).floor("D"))
    labels = build_label_windows(history, start, at, LABEL_WINDOW, LABEL_HORIZON, at)
    labels = labels[labels["contacted_at"].to_numpy() == first.reindex(labels["prospect_id"]).to_numpy()]
    demand = load_demand(conn, (start - pd.Timedelta(days=DEMAND_LOOKBACK_DAYS)).date(), at.date())
    examples = build_training_frame(load_prospects(conn, None), demand, history, labels.reset_index(drop=True))
    return LabelledHistory(examples, at.to_pydatetime())


def with_truth(examples: pd.DataFrame, oracle: Oracle) -> pd.DataFrame:
    """The examples with `true_propensity` from the oracle (NaN where it does not know the prospect)."""
    truth = oracle(examples["prospect_id"].astype(str).tolist())
    values = examples["prospect_id"].astype(str).map(truth).astype(np.float64)
    return examples.assign(**{TRUTH_COLUMN: values.to_numpy()})
