"""The marts, checked from the parsed dbt manifest alone (no Postgres).

Every mart is a public table other parts of the platform read: its contract is enforced, every column is typed
and described, the demand mart is built incrementally by partition window, its supply-gap index is unit-tested,
and the scorer, the outreach batches and the inbound API are declared as exposures on it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from orchestration.dbt_project import ensure_manifest

PROJECT = "instabids_outreach"
DEMAND_MART = f"model.{PROJECT}.specialty_region_demand_daily"
DEMAND_KEY = "specialty_region_day_id"
EXPOSURE_OWNER = "outreach-data@instabids.example"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads(ensure_manifest().read_text())


def marts(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        node for node in manifest["nodes"].values() if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    ]


def generic_tests_on(manifest: dict[str, Any], model_id: str) -> set[tuple[str, str | None]]:
    return {
        (node["test_metadata"]["name"], node.get("column_name"))
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("attached_node") == model_id and "test_metadata" in node
    }


def test_the_demand_mart_is_in_marts_demand(manifest: dict[str, Any]) -> None:
    mart = manifest["nodes"][DEMAND_MART]
    assert mart["original_file_path"] == "models/marts/demand/specialty_region_demand_daily.sql"
    assert mart["schema"] == "marts"


def test_every_mart_has_an_enforced_contract(manifest: dict[str, Any]) -> None:
    assert marts(manifest), "no mart parsed"
    unenforced = [mart["name"] for mart in marts(manifest) if not mart["config"]["contract"]["enforced"]]
    assert unenforced == []


def test_every_mart_column_has_a_description_and_a_data_type(manifest: dict[str, Any]) -> None:
    incomplete = [
        f"{mart['name']}.{name}"
        for mart in marts(manifest)
        for name, column in mart["columns"].items()
        if not (column["description"] or "").strip() or not column["data_type"]
    ]
    assert incomplete == []
    assert all(mart["columns"] for mart in marts(manifest))


def test_the_demand_mart_replaces_whole_days_of_the_partition_window(manifest: dict[str, Any]) -> None:
    config = manifest["nodes"][DEMAND_MART]["config"]
    assert config["materialized"] == "incremental"
    assert config["incremental_strategy"] == "delete+insert"
    assert config["unique_key"] == ["partition_date"]
    assert any("delete_partition_window" in hook["sql"] for hook in config["pre-hook"])
    assert "partition_window_filter" in manifest["nodes"][DEMAND_MART]["raw_code"]


def test_the_demand_mart_key_is_tested_unique_not_null_and_traced_to_the_intermediate_model(
    manifest: dict[str, Any],
) -> None:
    tested = generic_tests_on(manifest, DEMAND_MART)
    assert {("unique", DEMAND_KEY), ("not_null", DEMAND_KEY), ("relationships", DEMAND_KEY)} <= tested
    assert {("not_null", column) for column in ("partition_date", "specialty", "region")} <= tested


def test_the_demand_mart_has_the_documented_measures(manifest: dict[str, Any]) -> None:
    columns = manifest["nodes"][DEMAND_MART]["columns"]
    expected = {
        "projects_created",
        "open_projects",
        "avg_bids_per_project",
        "demand_index",
        "unfulfilled_projects",
        "active_contractors",
        "coverage_ratio",
        "contractors_needed",
        "gap_severity",
        "avg_project_value_cents",
        "median_project_value_cents",
        "payment_volume_prev_month_cents",
        "supply_gap_index",
        "opportunity_value_cents",
    }
    assert expected <= set(columns)
    assert columns["supply_gap_index"]["data_type"] == "double precision"
    assert columns["opportunity_value_cents"]["data_type"] == "bigint"


def test_the_supply_gap_index_is_unit_tested(manifest: dict[str, Any]) -> None:
    unit_tests = [test for test in manifest["unit_tests"].values() if test["model"] == "specialty_region_demand_daily"]
    assert unit_tests, "no unit test on the demand mart"
    expected_columns = {column for test in unit_tests for row in test["expect"]["rows"] for column in row}
    assert {"supply_gap_index", "opportunity_value_cents"} <= expected_columns


@pytest.mark.parametrize(
    ("name", "kind"),
    [("prospect_scorer", "ml"), ("outreach_batches", "application"), ("ai_outreach_api", "application")],
)
def test_the_consumers_of_the_demand_mart_are_exposures(manifest: dict[str, Any], name: str, kind: str) -> None:
    exposure = manifest["exposures"][f"exposure.{PROJECT}.{name}"]
    assert exposure["type"] == kind
    assert exposure["owner"]["email"] == EXPOSURE_OWNER
    assert DEMAND_MART in exposure["depends_on"]["nodes"]
