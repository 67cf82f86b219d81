"""How well does what scores today do, measured on outcomes it never trained on - and how close is it to the truth?

`evaluate_production(conn, as_of, oracle)` labels our first contacts as of `as_of` (`training_data`) and keeps the
**holdout of the production model**: the contacts at or after the `holdout_start` it recorded when it was trained
(all later than its training examples, and labelled since as their horizons elapsed). Without a production model
(cold start) the heuristic is evaluated on the latest quarter of the examples instead. On that holdout:

- the scorer's `auc` (ROC), `pr_auc`, `brier`, `ece` and `lift_top_decile` (`ml.evaluation.evaluate`);
- `heuristic_auc`: the cold-start heuristic's ROC AUC on the same rows, the bar any model must clear;
- with an oracle (the sandbox's hidden propensities; production has none, the fields are null): `oracle_auc`, the
  ROC AUC of the true conversion propensities on the same holdout - the ceiling, since outcomes are random draws
  from those propensities - and `auc_ratio` = auc / oracle_auc. Prospects the oracle does not know are left out of
  both (`n_oracle` says how many it knew).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import psycopg

from ml.evaluation import evaluate, oracle_auc, roc_auc
from ml.features import feature_matrix
from ml.heuristic import HEURISTIC
from ml.labels import time_split
from ml.scoring import select_scorer
from outreach.scoring.registry_store import load_production
from outreach.scoring.training_data import TRUTH_COLUMN, Oracle, load_labelled, with_truth

HEURISTIC_HOLDOUT_FRACTION = 0.25
REPORTED = ("pr_auc", "brier", "ece", "lift_top_decile", "base_rate")


def _finite(value: Any) -> float | None:
    """JSON has no NaN: undefined metrics (one class only, no oracle) are null."""
    number = float(value)
    return number if math.isfinite(number) else None


def evaluate_production(conn: psycopg.Connection, as_of: datetime, oracle: Oracle | None = None) -> dict[str, Any]:
    """The evaluation of the module docstring, as a flat JSON-ready dict (NaN -> None)."""
    labelled = load_labelled(conn, as_of)
    production = load_production(conn)
    scorer = select_scorer(production)
    examples = labelled.examples
    recorded_start = production.params.get("holdout_start") if production is not None else None
    if recorded_start and scorer is production:
        start = pd.Timestamp(recorded_start)
        holdout = examples[pd.to_datetime(examples["contacted_at"], utc=True) >= start]
    elif len(examples):
        _, holdout = time_split(examples, holdout_fraction=HEURISTIC_HOLDOUT_FRACTION)
        start = pd.to_datetime(holdout["contacted_at"], utc=True).min() if len(holdout) else None
    else:
        holdout, start = examples, None
    y = holdout["label"].to_numpy(dtype=np.float64)
    scores = scorer.predict_proba(feature_matrix(holdout, scorer.feature_columns)) if len(holdout) else np.zeros(0)
    metrics = evaluate(y, scores)
    heuristic = HEURISTIC.predict_proba(feature_matrix(holdout)) if len(holdout) else np.zeros(0)
    result: dict[str, Any] = {
        "model_version": scorer.version,
        "scorer": "heuristic" if scorer is HEURISTIC else production.kind,
        "as_of": labelled.as_of.isoformat(),
        "holdout_start": start.isoformat() if start is not None else None,
        "n_holdout": len(holdout),
        "positives": int(y.sum()),
        "auc": _finite(metrics["roc_auc"]),
        **{name: _finite(metrics[name]) for name in REPORTED},
        "heuristic_auc": _finite(roc_auc(y, heuristic)),
        "oracle_auc": None,
        "auc_ratio": None,
        "n_oracle": 0,
    }
    if oracle is not None and len(holdout):
        truth = with_truth(holdout, oracle)[TRUTH_COLUMN].to_numpy()
        known = ~np.isnan(truth)
        ceiling = oracle_auc(truth[known], y[known])
        auc_known = roc_auc(y[known], scores[known])
        result |= {
            "oracle_auc": _finite(ceiling),
            "auc_ratio": _finite(auc_known / ceiling) if ceiling and math.isfinite(ceiling) else None,
            "n_oracle": int(known.sum()),
        }
    return result
