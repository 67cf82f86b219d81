"""Training: the candidate (calibrated gradient boosting), the baseline (logistic regression), one training run.

**Candidate** - `HistGradientBoostingClassifier` with balanced class weights (conversions are rare: each class
then weighs the same in the loss, so the trees split on what separates converters instead of predicting "no"
everywhere), wrapped in `CalibratedClassifierCV`, which maps its (re-weighted, hence biased) scores back to
probabilities:

1. the training examples, in time order, are cut into the earlier `1 - CALIBRATION_FRACTION` (fit the trees,
   with early stopping on a seeded 15 % of them) and the latest `CALIBRATION_FRACTION` (calibrate): the calibrator
   learns the most recent base rate, and never sees rows the trees were fitted on;
2. the calibration method is chosen on that latest slice: `CALIBRATION_FOLDS`-fold cross-fitting of a sigmoid
   (Platt) and an isotonic calibrator on the frozen trees' scores; the lower held-out Brier score wins, a tie goes
   to the sigmoid (two parameters, smoother); isotonic usually wins only with many conversions;
3. the chosen calibrator is fitted on the whole slice.

**Baseline** - standardized features into a `LogisticRegression` (L2, its strength C chosen from
`BASELINE_C_GRID` on the latest slice of the training examples, see below) with balanced class weights; the
intercept is then shifted by `-log(negatives / positives)`, which undoes the weights' shift of the base rate
(prior correction), so the baseline is a probability too. Transparent: one weight per feature.

**The candidate** of a run (`run_training`) is whichever of the two ranks the latest slice of the training examples
better (`selection_auc`, both fitted on the earlier slice; never judged on the holdout): on a few thousand labels of
the sandbox's near-linear propensity the logistic model wins, where effects interact the trees do.

Everything is seeded (`SEED`): the same examples give the same models, scores and version.

Why these tree settings: conversions are noisy draws from smooth propensities, so small trees (8 leaves, 100
examples a leaf), a slow learning rate and strong L2 with early stopping generalize best; on the synthetic worlds
of the tests (10k training examples) they beat 15-leaf trees at 0.08 by ~0.007 ROC AUC, and refitting the trees on
all the data with cross-fitted calibration gained only ~0.002 for 3-4x the training time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ml.evaluation import Comparison, brier, compare, evaluate, roc_auc
from ml.explain import binned_dependence_explainer, linear_explainer, logit
from ml.features import FEATURE_COLUMNS, build_features, feature_matrix
from ml.heuristic import HEURISTIC
from ml.labels import NotEnoughLabels, enough_labels, label_counts, time_split
from ml.registry import ModelArtifact, PromotionDecision, library_versions, should_promote

SEED: Final = 20251124

CANDIDATE_PARAMS: Final[dict[str, Any]] = {
    "learning_rate": 0.05,
    "max_iter": 500,
    "max_leaf_nodes": 8,
    "min_samples_leaf": 100,
    "l2_regularization": 5.0,
    "early_stopping": True,
    "validation_fraction": 0.15,
    "n_iter_no_change": 20,
    "class_weight": "balanced",
}
BASELINE_PARAMS: Final[dict[str, Any]] = {"C": 1.0, "max_iter": 2000, "class_weight": "balanced"}
BASELINE_C_GRID: Final = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
"""L2 strengths `run_training` chooses the baseline's from (`choose_regularization`): with a few thousand labels
and 35 partly redundant features, stronger regularization than C=1 usually ranks new contacts better."""

CALIBRATION_FRACTION: Final = 0.2
CALIBRATION_FOLDS: Final = 5
CALIBRATION_METHODS: Final = ("sigmoid", "isotonic")

CANDIDATE_KIND: Final = "gbm"
BASELINE_KIND: Final = "logistic"


class TrainingDataError(ValueError):
    """The training examples cannot produce a model (one class only, too few rows in a slice)."""


def _time_ordered(train: pd.DataFrame, time_column: str | None) -> pd.DataFrame:
    if time_column and time_column in train.columns:
        return train.sort_values(time_column, kind="mergesort")
    return train


def _xy(train: pd.DataFrame, label_column: str) -> tuple[np.ndarray, np.ndarray]:
    X = feature_matrix(train)
    y = train[label_column].to_numpy(dtype=np.int64)
    if not (0 < y.sum() < y.size):
        raise TrainingDataError("training examples need both converted and unconverted prospects")
    return X, y


def _fingerprint(X: np.ndarray, y: np.ndarray, params: dict[str, Any], seed: int) -> str:
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(X).tobytes())
    digest.update(np.ascontiguousarray(y).tobytes())
    digest.update(json.dumps(params, sort_keys=True, default=str).encode())
    digest.update(str(seed).encode())
    digest.update(",".join(FEATURE_COLUMNS).encode())
    return digest.hexdigest()


def make_version(kind: str, trained_at: datetime, fingerprint: str) -> str:
    """`<kind>-<UTC time>-<8 hex of the data+params fingerprint>`, e.g. `gbm-20251124T060000Z-1a2b3c4d`."""
    return f"{kind}-{trained_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{fingerprint[:8]}"


def _window(train: pd.DataFrame, time_column: str | None) -> tuple[datetime, datetime] | None:
    if not time_column or time_column not in train.columns or not len(train):
        return None
    times = pd.to_datetime(train[time_column], utc=True)
    return times.min().floor("us").to_pydatetime(), times.max().floor("us").to_pydatetime()


def choose_calibration(scores: np.ndarray, y: np.ndarray, seed: int) -> tuple[str, dict[str, float]]:
    """The calibration method with the lower cross-fitted Brier on the frozen model's `scores` (decision values);
    a tie goes to the sigmoid. The sigmoid is a logistic regression on the score (Platt), the isotonic an
    `IsotonicRegression` clipped to the fitted range - what `CalibratedClassifierCV` fits for each method."""
    folds = min(CALIBRATION_FOLDS, int(y.sum()), int(y.size - y.sum()))
    if folds < 2:
        return "sigmoid", {}
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    column = scores.reshape(-1, 1)
    held_out = {method: np.empty(y.size) for method in CALIBRATION_METHODS}
    for fit_idx, test_idx in splitter.split(column, y):
        platt = LogisticRegression(C=1e6, max_iter=1000).fit(column[fit_idx], y[fit_idx])
        held_out["sigmoid"][test_idx] = platt.predict_proba(column[test_idx])[:, 1]
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores[fit_idx], y[fit_idx])
        held_out["isotonic"][test_idx] = iso.predict(scores[test_idx])
    briers = {method: brier(y, p) for method, p in held_out.items()}
    return ("isotonic" if briers["isotonic"] < briers["sigmoid"] else "sigmoid"), briers


def train_candidate(
    train: pd.DataFrame,
    *,
    label_column: str = "label",
    time_column: str | None = "contacted_at",
    seed: int = SEED,
    calibration: str = "auto",
    params: dict[str, Any] | None = None,
    trained_at: datetime | None = None,
) -> ModelArtifact:
    """The calibrated gradient-boosting candidate (module docstring), as an artifact with its explainer.

    `train` holds `FEATURE_COLUMNS`, `label_column` and, to order the rows in time, `time_column` (without it the
    row order is taken as time order). `calibration`: "auto" (chosen on the latest slice), "sigmoid" or "isotonic".
    """
    ordered = _time_ordered(train, time_column)
    X, y = _xy(ordered, label_column)
    cut = round(len(y) * (1.0 - CALIBRATION_FRACTION))
    X_fit, y_fit, X_cal, y_cal = X[:cut], y[:cut], X[cut:], y[cut:]
    if not (0 < y_fit.sum() < y_fit.size) or not (0 < y_cal.sum() < y_cal.size):
        raise TrainingDataError("both the fitting and the calibration slice need both classes")
    settings = {**CANDIDATE_PARAMS, **(params or {})}
    trees = HistGradientBoostingClassifier(**settings, random_state=seed).fit(X_fit, y_fit)
    if calibration == "auto":
        method, selection = choose_calibration(trees.decision_function(X_cal), y_cal, seed)
    elif calibration in CALIBRATION_METHODS:
        method, selection = calibration, {}
    else:
        raise ValueError(f"unknown calibration {calibration!r}")
    calibrated = CalibratedClassifierCV(FrozenEstimator(trees), method=method).fit(X_cal, y_cal)
    pipeline = Pipeline([("calibrated_gbm", calibrated)])
    explainer = binned_dependence_explainer(
        lambda M: logit(pipeline.predict_proba(M)[:, 1]), X_fit, FEATURE_COLUMNS, seed=seed
    )
    record = {**settings, "calibration": method, "calibration_fraction": CALIBRATION_FRACTION}
    return _artifact(
        CANDIDATE_KIND, pipeline, explainer, ordered, time_column, X, y, record, seed, trained_at,
        {"n_iter": int(trees.n_iter_), "calibration_brier": selection,
         "selection_auc": roc_auc(y_cal, trees.decision_function(X_cal)),
         "explainer": "binned partial dependence (log-odds)"},
    )


def train_baseline(
    train: pd.DataFrame,
    *,
    label_column: str = "label",
    time_column: str | None = "contacted_at",
    seed: int = SEED,
    params: dict[str, Any] | None = None,
    trained_at: datetime | None = None,
) -> ModelArtifact:
    """The transparent logistic-regression baseline (module docstring), as an artifact with its explainer."""
    ordered = _time_ordered(train, time_column)
    X, y = _xy(ordered, label_column)
    settings = {**BASELINE_PARAMS, **(params or {})}
    pipeline = Pipeline(
        [("scale", StandardScaler()), ("logistic", LogisticRegression(**settings, random_state=seed))]
    ).fit(X, y)
    scaler, model = pipeline.named_steps["scale"], pipeline.named_steps["logistic"]
    positives = float(y.sum())
    shift = 0.0
    if settings.get("class_weight") == "balanced":
        shift = float(np.log((y.size - positives) / positives))
        model.intercept_ = model.intercept_ - shift
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    explainer = linear_explainer(FEATURE_COLUMNS, model.coef_[0] / scale, scaler.mean_)
    return _artifact(
        BASELINE_KIND, pipeline, explainer, ordered, time_column, X, y, settings, seed, trained_at,
        {"prior_correction": shift,
         "weights": dict(zip(FEATURE_COLUMNS, np.round(model.coef_[0] / scale, 6).tolist(), strict=True)),
         "explainer": "coefficient x centered value (log-odds)"},
    )


def _artifact(kind: str, pipeline: Pipeline, explainer: Any, ordered: pd.DataFrame, time_column: str | None,
              X: np.ndarray, y: np.ndarray, settings: dict[str, Any], seed: int, trained_at: datetime | None,
              details: dict[str, Any]) -> ModelArtifact:
    """The artifact of a fitted pipeline: its version is a fingerprint of data, settings and seed; `details`
    (what the kind of model adds) go into its params after the settings and the seed."""
    at = trained_at or datetime.now(UTC)
    return ModelArtifact(
        pipeline=pipeline,
        feature_columns=FEATURE_COLUMNS,
        explainer=explainer,
        version=make_version(kind, at, _fingerprint(X, y, settings, seed)),
        kind=kind,
        trained_at=at,
        training_window=_window(ordered, time_column),
        params={**settings, "seed": seed, **details},
        n_labels=int(y.size),
        n_positives=int(y.sum()),
        library_versions=library_versions(),
    )


def build_training_frame(
    prospects: pd.DataFrame,
    demand: pd.DataFrame,
    history: pd.DataFrame | None,
    labels: pd.DataFrame,
) -> pd.DataFrame:
    """Labels (from `ml.labels`) joined with the features of their prospects at their `as_of`.

    The features come from `build_features`, the function scoring uses, called once per distinct `as_of` on the
    labelled prospects. A label whose prospect is not in `prospects` (deleted since) is dropped. Extra columns of
    `labels` (e.g. a `true_propensity` in tests) are kept. Rows in `contacted_at`, `prospect_id` order.
    """
    ids = pd.Index(prospects["prospect_id"].astype(str).to_numpy(dtype=object))
    frames = []
    for as_of, group in labels.assign(prospect_id=labels["prospect_id"].astype(str)).groupby("as_of", sort=True):
        subset = prospects[ids.isin(group["prospect_id"].to_numpy(dtype=object))]
        features = build_features(subset, demand, history, as_of)
        frames.append(group.merge(features, on="prospect_id", how="inner", validate="one_to_one"))
    if not frames:
        return pd.DataFrame(columns=[*labels.columns, *FEATURE_COLUMNS])
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["contacted_at", "prospect_id"], kind="mergesort").reset_index(drop=True)


@dataclass
class TrainingRun:
    """A weekly retrain's result: the candidate and baseline (metrics filled in from the holdout) and the
    comparison with the heuristic on that holdout."""

    candidate: ModelArtifact
    baseline: ModelArtifact
    comparison: Comparison
    train_rows: int
    holdout_rows: int
    holdout_start: pd.Timestamp
    holdout: pd.DataFrame


def choose_regularization(
    train: pd.DataFrame, *, time_column: str | None = "contacted_at", seed: int = SEED
) -> tuple[float, dict[float, float]]:
    """The baseline's L2 strength: the `BASELINE_C_GRID` value whose model, fitted on the earlier
    `1 - CALIBRATION_FRACTION` of the training examples, ranks the latest `CALIBRATION_FRACTION` best (the slices
    on which the candidate's trees are fitted and judged); a tie goes to the stronger regularization. Returns the
    chosen C and the ROC AUC of every C on that slice."""
    ordered = _time_ordered(train, time_column)
    cut = round(len(ordered) * (1.0 - CALIBRATION_FRACTION))
    earlier, latest = ordered.iloc[:cut], ordered.iloc[cut:]
    y_latest, X_latest = latest["label"].to_numpy(), feature_matrix(latest)
    aucs = {
        c: roc_auc(y_latest, train_baseline(earlier, time_column=time_column, seed=seed, params={"C": c})
                   .predict_proba(X_latest))
        for c in BASELINE_C_GRID
    }
    best = max(BASELINE_C_GRID, key=lambda c: (aucs[c], -c))
    return best, aucs


def run_training(
    labelled: pd.DataFrame,
    *,
    holdout_start: datetime | pd.Timestamp | None = None,
    holdout_fraction: float = 0.25,
    embargo: timedelta = timedelta(0),
    time_column: str = "contacted_at",
    seed: int = SEED,
    trained_at: datetime | None = None,
    candidate: str = "auto",
) -> TrainingRun:
    """Cold-start check, time split, gradient boosting + baseline, the candidate, comparison with the heuristic.

    `labelled` is `build_training_frame`'s output. Raises `NotEnoughLabels` below `MIN_LABELS` examples or
    `MIN_POSITIVES` conversions (counted over all of `labelled`).

    `candidate`: "gbm", "logistic", or "auto" - the family that ranks the latest slice of the *training* examples
    better (`selection_auc` of each: both fitted on the earlier slice; a tie goes to the trees). Never chosen on
    the holdout, which stays untouched for the comparison and the promotion gate. With few labels or a propensity
    that is close to linear in its features - the sandbox's - the logistic model usually wins; where effects
    interact, the trees. The comparison shows the candidate, the baseline, the heuristic and, when the logistic
    model is the candidate, the trees as `gbm`.
    """
    n, positives = label_counts(labelled)
    if not enough_labels(n, positives):
        raise NotEnoughLabels(f"{n} labelled prospects with {positives} conversions: below the cold-start minimum")
    if candidate not in ("auto", CANDIDATE_KIND, BASELINE_KIND):
        raise ValueError(f"unknown candidate {candidate!r}")
    train, holdout = time_split(
        labelled, holdout_start=holdout_start, holdout_fraction=holdout_fraction, time_column=time_column,
        embargo=embargo,
    )
    if not (0 < holdout["label"].sum() < len(holdout)):
        raise TrainingDataError("the holdout needs both converted and unconverted prospects")
    at = trained_at or datetime.now(UTC)
    trees = train_candidate(train, time_column=time_column, seed=seed, trained_at=at)
    strength, strengths = choose_regularization(train, time_column=time_column, seed=seed)
    baseline = train_baseline(train, time_column=time_column, seed=seed, trained_at=at, params={"C": strength})
    baseline.params = {**baseline.params, "selection_auc_by_C": {str(c): a for c, a in strengths.items()}}
    chosen = trees
    if candidate != CANDIDATE_KIND:
        selection = {CANDIDATE_KIND: trees.params["selection_auc"], BASELINE_KIND: strengths[strength]}
        if candidate == BASELINE_KIND or selection[BASELINE_KIND] > selection[CANDIDATE_KIND]:
            chosen = baseline
        chosen.params = {**chosen.params, "selection_auc": selection, "chosen_over": [
            kind for kind in selection if kind != chosen.kind]}
    scorers = {"candidate": chosen, "baseline": baseline, "heuristic": HEURISTIC}
    if chosen is baseline:
        scorers["gbm"] = trees
    comparison = compare(scorers, holdout)
    chosen.metrics = comparison.metrics_of("candidate")
    if chosen is not baseline:
        baseline.metrics = comparison.metrics_of("baseline")
    start = pd.to_datetime(holdout[time_column], utc=True).min()
    return TrainingRun(chosen, baseline, comparison, len(train), len(holdout), start, holdout)


def promotion_gate(
    run: TrainingRun,
    production: ModelArtifact | None,
    tolerance: float | dict[str, float] | None = None,
) -> PromotionDecision:
    """The promotion decision for `run.candidate` (`ml.registry.should_promote`) against what scores today.

    The production model is re-scored on the run's holdout, so both are judged on the same examples. Without a
    production model - or one whose feature columns the holdout lacks (trained before a feature change) - the
    candidate is judged against the heuristic's ranking on the holdout.
    """
    if production is not None and set(production.feature_columns) <= set(run.holdout.columns):
        scores = production.predict_proba(feature_matrix(run.holdout, production.feature_columns))
        current = evaluate(run.holdout["label"].to_numpy(), scores)
        return should_promote(run.candidate.metrics, current, tolerance)
    heuristic = run.comparison.metrics_of("heuristic")
    return should_promote(run.candidate.metrics, heuristic, tolerance, production_is_heuristic=True)
