"""Outreach assets: the day's personalized batches of every active campaign, delivered to Messaging."""

from datetime import UTC, date, datetime

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from orchestration.assets.scoring import DEMAND_MART, prospect_scores
from orchestration.partitions import daily_partitions
from orchestration.resources import InstaBidsResource, PiiResource, PostgresResource
from outreach.campaigns.daily import run_all_campaigns
from outreach.campaigns.incentives import sync_incentives
from outreach.privacy.crypto import load_blind_indexer
from outreach.settings import Settings


@asset(
    group_name="outreach",
    partitions_def=daily_partitions,
    deps=[prospect_scores, DEMAND_MART],  # selection reads the demand mart too: its blocking checks gate the batch
    kinds={"python", "postgres"},
    description="One batch per active campaign for the day (clock = partition date + the campaign's send time): "
    "eligible prospects by score × supply gap, personalized, sent once per idempotency key; first, incentives "
    "are re-issued or polled.",
)
def outreach_batches(context: AssetExecutionContext, postgres: PostgresResource, instabids: InstaBidsResource,
                     pii: PiiResource) -> MaterializeResult:
    day = date.fromisoformat(context.partition_key)
    with postgres.connect() as conn:
        # Incentives whose issue call failed are issued again, pending ones polled (their events may have been lost).
        incentives = sync_incentives(conn, instabids.clients.payment, datetime.now(UTC))
        results = run_all_campaigns(conn, instabids.clients, day, pii.cipher(),
                                    load_blind_indexer(Settings().state_dir))
    rows = [f"| {cid} | {r.planned} | {r.sent} | {sum(r.rejected.values())} | {r.deferred} |"
            for cid, r in results.items()]
    table = "\n".join(["| campaign | planned | sent | rejected | deferred |", "|---|---|---|---|---|", *rows])
    return MaterializeResult(metadata={
        "dagster/row_count": sum(r.sent for r in results.values()),
        "campaigns": len(results),
        "batches": MetadataValue.md(table),
        "incentives": MetadataValue.json(vars(incentives)),
    })


outreach_assets = [outreach_batches]
