"""Analytics assets: what the campaign marts announce once dbt has rebuilt them for the day."""

from datetime import UTC, date, datetime

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy, MaterializeResult, MetadataValue, asset

from orchestration.partitions import daily_partitions
from orchestration.resources import PostgresResource
from outreach.campaigns.performance import publish_campaign_performance

CAMPAIGN_PERFORMANCE_MART = AssetKey(["marts", "campaign_performance_daily"])


@asset(
    group_name="analytics",
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    deps=[CAMPAIGN_PERFORMANCE_MART],
    kinds={"python", "postgres"},
    description="One CampaignPerformanceUpdatedEvent per campaign with activity on the day (figures from the "
    "campaign's start to the end of the day, from marts.campaign_performance_daily), queued in the outbox; a re-run "
    "with unchanged figures queues nothing.",
)
def campaign_performance_events(context: AssetExecutionContext, postgres: PostgresResource) -> MaterializeResult:
    now = datetime.now(UTC)
    results = {}
    with postgres.connect() as conn:
        for key in context.partition_keys:  # a single-run backfill announces each of its days
            with conn.transaction():
                results[key] = publish_campaign_performance(conn, date.fromisoformat(key), now)
    rows = [f"| {day} | {r.published} | {r.unchanged} |" for day, r in results.items()]
    table = "\n".join(["| day | published | unchanged |", "|---|---|---|", *rows])
    return MaterializeResult(metadata={
        "dagster/row_count": sum(r.published for r in results.values()),
        "events": MetadataValue.md(table),
    })


analytics_assets = [campaign_performance_events]
