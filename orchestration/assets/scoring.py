"""Scoring assets: the day's prospect scores from the production model, or the heuristic before there is one."""

from datetime import UTC, date, datetime, time

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy, MaterializeResult, asset

from orchestration.assets.prospects import GOLDEN
from orchestration.partitions import daily_partitions
from orchestration.resources import PostgresResource
from outreach.scoring.daily import score_prospects

DEMAND_MART = AssetKey(["marts", "specialty_region_demand_daily"])


@asset(
    group_name="scoring",
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    deps=[GOLDEN, DEMAND_MART],
    kinds={"scikitlearn", "postgres"},
    description="Calibrated conversion probability per scorable prospect (app.prospect_scores), with top factors "
    "and ProspectScoredEvents; the cold-start heuristic (supply gap × profile quality) until a model is promoted.",
)
def prospect_scores(context: AssetExecutionContext, postgres: PostgresResource) -> MaterializeResult:
    day = date.fromisoformat(context.partition_keys[-1])
    as_of = min(datetime.combine(day, time(23, 59, 59), UTC), datetime.now(UTC)).replace(microsecond=0)
    with postgres.connect() as conn:
        result = score_prospects(conn, day, as_of)
    return MaterializeResult(metadata={"dagster/row_count": result.scored, "events": result.events,
                                       "model_version": result.model_version})


scoring_assets = [prospect_scores]
