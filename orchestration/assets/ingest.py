"""Ingest assets: one daily-partitioned asset per analytics/list endpoint of the other domains.

Each lands in `raw.<name>` (asset key `["raw", <name>]`, the key dbt's sources map to), replacing its partition,
and reports row counts, quarantined items and the table schema in its materialization metadata.
"""


from datetime import date

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    asset,
)

from orchestration.partitions import daily_partitions
from orchestration.resources import InstaBidsResource, PiiResource, PostgresResource
from outreach.ingestion.endpoints import ENDPOINTS, EndpointSpec
from outreach.ingestion.ingest import ingest_endpoint

INGEST_GROUP = "ingest"


def _table_schema(spec: EndpointSpec) -> TableSchema:
    columns = [
        TableColumn("partition_date", "date", description="Dagster partition (UTC day) that fetched the row"),
        TableColumn("fetched_at", "timestamptz"),
    ]
    columns += [
        TableColumn(name, column.column_sql_type, description="encrypted contact data" if column.encrypted else None)
        for name, column in zip(spec.column_names, spec.columns, strict=True)
    ]
    columns.append(TableColumn("payload", "jsonb", description="the item as received, minus contact fields"))
    return TableSchema(columns=columns)


def build_ingest_asset(spec: EndpointSpec) -> AssetsDefinition:
    @asset(
        key=AssetKey(["raw", spec.name]),
        group_name=INGEST_GROUP,
        partitions_def=daily_partitions,
        backfill_policy=BackfillPolicy.single_run(),
        description=spec.description,
        kinds={"python", "postgres"},
        metadata={"table": spec.table, "dagster/column_schema": _table_schema(spec), "endpoint": spec.path},
        tags={"domain": spec.domain},
    )
    def _ingest(
        context: AssetExecutionContext,
        postgres: PostgresResource,
        instabids: InstaBidsResource,
        pii: PiiResource,
    ) -> MaterializeResult:
        # A backfill runs once for its whole window (single-run policy): each day is landed on its own.
        cipher = pii.cipher()
        rows = quarantined = pages = 0
        with postgres.connect() as conn:
            for key in context.partition_keys:
                partition_date = date.fromisoformat(key)
                result = ingest_endpoint(conn, spec, partition_date, instabids.fetch_pages, cipher)
                context.log.info(
                    f"{spec.table} {key}: {result.rows} rows, {result.quarantined} quarantined, {result.pages} pages"
                )
                rows, quarantined, pages = rows + result.rows, quarantined + result.quarantined, pages + result.pages
        return MaterializeResult(
            metadata={
                "dagster/row_count": rows,
                "quarantined": quarantined,
                "pages": pages,
                "partitions": MetadataValue.text(", ".join(context.partition_keys)),
            }
        )

    return _ingest


ingest_assets = [build_ingest_asset(spec) for spec in ENDPOINTS]
