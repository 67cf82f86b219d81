"""The whole asset graph for one day, materialized by Dagster on PostgreSQL instance storage, twice."""

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from dagster import DagsterInstance

from orchestration.definitions import defs
from orchestration.jobs import DAILY_PIPELINE
from outreach.ingestion.endpoints import ENDPOINTS
from outreach.scoring.scores_store import SCORABLE_STATUSES
from outreach.storage.dagster_instance import write_dagster_yaml
from outreach.storage.database import dagster_database_url

pytestmark = pytest.mark.e2e

# Yesterday: a complete day (today's trends are empty just after midnight UTC).
DAY = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()


@pytest.fixture
def instance(pipeline_env, tmp_path, monkeypatch):
    home = write_dagster_yaml(tmp_path / "dagster-state", dagster_database_url(pipeline_env["DATABASE_URL"]))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with DagsterInstance.get() as dagster_instance:
        yield dagster_instance


def _raw_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        query = "select count(*) from {} where partition_date = %s"
        return {spec.name: conn.execute(query.format(spec.table), (DAY,)).fetchone()[0] for spec in ENDPOINTS}


def _staging_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        views = [r[0] for r in conn.execute(
            "select table_name from information_schema.views where table_schema = 'staging' order by 1"
        )]
        query = 'select count(*) from staging."{}" where partition_date = %s'
        return {view: conn.execute(query.format(view), (DAY,)).fetchone()[0] for view in views}


def test_daily_pipeline_lands_raw_builds_staging_and_passes_its_checks(instance, pipeline_env) -> None:
    job = defs.resolve_job_def(DAILY_PIPELINE)
    result = job.execute_in_process(partition_key=DAY, instance=instance)
    assert result.success

    raw = _raw_counts(pipeline_env["DATABASE_URL"])
    assert all(count > 0 for count in raw.values()), raw
    staging = _staging_counts(pipeline_env["DATABASE_URL"])
    assert len(staging) == len(ENDPOINTS)
    assert sorted(staging.values()) == sorted(raw.values())

    checks = result.get_asset_check_evaluations()
    assert checks, "dbt tests should surface as asset checks"
    assert all(check.passed for check in checks), [c.check_name for c in checks if not c.passed]

    materialized = {tuple(event.asset_key.path) for event in result.get_asset_materialization_events()}
    assert {("raw", spec.name) for spec in ENDPOINTS} <= materialized

    records = instance.get_run_records()
    assert records and records[0].dagster_run.tags.get("dagster/partition") == DAY

    prospects_before = _prospects(pipeline_env["DATABASE_URL"])
    demand_before = _demand_mart(pipeline_env["DATABASE_URL"])
    rerun = job.execute_in_process(partition_key=DAY, instance=instance)
    assert rerun.success
    assert _raw_counts(pipeline_env["DATABASE_URL"]) == raw
    assert _prospects(pipeline_env["DATABASE_URL"]) == prospects_before, "prospect ids must be stable across runs"
    # The sources may have moved between the runs (the first run's outreach makes the sandbox react), so the
    # re-run must replace the day's cells, not add to them.
    assert [row[:2] for row in _demand_mart(pipeline_env["DATABASE_URL"])] == [row[:2] for row in demand_before]


def _prospects(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {str(r[0]) for r in conn.execute("select prospect_id from app.prospects")}


def _demand_mart(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select specialty, region, supply_gap_index, opportunity_value_cents "
            "from marts.specialty_region_demand_daily where partition_date = %s order by 1, 2",
            (DAY,),
        ).fetchall()


def test_discovery_yields_golden_prospects_from_every_source(instance, pipeline_env) -> None:
    result = defs.resolve_job_def(DAILY_PIPELINE).execute_in_process(partition_key=DAY, instance=instance)
    assert result.success
    with psycopg.connect(pipeline_env["DATABASE_URL"]) as conn:
        sources = dict(conn.execute(
            "select source, count(*) from raw.candidate_records where partition_date = %s group by 1", (DAY,)
        ).fetchall())
        assert {"social", "license_ca", "license_wa", "license_tx", "directory"} <= set(sources), sources
        (prospects,) = conn.execute(  # golden prospects (other tests of the session insert prospects directly)
            "select count(*) from app.prospects p "
            "where exists (select 1 from app.source_records s where s.prospect_id = p.prospect_id)"
        ).fetchone()
        (records,) = conn.execute("select count(*) from app.source_records where prospect_id is not null").fetchone()
        assert 0 < prospects < records, "duplicates across sources should collapse into fewer prospects"
        (announced,) = conn.execute(
            "select count(*) from app.outbox_events where type = 'ProspectDiscoveredEvent'"
        ).fetchone()
        assert announced >= prospects
        (multi_source,) = conn.execute(
            "select count(*) from app.prospects where cardinality(sources) > 1"
        ).fetchone()
        assert multi_source > 0
        (checked,) = conn.execute(
            "select count(*) from app.prospects where registration_checked_at is null "
            "and (email_enc is not null or phone_enc is not null)"
        ).fetchone()
        assert checked == 0
        scored = conn.execute(
            "select count(*), min(score), max(score), min(model_version) from app.prospect_scores"
        ).fetchone()
        (unscored,) = conn.execute(
            "select count(*) from app.prospects p where status = any(%s) "
            "and not exists (select 1 from app.prospect_scores s where s.prospect_id = p.prospect_id)",
            (list(SCORABLE_STATUSES),),
        ).fetchone()
        assert scored[0] > 0 and unscored == 0 and 0 <= scored[1] <= scored[2] <= 1
        assert scored[3] == "heuristic-v1", "no model is promoted yet: the cold-start heuristic scores"
        sent = dict(conn.execute(  # messages of golden prospects, sent by the batches
            "select m.status, count(*) from app.outreach_messages m where exists "
            "(select 1 from app.source_records s where s.prospect_id = m.prospect_id) group by 1").fetchall())
        assert sent.get("sent", 0) > 0, sent
        (announced_sends,) = conn.execute(
            "select count(*) from app.outbox_events o where type = 'OutreachMessageSentEvent' and exists "
            "(select 1 from app.source_records s where s.prospect_id = (o.data->>'prospect_id')::uuid)").fetchone()
        assert announced_sends == sent["sent"]
    gates = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert gates["candidates_quality"] and gates["enriched_quality"] and gates["golden_quality"]
