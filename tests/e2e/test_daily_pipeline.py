"""The whole asset graph for one day, materialized by Dagster on PostgreSQL instance storage, twice; between the
two runs the other domains react (through the sandbox) and their events are received, handled and relayed, so the
day's run publishes every event type of the contract."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
from dagster import DagsterInstance
from fixtures.api_server import body_of, example_event, running_api, secret_of, signed_headers
from psycopg import sql

from orchestration.definitions import defs
from orchestration.jobs import DAILY_PIPELINE
from outreach.domain_clients import build_clients
from outreach.events.handlers import handler_context, handlers
from outreach.events.processing import process_pending
from outreach.events.relay import relay_pending
from outreach.ingestion.endpoints import ENDPOINTS
from outreach.privacy.crypto import load_blind_indexer, load_cipher
from outreach.scoring.scores_store import SCORABLE_STATUSES
from outreach.settings import Settings
from outreach.storage.dagster_instance import write_dagster_yaml
from outreach.storage.database import dagster_database_url, database_url

pytestmark = pytest.mark.e2e

# Yesterday: a complete day (today's trends are empty just after midnight UTC).
DAY = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
PUBLISHED_EVENT_TYPES = {
    "ProspectDiscoveredEvent", "ProspectScoredEvent", "OutreachMessageSentEvent", "ProspectResponseReceivedEvent",
    "ProspectConvertedEvent", "ContractorReadyForVerificationEvent", "OutreachReferralEvent",
    "CampaignPerformanceUpdatedEvent",
}
# Sandbox time the domains take to react, one exchange per step: replies and statuses (hours), the sign-ups of
# the accounts created for interested replies (minutes), the verifications those sign-ups request (up to 36 h).
EXCHANGE_STEPS_SECONDS = (2 * 86_400, 3_600, 2 * 86_400)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """A sandbox of this module's own (overriding the session's): its clock is moved days forward and it delivers
    its events to our API, which must not leak into other tests."""
    from integrations.sandbox.config import SandboxConfig
    from integrations.sandbox.server import start_in_thread

    config = SandboxConfig(scale=300, seed=11, registry_dir=tmp_path_factory.mktemp("registries"),
                           crawl_delay_seconds=0, auto_deliver=False)
    with start_in_thread(config) as running:
        yield running


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


def _duplicate_items(url: str) -> dict[str, int]:
    """Items of the day landed more than once, per raw table (by the endpoint's key)."""
    with psycopg.connect(url) as conn:
        return {spec.name: conn.execute(
            sql.SQL("select count(*) - count(distinct ({})) from {} where partition_date = %s").format(
                sql.SQL(", ").join(map(sql.Identifier, spec.key)), sql.SQL(spec.table)), (DAY,)).fetchone()[0]
            for spec in ENDPOINTS}


def _staging_counts(url: str) -> dict[str, int]:
    """Rows of the day in the staging view of each raw table (the `app` tables have views there too)."""
    with psycopg.connect(url) as conn:
        views = [r[0] for r in conn.execute(
            "select table_name from information_schema.views where table_schema = 'staging' "
            "and table_name not like 'stg\\_app\\_\\_%' order by 1"
        )]
        query = 'select count(*) from staging."{}" where partition_date = %s'
        return {view: conn.execute(query.format(view), (DAY,)).fetchone()[0] for view in views}


def _exchange_events(sandbox_url: str, advance_seconds: int) -> None:
    """Move the sandbox clock on, let it deliver what is due to our API, handle the inbox and relay the outbox
    (what `outreach demo` does between runs, and the sensors do in production)."""
    settings = Settings()
    with httpx.Client(base_url=sandbox_url, timeout=60) as admin:
        admin.post("/sandbox/clock", json={"advance_seconds": advance_seconds}).raise_for_status()
        admin.post("/sandbox/events/flush").raise_for_status()
    with (psycopg.connect(database_url(settings)) as conn, build_clients(settings) as clients,
          httpx.Client(timeout=10) as http):
        process_pending(conn, handlers(), handler_context(settings, datetime.now(UTC), clients))
        relay_pending(conn, http, settings.event_bus_url(), settings.event_bus_signing_secret(), datetime.now(UTC))


def _refer_through_a_campaign(api_url: str, campaign_id: str) -> None:
    """A contractor refers a business through a campaign's link: the social domain's ReferralCreatedEvent. (The
    sandbox only emits referrals made outside campaigns, so the test sends this one as the social domain would.)"""
    event = example_event("ReferralCreatedEvent")
    event["data"] |= {"referral_id": str(uuid.uuid4()), "campaign_id": campaign_id}
    body = body_of(event)
    response = httpx.post(f"{api_url}/ai-outreach/events", content=body,
                          headers=signed_headers(body, secret_of(event["source"])))
    assert response.status_code == 202, response.text


def _published_types(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("select type, count(*) from app.outbox_events group by type").fetchall())


def test_daily_pipeline_lands_raw_builds_the_marts_and_publishes_every_event_type(
    instance, pipeline_env, sandbox
) -> None:
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
    sent_by_campaign = _sent_prospects_by_campaign(pipeline_env["DATABASE_URL"])
    assert sent_by_campaign and _campaign_mart_sent(pipeline_env["DATABASE_URL"]) == sent_by_campaign

    state = Settings().state_dir
    with running_api(pipeline_env["DATABASE_URL"], sandbox.url, cipher=load_cipher(state),
                     indexer=load_blind_indexer(state)) as api:
        httpx.post(f"{sandbox.url}/sandbox/config", json={"webhook_url": api.url}).raise_for_status()
        for seconds in EXCHANGE_STEPS_SECONDS:
            _exchange_events(sandbox.url, seconds)
        _refer_through_a_campaign(api.url, next(iter(sent_by_campaign)))
        _exchange_events(sandbox.url, 0)

    rerun = job.execute_in_process(partition_key=DAY, instance=instance)
    assert rerun.success
    published = _published_types(pipeline_env["DATABASE_URL"])
    assert set(published) >= PUBLISHED_EVENT_TYPES, published
    assert all(check.passed for check in rerun.get_asset_check_evaluations()), [
        c.check_name for c in rerun.get_asset_check_evaluations() if not c.passed]
    # The sources moved between the runs (the sandbox reacted to the first run's outreach, days went by, referrals
    # arrived), so the re-run must replace the day's items and cells, not add to them, and keep every prospect id.
    assert _duplicate_items(pipeline_env["DATABASE_URL"]) == dict.fromkeys(raw, 0)
    assert prospects_before <= _prospects(pipeline_env["DATABASE_URL"]), "prospect ids must be stable across runs"
    assert [row[:2] for row in _demand_mart(pipeline_env["DATABASE_URL"])] == [row[:2] for row in demand_before]


def _sent_prospects_by_campaign(url: str) -> dict[str, int]:
    """Distinct prospects each campaign sent a message to in the day's batches."""
    with psycopg.connect(url) as conn:
        return dict(conn.execute(
            "select campaign_id::text, count(distinct prospect_id) from app.outreach_messages "
            "where batch_date = %s and sent_at is not null group by 1 order by 1", (DAY,)).fetchall())


def _campaign_mart_sent(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute(
            "select campaign_id::text, sent from marts.campaign_performance_daily where activity_date = %s "
            "and sent > 0 order by 1", (DAY,)).fetchall())


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
        (sent,) = conn.execute(  # messages of golden prospects Messaging accepted (whatever their status since)
            "select count(*) from app.outreach_messages m where sent_at is not null and exists "
            "(select 1 from app.source_records s where s.prospect_id = m.prospect_id)").fetchone()
        assert sent > 0
        (announced_sends,) = conn.execute(
            "select count(*) from app.outbox_events o where type = 'OutreachMessageSentEvent' and exists "
            "(select 1 from app.source_records s where s.prospect_id = (o.data->>'prospect_id')::uuid)").fetchone()
        assert announced_sends == sent
    gates = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert gates["candidates_quality"] and gates["enriched_quality"] and gates["golden_quality"]
