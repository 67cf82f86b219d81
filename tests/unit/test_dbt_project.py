"""The dbt project and its Dagster wiring, checked from the manifest alone (no Postgres).

The manifest is the parsed project: if it has a documented, tested staging view and a source for every ingested
endpoint, the SQL layer stays in step with `outreach/ingestion/endpoints.py`.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from dagster import AssetKey, BackfillPolicy

from orchestration.assets.dbt import OutreachDbtTranslator, group_from_fqn, outreach_dbt_assets, partition_vars
from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_env, ensure_manifest
from orchestration.partitions import daily_partitions
from outreach.ingestion.endpoints import ENDPOINTS, EndpointSpec

PROJECT = "instabids_outreach"
CONTRACT_COMMON = Path(__file__).resolve().parents[2] / "integrations/contracts/events/common.schema.json"
CONTACT_COLUMNS = {"payload", "name", "email", "phone", "business_name"}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads(ensure_manifest().read_text())


def staging_model_id(spec: EndpointSpec) -> str:
    return f"model.{PROJECT}.stg_{spec.domain}__{spec.name}"


def source_id(spec: EndpointSpec) -> str:
    return f"source.{PROJECT}.{spec.domain}.{spec.name}"


def models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]


def data_tests_on(manifest: dict[str, Any], model_id: str) -> list[dict[str, Any]]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("attached_node") == model_id
    ]


def landing_columns(spec: EndpointSpec) -> dict[str, str]:
    """The raw table's columns as the landing migration creates them."""
    extracted = {(f"{c.name}_enc" if c.encrypted else c.name): c.column_sql_type for c in spec.columns}
    return {"partition_date": "date", **extracted, "fetched_at": "timestamptz", "payload": "jsonb"}


def selected_columns(sql: str) -> set[str]:
    """Output column names of a staging model's `final` CTE (one `expr as name,` or `name,` per line)."""
    body = sql.split("final as (", 1)[1].split("from source", 1)[0].split("select", 1)[1]
    lines = (line.strip().rstrip(",") for line in body.splitlines())
    return {line.split()[-1] for line in lines if line and not line.startswith("--")}


@pytest.mark.parametrize("spec", ENDPOINTS, ids=lambda spec: spec.name)
def test_every_endpoint_is_a_source_in_schema_raw(manifest: dict[str, Any], spec: EndpointSpec) -> None:
    source = manifest["sources"][source_id(spec)]
    assert source["schema"] == "raw"
    assert source["identifier"] == spec.name
    assert source["original_file_path"] == f"models/staging/{spec.domain}/_{spec.domain}__sources.yml"


@pytest.mark.parametrize("spec", ENDPOINTS, ids=lambda spec: spec.name)
def test_source_columns_are_the_landing_table_columns(manifest: dict[str, Any], spec: EndpointSpec) -> None:
    columns = manifest["sources"][source_id(spec)]["columns"]
    assert {name: column["data_type"] for name, column in columns.items()} == landing_columns(spec)


@pytest.mark.parametrize("spec", ENDPOINTS, ids=lambda spec: spec.name)
def test_every_endpoint_has_a_staging_view_on_its_source(manifest: dict[str, Any], spec: EndpointSpec) -> None:
    model = manifest["nodes"][staging_model_id(spec)]
    assert model["config"]["materialized"] == "view"
    assert model["schema"] == "staging"
    assert model["original_file_path"] == f"models/staging/{spec.domain}/stg_{spec.domain}__{spec.name}.sql"
    assert model["depends_on"]["nodes"] == [source_id(spec)]


@pytest.mark.parametrize("spec", ENDPOINTS, ids=lambda spec: spec.name)
def test_staging_model_documents_exactly_the_columns_it_selects(manifest: dict[str, Any], spec: EndpointSpec) -> None:
    model = manifest["nodes"][staging_model_id(spec)]
    assert selected_columns(model["raw_code"]) == set(model["columns"])


def test_every_model_and_column_is_described(manifest: dict[str, Any]) -> None:
    undocumented = [
        f"{node['name']}.{column}" if column else node["name"]
        for node in [*models(manifest), *manifest["sources"].values()]
        for column, description in [(None, node["description"])]
        + [(name, col["description"]) for name, col in node["columns"].items()]
        if not description.strip()
    ]
    assert undocumented == []


@pytest.mark.parametrize("spec", ENDPOINTS, ids=lambda spec: spec.name)
def test_staging_primary_key_is_an_md5_of_partition_and_endpoint_key_tested_unique_and_not_null(
    manifest: dict[str, Any], spec: EndpointSpec
) -> None:
    model_id = staging_model_id(spec)
    tested = {(t["test_metadata"]["name"], t["column_name"]) for t in data_tests_on(manifest, model_id)}
    keys = {column for kind, column in tested if kind == "unique"}
    assert len(keys) == 1, f"{model_id} needs exactly one unique primary key, has {keys}"
    (key,) = keys
    assert key.endswith("_id")
    assert ("not_null", key) in tested
    key_columns = ", ".join(f"'{column}'" for column in ("partition_date", *spec.key))
    assert f"surrogate_key([{key_columns}]) }}}} as {key}" in manifest["nodes"][model_id]["raw_code"]


