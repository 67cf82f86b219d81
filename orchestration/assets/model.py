"""The weekly retrain: a candidate scoring model in the registry, and the promotion gate as its asset check.

Weekly partitions (weeks starting Monday, UTC) over the daily graph: a week's partition depends on the seven daily
`outreach_batches` partitions whose contacts (and the conversions that followed) it learns from, and is retrained
as of the end of its week (`outreach.scoring.retrain`). The `promotion_gate` check promotes the candidate only if it
does not regress on the holdout against what scores today; a rejected candidate leaves production as it was (the
check then fails with a warning). Below the cold-start minimum no model is trained and the heuristic keeps scoring.
The evaluation (candidate vs logistic baseline vs heuristic) is attached as metadata: a table, the calibration,
gains and score-distribution plots as images in Markdown, and their Vega-Lite specs.
"""

from datetime import UTC, datetime

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    WeeklyPartitionsDefinition,
    asset,
)

from ml.plots import evaluation_plots
from orchestration.assets.outreach import outreach_batches
from orchestration.partitions import PIPELINE_START_DATE
from orchestration.resources import PostgresResource
from outreach.scoring.retrain import decide, train_and_register

MODEL = AssetKey("prospect_scoring_model")
GATE = "promotion_gate"

weekly_partitions = WeeklyPartitionsDefinition(start_date=PIPELINE_START_DATE, day_offset=1, timezone="UTC")
"""Weeks from Monday 00:00 UTC; a week is retrained once it has ended."""


@asset(
    key=MODEL,
    group_name="scoring",
    partitions_def=weekly_partitions,
    deps=[outreach_batches],
    kinds={"scikitlearn", "postgres"},
    description="A candidate conversion model retrained on our labelled first contacts as of the week's end "
    "(calibrated gradient boosting vs logistic baseline vs heuristic, time-based holdout), stored in "
    "app.model_registry; the cold-start heuristic keeps scoring below the minimum of labels.",
    check_specs=[
        AssetCheckSpec(GATE, asset=MODEL, description="Promote the candidate only if it does not regress on the "
                       "holdout against the production model (or the heuristic); otherwise reject it.")
    ],
)
def prospect_scoring_model(context: AssetExecutionContext, postgres: PostgresResource) -> MaterializeResult:
    as_of = min(context.partition_time_window.end, datetime.now(UTC))
    with postgres.connect() as conn:
        retrained = train_and_register(conn, as_of)
        metadata: dict[str, object] = {
            "as_of": as_of.isoformat(),
            "labelled_first_contacts": retrained.n_labels,
            "conversions": retrained.n_positives,
        }
        if retrained.run is None:
            context.log.info(retrained.reason)
            check = AssetCheckResult(check_name=GATE, passed=True, description=retrained.reason,
                                     metadata={"promoted": False, "cold_start": True})
            return MaterializeResult(metadata={**metadata, "cold_start": retrained.reason}, check_results=[check])
        decision = decide(conn, retrained)
    run = retrained.run
    metadata |= {
        "model_version": run.candidate.version,
        "train_rows": run.train_rows,
        "holdout_rows": run.holdout_rows,
        "holdout_start": run.holdout_start.isoformat(),
        "comparison": MetadataValue.md(run.comparison.to_markdown()),
        **{f"holdout_{name}": float(run.candidate.metrics[name]) for name in ("roc_auc", "pr_auc", "brier", "ece")},
    }
    for name, plot in evaluation_plots(run.comparison).items():
        metadata[f"{name}_plot"] = MetadataValue.md(plot.markdown)
        metadata[f"{name}_vega_lite"] = MetadataValue.json(plot.vega_lite)
    check = AssetCheckResult(
        check_name=GATE,
        passed=decision.gate.promote,
        severity=AssetCheckSeverity.WARN,
        description="promoted" if decision.gate.promote else "rejected: production unchanged",
        metadata={"promoted": decision.gate.promote, "production_before": decision.production_before or "heuristic",
                  "production_after": decision.production_after or "heuristic",
                  "reasons": MetadataValue.md("\n".join(f"- {r}" for r in decision.gate.reasons))},
    )
    return MaterializeResult(metadata=metadata, check_results=[check])


model_assets = [prospect_scoring_model]
