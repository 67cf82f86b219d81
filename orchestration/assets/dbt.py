"""The dbt models as Dagster assets: staging -> intermediate -> marts, built for one daily partition per run.

Every pipeline asset shares `daily_partitions`, so one run materializes the whole graph for a day; a backfill of
many days runs dbt once (`BackfillPolicy.single_run()`) with the window passed as `--vars`. dbt tests surface as
asset checks on the models they test; a test of severity `error` (the default; `dbt_project.yml` lowers the
analyst-only prospects mart to `warn`) is a *blocking* check, so a broken demand mart stops scoring and the
outreach batches, and a broken campaign mart stops the CampaignPerformanceUpdatedEvent.

dbt sources resolve to the assets that write them: `raw.<table>` to the ingest asset `raw/<table>`, and an `app`
table to the Dagster asset that writes it (`APP_TABLE_PRODUCERS`; tables only event handlers write stay
`app/<table>`), so the graph is joined end to end. The models come as two multi-assets because the day's order
is demand mart -> scores -> outreach batches -> campaign marts: `outreach_dbt_assets` builds everything that
reads only `raw` (the demand mart that scoring reads), `app_dbt_assets` everything downstream of an `app` table
(the prospects and campaign marts that read what the batches wrote). One multi-asset would be both upstream and
downstream of the batches.

No `from __future__ import annotations` here: Dagster validates the `context` annotation at definition time and
rejects it as a string.
"""

import json
import os
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.assets.outreach import outreach_batches
from orchestration.assets.prospects import GOLDEN
from orchestration.assets.scoring import prospect_scores
from orchestration.dbt_project import dbt_env, dbt_project, ensure_manifest
from orchestration.partitions import daily_partitions
from outreach.settings import environment_overrides

RAW_KEY_PREFIX = "raw"
"""Asset key prefix of the ingest assets: source table `raw.<table>` is asset `raw/<table>`."""
APP_KEY_PREFIX = "app"
"""Asset key prefix of `app` tables no asset writes (only event handlers): `app.<table>` is `app/<table>`."""
APP_TABLE_PRODUCERS: Mapping[str, AssetKey] = {
    "prospects": GOLDEN,
    "prospect_scores": prospect_scores.key,
    # the batches seed the campaigns, write the messages (whose trigger appends the status history) and the
    # personalization's model usage
    "campaigns": outreach_batches.key,
    "outreach_messages": outreach_batches.key,
    "outreach_message_status_changes": outreach_batches.key,
    "llm_usage": outreach_batches.key,
}
"""The Dagster asset that writes each `app` table a dbt model reads."""
APP_MODELS = "source:app+"
"""dbt selection of the models downstream of an `app` table: the `app_dbt_assets`."""


class OutreachDbtTranslator(DagsterDbtTranslator):
    """Maps dbt nodes to this platform's asset keys and groups.

    Sources become the asset that writes them: `raw/<table>` (the ingest assets), or for `app` tables the
    producer of `APP_TABLE_PRODUCERS` (else `app/<table>`). Models keep dagster-dbt's default key,
    `<schema>/<model>` (e.g. `staging/stg_social__potential_contractors`, `marts/<mart>`), i.e. where the relation
    lives, and are grouped by their folder: `staging`, `intermediate`, `marts_<area>` (e.g. `marts_prospects`).
    """

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            table = dbt_resource_props["name"]
            if dbt_resource_props["source_name"] == APP_KEY_PREFIX:
                return APP_TABLE_PRODUCERS.get(table, AssetKey([APP_KEY_PREFIX, table]))
            return AssetKey([RAW_KEY_PREFIX, table])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return group_from_fqn(dbt_resource_props["fqn"])


def group_from_fqn(fqn: list[str]) -> str:
    """Group from a node's folder path (`fqn` = project, folders..., name): `marts/<area>` gives `marts_<area>`."""
    folders = fqn[1:-1]
    if not folders:
        return "dbt"
    if folders[0] == "marts" and len(folders) > 1:
        return f"marts_{folders[1]}"
    return folders[0]


def partition_vars(start: datetime, end: datetime) -> dict[str, str]:
    """dbt `--vars` for a partition window [start, end): `start_date` inclusive, `end_date` exclusive, and
    `partition_date` the window's last day (the day itself for a one-partition run)."""
    return {
        "partition_date": (end - timedelta(days=1)).date().isoformat(),
        "start_date": start.date().isoformat(),
        "end_date": end.date().isoformat(),
    }


def _dbt_build(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """`dbt build` (models, then their tests as asset checks) of the selected models for the run's window."""
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        raise RuntimeError("DATABASE_URL is not set: dbt needs it to reach Postgres.")
    window = context.partition_time_window
    dbt_vars = partition_vars(window.start, window.end)
    context.log.info("dbt build for %s", dbt_vars)
    with environment_overrides(dbt_env(database_url)):
        yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context).stream()


_DBT_ASSETS_OPTIONS: dict[str, Any] = {
    "manifest": ensure_manifest(),
    "project": dbt_project,
    # several `app` tables come from one asset (the batches write messages, campaigns and model usage)
    "dagster_dbt_translator": OutreachDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_duplicate_source_asset_keys=True),
    ),
    "partitions_def": daily_partitions,
    "backfill_policy": BackfillPolicy.single_run(),
}


@dbt_assets(exclude=APP_MODELS, **_DBT_ASSETS_OPTIONS)
def outreach_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """The models on `raw` only: staging of the domains' analytics, the demand intermediate models and mart."""
    yield from _dbt_build(context, dbt)


@dbt_assets(select=APP_MODELS, **_DBT_ASSETS_OPTIONS)
def app_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """The models downstream of `app` tables: their staging, the prospects mart and the campaign marts."""
    yield from _dbt_build(context, dbt)


dbt_assets_definitions = [outreach_dbt_assets, app_dbt_assets]
