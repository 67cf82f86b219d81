"""Outreach assets: the day's personalized batches of every active campaign, delivered to Messaging."""

from datetime import date

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from orchestration.assets.scoring import prospect_scores
from orchestration.partitions import daily_partitions
from orchestration.resources import InstaBidsResource, PiiResource, PostgresResource
from outreach.campaigns.daily import run_all_campaigns
from outreach.privacy.crypto import load_blind_indexer
from outreach.settings import Settings


@asset(
    group_name="outreach",
    partitions_def=daily_partitions,
    deps=[prospect_scores],
    kinds={"python", "postgres"},
    description="One batch per active campaign for the day (clock = partition date + the campaign's send time): "
    "eligible prospects by score × supply gap, personalized, sent once per idempotency key.",
)
def outreach_batches(context: AssetExecutionContext, postgres: PostgresResource, instabids: InstaBidsResource,
                     pii: PiiResource) -> MaterializeResult:
    day = date.fromisoformat(context.partition_key)
    with postgres.connect() as conn:
        results = run_all_campaigns(conn, instabids.clients, day, pii.cipher(),
                                    load_blind_indexer(Settings().state_dir))
    rows = [f"| {cid} | {r.planned} | {r.sent} | {sum(r.rejected.values())} | {r.deferred} |"
            for cid, r in results.items()]
    table = "\n".join(["| campaign | planned | sent | rejected | deferred |", "|---|---|---|---|---|", *rows])
    return MaterializeResult(metadata={
        "dagster/row_count": sum(r.sent for r in results.values()),
        "campaigns": len(results),
        "batches": MetadataValue.md(table),
    })


outreach_assets = [outreach_batches]
