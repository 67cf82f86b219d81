"""The prospects and campaign marts and their Dagster wiring, checked from the parsed manifest and the definitions
alone (no Postgres): the API's expected columns, no personal data, incremental rebuilds with restatement, unit
tests of the funnel, exposures, the sources mapped to the assets that write them, blocking checks and an acyclic
daily job that orders outreach before the campaign marts."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from dagster import AssetKey, AssetSelection

from integrations.api.queries import CAMPAIGN_PERFORMANCE, CONVERSION_METRICS
from orchestration.assets.analytics import campaign_performance_events
from orchestration.assets.dbt import APP_TABLE_PRODUCERS, OutreachDbtTranslator, app_dbt_assets, outreach_dbt_assets
from orchestration.assets.outreach import outreach_batches
from orchestration.assets.prospects import GOLDEN
from orchestration.assets.scoring import prospect_scores
from orchestration.dbt_project import ensure_manifest
from orchestration.definitions import defs
from orchestration.jobs import DAILY_PIPELINE

PROJECT = "instabids_outreach"
CAMPAIGN_MARTS = ("campaign_performance_daily", "campaign_funnel_daily")
APP_MARTS = (*CAMPAIGN_MARTS, "prospect_conversion_metrics", "prospects")
DEMAND_MART_KEY = AssetKey(["marts", "specialty_region_demand_daily"])
# The shapes `integrations/api/queries.py` documents for the marts it reads.
API_TYPES = {
    "campaign_performance_daily": {
        "campaign_id": "uuid", "campaign_name": "text", "channel": "text",
        "campaign_started_at": "timestamp with time zone", "activity_date": "date", "prospects_targeted": "bigint",
        **dict.fromkeys(("sent", "delivered", "bounced", "opened", "responded", "interested", "opted_out",
                         "converted", "verified", "cost_cents"), "bigint"),
        "currency": "text",
    },
    "prospect_conversion_metrics": {
        "prospect_id": "uuid", "prospect_created_at": "timestamp with time zone", "dimension": "text",
        "group_value": "text", "is_contacted": "boolean", "is_converted": "boolean",
        "days_to_convert": "double precision",
    },
}
PERSONAL = re.compile(r"(_enc|_bidx)$|^(name|email|phone|business_name|contact_name|street|postal_code|"
                      r"license_number|website_domain|email_domain|user_id|recipient_user_id|referred_by_user_id)$")


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads(ensure_manifest().read_text())


def model(manifest: dict[str, Any], name: str) -> dict[str, Any]:
    return manifest["nodes"][f"model.{PROJECT}.{name}"]


@pytest.mark.parametrize("relation", [CAMPAIGN_PERFORMANCE, CONVERSION_METRICS], ids=lambda r: r.table)
def test_the_marts_the_api_reads_have_its_columns_with_its_types(manifest: dict[str, Any], relation) -> None:
    columns = model(manifest, relation.table)["columns"]
    assert relation.schema == "marts"
    assert set(relation.columns) <= set(columns)
    assert {name: columns[name]["data_type"] for name in relation.columns} == API_TYPES[relation.table]


@pytest.mark.parametrize("name", APP_MARTS)
def test_the_app_marts_are_contracted_with_a_tested_primary_key(manifest: dict[str, Any], name: str) -> None:
    mart = model(manifest, name)
    assert mart["config"]["contract"]["enforced"]
    assert mart["original_file_path"].startswith("models/marts/")
    [key] = [c["columns"] for c in mart["constraints"] if c["type"] == "primary_key"]
    tests = {(n["test_metadata"]["name"], n["column_name"]) for n in manifest["nodes"].values()
             if n["resource_type"] == "test" and n.get("attached_node") == mart["unique_id"] and "test_metadata" in n}
    assert {("unique", key[0]), ("not_null", key[0])} <= tests


def test_no_model_on_app_tables_selects_personal_data(manifest: dict[str, Any]) -> None:
    app_models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"
                  and any(dep.startswith(f"source.{PROJECT}.app.") for dep in n["depends_on"]["nodes"])]
    assert len(app_models) >= 9
    for node in app_models:
        assert not [c for c in node["columns"] if PERSONAL.search(c)], node["name"]
        assert not re.search(r"\b\w+_bidx\b", node["raw_code"]), node["name"]
        uses = [node["raw_code"][m.end():] for m in re.finditer(r"\b\w+_enc\b", node["raw_code"])]
        assert all(re.match(r"\s+is not null\b", rest) for rest in uses), node["name"]
    for name in APP_MARTS:
        assert not [c for c in model(manifest, name)["columns"] if PERSONAL.search(c)], name


@pytest.mark.parametrize("name", CAMPAIGN_MARTS)
def test_the_campaign_marts_rebuild_their_window_and_the_restatement_days_before_it(
    manifest: dict[str, Any], name: str
) -> None:
    mart = model(manifest, name)
    config = mart["config"]
    assert (config["materialized"], config["incremental_strategy"], config["unique_key"]) == (
        "incremental", "delete+insert", ["activity_date"])
    assert any("delete_partition_window('activity_date', var('funnel_restatement_days'))" in hook["sql"]
               for hook in config["pre-hook"])
    assert "partition_window_filter('activity_date', var('funnel_restatement_days'))" in mart["raw_code"]


@pytest.mark.parametrize("name", [
    "int_funnel_milestones_aggregated_to_campaign_cells", "int_prospect_responses_attributed_to_messages",
    "int_prospect_conversions_attributed_to_messages", "campaign_performance_daily", "campaign_funnel_daily",
])
def test_the_funnel_logic_is_unit_tested(manifest: dict[str, Any], name: str) -> None:
    assert [t for t in manifest["unit_tests"].values() if t["model"] == name and t["expect"]["rows"]]


@pytest.mark.parametrize(("exposure", "marts"), [
    ("ai_outreach_api", {"campaign_performance_daily", "prospect_conversion_metrics", "specialty_region_demand_daily"}),
    ("outreach_batches", {"specialty_region_demand_daily"}),
    ("prospect_scorer", {"specialty_region_demand_daily"}),
    ("campaign_performance_events", {"campaign_performance_daily"}),
])
def test_the_readers_of_the_marts_are_exposures(manifest: dict[str, Any], exposure: str, marts: set[str]) -> None:
    depends_on = set(manifest["exposures"][f"exposure.{PROJECT}.{exposure}"]["depends_on"]["nodes"])
    assert {f"model.{PROJECT}.{mart}" for mart in marts} <= depends_on


def test_app_sources_map_to_the_assets_that_write_them(manifest: dict[str, Any]) -> None:
    translator = OutreachDbtTranslator()
    keys = {props["name"]: translator.get_asset_key(props) for props in manifest["sources"].values()
            if props["source_name"] == "app"}
    assert keys["outreach_messages"] == keys["campaigns"] == keys["llm_usage"] == outreach_batches.key
    assert keys["prospect_scores"] == prospect_scores.key
    assert keys["prospects"] == GOLDEN
    assert keys["prospect_responses"] == AssetKey(["app", "prospect_responses"])  # written by event handlers only
    assert set(APP_TABLE_PRODUCERS) <= set(keys)


def test_the_models_split_into_a_raw_multi_asset_and_an_app_multi_asset() -> None:
    assert DEMAND_MART_KEY in outreach_dbt_assets.keys
    assert {AssetKey(["marts", name]) for name in APP_MARTS} <= app_dbt_assets.keys
    assert not outreach_dbt_assets.keys & app_dbt_assets.keys
    assert {outreach_batches.key, prospect_scores.key, GOLDEN} <= app_dbt_assets.dependency_keys
    assert not any(key.path[0] == "app" or key == outreach_batches.key for key in outreach_dbt_assets.dependency_keys)


def test_checks_on_marts_that_gate_outreach_or_events_are_blocking_and_analyst_marts_only_warn() -> None:
    def blocking(assets_def, mart: str) -> set[bool]:
        return {spec.blocking for spec in assets_def.check_specs if spec.asset_key == AssetKey(["marts", mart])}

    assert blocking(outreach_dbt_assets, "specialty_region_demand_daily") == {True}
    assert blocking(app_dbt_assets, "campaign_performance_daily") == {True}
    assert blocking(app_dbt_assets, "prospects") == {False}


def test_the_daily_job_orders_demand_scores_outreach_campaign_marts_then_events() -> None:
    graph = defs.resolve_asset_graph()
    upstream_of_events = AssetSelection.assets(campaign_performance_events).upstream().resolve(graph)
    assert {AssetKey(["marts", "campaign_performance_daily"]), outreach_batches.key, prospect_scores.key,
            DEMAND_MART_KEY} <= upstream_of_events
    upstream_of_batches = AssetSelection.assets(outreach_batches).upstream().resolve(graph)
    assert DEMAND_MART_KEY in upstream_of_batches
    assert not {AssetKey(["marts", name]) for name in APP_MARTS} & upstream_of_batches
    job = defs.resolve_job_def(DAILY_PIPELINE)  # raises on a cycle between its steps
    assert {"outreach_dbt_assets", "app_dbt_assets", "campaign_performance_events"} <= set(job.graph.node_names())
