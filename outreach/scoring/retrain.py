"""The weekly retrain: label our history, train the candidate, register it, and let the promotion gate decide.

Two steps, so the orchestration can show them apart (the retrain asset, then its promotion-gate asset check):

1. `train_and_register(conn, as_of)` - the labelled first contacts as of `as_of` (`training_data`); below the
   cold-start minimum (`ml.labels.MIN_LABELS` examples, `MIN_POSITIVES` conversions) nothing is trained and the
   heuristic keeps scoring; otherwise `ml.training.run_training` (time-based split, the latest quarter is the
   holdout; calibrated gradient boosting against the logistic baseline and the heuristic) and the candidate is
   saved in the registry with its holdout start, label horizon and the comparison in its parameters.
2. `decide(conn, retrained)` - `ml.training.promotion_gate` judges the candidate against what scores today (the
   production model re-scored on the same holdout, else the heuristic) and the registry promotes or rejects it.

The candidate's version and training time are the retrain's `as_of`, not the wall clock, so a backfilled or
simulated week gives the same versions on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from ml.labels import MIN_LABELS, MIN_POSITIVES, enough_labels
from ml.registry import PromotionDecision
from ml.training import TrainingDataError, TrainingRun, promotion_gate, run_training
from outreach.scoring import registry_store
from outreach.scoring.training_data import LABEL_HORIZON, load_labelled

COMPARISON_METRICS = ("roc_auc", "pr_auc", "brier", "ece", "lift_top_decile", "n", "positives")


@dataclass(frozen=True)
class Retrained:
    """What a retrain found and did: `run` is None for a cold start (`reason` says why)."""

    as_of: datetime
    n_labels: int
    n_positives: int
    run: TrainingRun | None = None
    reason: str = ""

    @property
    def candidate_version(self) -> str | None:
        return self.run.candidate.version if self.run else None


@dataclass(frozen=True)
class Decision:
    gate: PromotionDecision
    production_before: str | None
    production_after: str | None


def comparison_summary(run: TrainingRun) -> dict[str, dict[str, float]]:
    """Per scorer (candidate, baseline, heuristic) its main holdout metrics."""
    table = run.comparison.metrics
    return {str(name): {m: float(table.loc[name, m]) for m in COMPARISON_METRICS} for name in table.index}


def train_and_register(conn: psycopg.Connection, as_of: datetime) -> Retrained:
    """Step 1 (module docstring)."""
    labelled = load_labelled(conn, as_of)
    n, positives = labelled.n_labels, labelled.n_positives
    if not enough_labels(n, positives):
        return Retrained(as_of, n, positives, reason=f"cold start: {n} labelled first contacts with {positives} "
                         f"conversions, below the minimum of {MIN_LABELS} with {MIN_POSITIVES}")
    try:
        run = run_training(labelled.examples, trained_at=as_of)
    except TrainingDataError as exc:
        return Retrained(as_of, n, positives, reason=f"not trainable: {exc}")
    extra: dict[str, Any] = {
        "holdout_start": run.holdout_start.isoformat(),
        "label_horizon_days": LABEL_HORIZON.days,
        "retrained_as_of": as_of.isoformat(),
        "train_rows": run.train_rows,
        "holdout_rows": run.holdout_rows,
        "comparison": comparison_summary(run),
    }
    run.candidate.params = {**run.candidate.params, **extra}
    registry_store.save_candidate(conn, run.candidate)
    conn.commit()
    return Retrained(as_of, n, positives, run=run)


def decide(
    conn: psycopg.Connection, retrained: Retrained, tolerance: float | dict[str, float] | None = None
) -> Decision:
    """Step 2 (module docstring); the candidate must be saved (`train_and_register`). A candidate decided before
    (the same week retrained again) keeps its status: the decision is reported, not applied twice."""
    if retrained.run is None:
        raise ValueError("nothing to decide: the retrain trained no candidate")
    version = retrained.run.candidate.version
    before = registry_store.production_version(conn)
    entry = registry_store.get_entry(conn, version)
    if entry is not None and entry.status != "candidate":
        earlier = entry.decision or {}
        return Decision(PromotionDecision(bool(earlier.get("promote")), tuple(earlier.get("reasons", ()))), before,
                        before)
    gate = promotion_gate(retrained.run, registry_store.load_production(conn), tolerance)
    registry_store.apply_decision(conn, version, gate, at=retrained.as_of)
    conn.commit()
    return Decision(gate, before, registry_store.production_version(conn))