def test_specialty_columns_accept_exactly_the_contract_specialties(manifest: dict[str, Any]) -> None:
    contract = set(json.loads(CONTRACT_COMMON.read_text())["$defs"]["Specialty"]["enum"])
    assert len(contract) == 16
    specialty_columns = [
        (model["unique_id"], column)
        for model in models(manifest)
        for column in model["columns"]
        if column in {"specialty", "specialty_hint"}
    ]
    assert specialty_columns
    for model_id, column in specialty_columns:
        accepted = [
            set(t["test_metadata"]["kwargs"]["values"])
            for t in data_tests_on(manifest, model_id)
            if t["test_metadata"]["name"] == "accepted_values" and t["column_name"] == column
        ]
        assert accepted == [contract], f"{model_id}.{column}"


def test_staging_models_hold_no_contact_data(manifest: dict[str, Any]) -> None:
    for model in models(manifest):
        columns = set(model["columns"])
        assert not columns & CONTACT_COLUMNS, model["name"]
        assert not any(column.endswith("_enc") for column in columns), model["name"]
        sql = model["raw_code"]
        assert "payload" not in sql, model["name"]
        # encrypted columns may only be tested for presence
        encrypted_uses = [sql[m.end() :] for m in re.finditer(r"\b\w+_enc\b", sql)]
        assert all(re.match(r"\s+is not null\b", rest) for rest in encrypted_uses), model["name"]


def test_translator_maps_each_source_to_its_raw_ingest_asset(manifest: dict[str, Any]) -> None:
    translator = OutreachDbtTranslator()
    for spec in ENDPOINTS:
        props = manifest["sources"][source_id(spec)]
        assert translator.get_asset_key(props) == AssetKey(["raw", spec.name])


def test_dbt_assets_depend_on_every_raw_ingest_asset() -> None:
    raw_keys = {AssetKey(["raw", spec.name]) for spec in ENDPOINTS}
    assert raw_keys <= set(outreach_dbt_assets.dependency_keys)


def test_staging_assets_are_keyed_by_schema_and_grouped_staging() -> None:
    for spec in ENDPOINTS:
        key = AssetKey(["staging", f"stg_{spec.domain}__{spec.name}"])
        assert key in outreach_dbt_assets.keys
        assert outreach_dbt_assets.group_names_by_key[key] == "staging"


@pytest.mark.parametrize(
    ("fqn", "group"),
    [
        ([PROJECT, "staging", "social", "stg_social__potential_contractors"], "staging"),
        ([PROJECT, "intermediate", "prospects", "int_prospects_scored"], "intermediate"),
        ([PROJECT, "marts", "prospects", "prospects"], "marts_prospects"),
        ([PROJECT, "marts", "campaign_performance"], "marts"),
        ([PROJECT, "loose_model"], "dbt"),
    ],
)
def test_group_comes_from_the_model_folder(fqn: list[str], group: str) -> None:
    assert group_from_fqn(fqn) == group


def test_dbt_tests_surface_as_asset_checks() -> None:
    check_names = {spec.name for spec in outreach_dbt_assets.check_specs}
    assert "unique_stg_social__potential_contractors_potential_contractor_id" in check_names


def test_dbt_assets_are_daily_partitioned_and_backfill_in_one_run() -> None:
    assert outreach_dbt_assets.partitions_def == daily_partitions
    assert outreach_dbt_assets.backfill_policy == BackfillPolicy.single_run()


def test_partition_vars_for_one_day() -> None:
    assert partition_vars(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)) == {
        "partition_date": "2026-03-01",
        "start_date": "2026-03-01",
        "end_date": "2026-03-02",
    }


def test_partition_vars_for_a_backfill_range_end_on_its_last_day() -> None:
    assert partition_vars(datetime(2026, 2, 27, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)) == {
        "partition_date": "2026-03-01",
        "start_date": "2026-02-27",
        "end_date": "2026-03-02",
    }


def test_dbt_env_maps_a_database_url_to_the_profile_variables() -> None:
    assert dbt_env("postgresql://outreach:secret@db.internal:6543/outreach_prod") == {
        "OUTREACH_DB_HOST": "db.internal",
        "OUTREACH_DB_PORT": "6543",
        "OUTREACH_DB_USER": "outreach",
        "OUTREACH_DB_PASSWORD": "secret",
        "OUTREACH_DB_NAME": "outreach_prod",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def test_dbt_env_decodes_a_password_with_special_characters() -> None:
    env = dbt_env("postgresql://us%40er:p%40ss%3Aw%2Frd%23%25@127.0.0.1:5433/outreach")
    assert env["OUTREACH_DB_USER"] == "us@er"
    assert env["OUTREACH_DB_PASSWORD"] == "p@ss:w/rd#%"


def test_dbt_env_defaults_the_port_to_5432_and_the_password_to_empty() -> None:
    env = dbt_env("postgresql://postgres@localhost/outreach")
    assert env["OUTREACH_DB_PORT"] == "5432"
    assert env["OUTREACH_DB_PASSWORD"] == ""


def test_dbt_env_accepts_sqlalchemy_driver_schemes_and_passes_sslmode() -> None:
    env = dbt_env("postgresql+psycopg://u:p@h:5432/db?sslmode=require")
    assert env["OUTREACH_DB_HOST"] == "h"
    assert env["OUTREACH_DB_SSLMODE"] == "require"


@pytest.mark.parametrize("url", ["mysql://u:p@h/db", "postgresql://u:p@h:5432/", "not a url"])
def test_dbt_env_rejects_urls_dbt_cannot_use(url: str) -> None:
    with pytest.raises(ValueError):
        dbt_env(url)


def test_profile_reads_every_variable_dbt_env_sets() -> None:
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    variables = set(dbt_env("postgresql://u:p@h:1/db?sslmode=require")) - {"DBT_SEND_ANONYMOUS_USAGE_STATS"}
    assert {name for name in variables if f"env_var('{name}'" not in profile} == set()
