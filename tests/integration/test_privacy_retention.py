"""Retention over a real database and a real Dagster instance: stale prospects lose what identifies them but stay
counted, old raw payloads expire, finished Dagster runs and their event logs are purged, all on a daily schedule."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from dagster import DagsterInstance, job, op
from fixtures.api_server import fresh_database
from fixtures.privacy_world import seed_person

from outreach.privacy.crypto import BlindIndexer, PiiCipher, new_key_spec
from outreach.privacy.retention import PROSPECT_PII_COLUMNS, RetentionPolicy, apply_retention
from outreach.prospects.source_records import load_all

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
OLD_DAY = date(2024, 6, 1)
RECENT_DAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def world(pg_server_url):
    """A database of its own (retention sweeps whole tables): a stale, a converted and a recent prospect."""
    cipher, indexer = PiiCipher.from_spec(new_key_spec("k1")), BlindIndexer(secrets.token_bytes(32))
    with fresh_database(pg_server_url) as url, psycopg.connect(url) as conn:
        old = datetime(2024, 6, 1, tzinfo=UTC)
        people = {
            "stale": seed_person(conn, cipher, indexer, email="old@oldroofs.com", phone="+16195550101",
                                 day=OLD_DAY, discovered_at=old),
            "converted": seed_person(conn, cipher, indexer, email="won@wonplumbing.com", phone="+16195550102",
                                     day=OLD_DAY - timedelta(days=1), discovered_at=old, status="converted"),
            "recent": seed_person(conn, cipher, indexer, email="new@newhvac.com", phone="+16195550103",
                                  day=RECENT_DAY, discovered_at=datetime(2026, 11, 1, tzinfo=UTC)),
        }
        conn.execute("update app.prospects set converted_at = %s where prospect_id = %s",
                     (old, people["converted"].prospect_id))
        # the stale person's consumed event and quarantined record are as old as their landing
        conn.execute("update app.inbox_events set status = 'processed', received_at = %s where subject = %s",
                     (old, people["stale"].prospect_id))
        conn.execute("update app.quarantine set created_at = %s where source_record_id = %s",
                     (old, people["stale"].source_record_id))
        conn.commit()
        yield url, cipher, people


def _prospect(conn, prospect_id: str) -> dict:
    cur = conn.execute("select * from app.prospects where prospect_id = %s", (prospect_id,))
    return dict(zip([c.name for c in cur.description], cur.fetchone(), strict=True))


def test_retention_anonymizes_stale_prospects_and_expires_raw_payloads(world) -> None:
    url, cipher, people = world
    with psycopg.connect(url) as conn:
        report = apply_retention(conn, RetentionPolicy(prospect_days=548, raw_days=90), NOW)

        assert (report.anonymized_prospects, report.anonymized_source_records) == (1, 1)
        stale = _prospect(conn, people["stale"].prospect_id)
        assert all(stale[column] is None for column in PROSPECT_PII_COLUMNS)
        # what the marts aggregate stays: pseudonymous id, status, place, trade, score, messages
        assert (stale["status"], stale["region"], stale["specialties"]) == ("contacted", "us-ca-san-diego",
                                                                            ["plumbing"])
        assert conn.execute("select count(*) from app.prospect_scores where prospect_id = %s",
                            (people["stale"].prospect_id,)).fetchone()[0] == 1
        assert conn.execute("select count(*) from app.outreach_messages where prospect_id = %s",
                            (people["stale"].prospect_id,)).fetchone()[0] == 1
        for kept in ("converted", "recent"):
            assert _prospect(conn, people[kept].prospect_id)["email_enc"] is not None, kept
        # resolution still reads every source record, and can no longer restore the stale one's identity
        records = {r.key.split(":", 1)[1]: r.enriched for r in load_all(conn, cipher)}
        stale_record = records[people["stale"].source_record_id]
        assert (stale_record.email.value, stale_record.business_name.value, stale_record.street.value) == (
            None, None, None)
        assert stale_record.city.value == "San Diego"
        assert records[people["recent"].source_record_id].email.value == "new@newhvac.com"

        assert report.deleted == {"raw.candidate_records": 2, "app.inbox_events": 1, "app.quarantine": 1}
        days = [d for (d,) in conn.execute("select partition_date from raw.candidate_records")]
        assert days == [RECENT_DAY]

        again = apply_retention(conn, RetentionPolicy(prospect_days=548, raw_days=90), NOW)
        assert again.summary() == {"anonymized_prospects": 0, "anonymized_source_records": 0, "deleted": {}}
        audits = conn.execute("select details from app.audit_log where action = 'retention'").fetchall()
        assert [a[0]["anonymized_prospects"] for a in audits] == [1, 0]


@op
def _noop() -> None:
    """A run to purge."""


@job
def _tiny_job() -> None:
    _noop()


def test_finished_dagster_runs_are_purged_with_their_event_logs() -> None:
    from orchestration.privacy import purge_dagster_history

    with DagsterInstance.ephemeral() as instance:
        runs = [_tiny_job.execute_in_process(instance=instance).run_id for _ in range(2)]
        assert all(instance.all_logs(run_id) for run_id in runs)

        assert purge_dagster_history(instance, datetime.now(UTC) - timedelta(days=1)) == 0
        assert purge_dagster_history(instance, datetime.now(UTC) + timedelta(minutes=1)) == 2

        assert [instance.get_run_by_id(run_id) for run_id in runs] == [None, None]
        assert not any(instance.all_logs(run_id) for run_id in runs)


def test_the_retention_job_is_scheduled_daily_and_runs_both_steps(world, monkeypatch, tmp_path) -> None:
    from orchestration.definitions import defs
    from orchestration.privacy import privacy_retention_job, privacy_retention_schedule
    from orchestration.resources import PostgresResource

    url, _, _ = world
    monkeypatch.setenv("OUTREACH_STATE_DIR", str(tmp_path))
    assert privacy_retention_schedule.cron_schedule == "30 3 * * *"
    assert defs.get_schedule_def(privacy_retention_schedule.name).job_name == "privacy_retention"
    with DagsterInstance.ephemeral() as instance:
        result = privacy_retention_job.execute_in_process(
            instance=instance, resources={"postgres": PostgresResource(database_url=url)})
        assert result.success
    with psycopg.connect(url) as conn:
        (actor,) = conn.execute("select actor from app.audit_log where action = 'retention' "
                                "order by audit_id desc limit 1").fetchone()
    assert actor == f"dagster:privacy_retention:{result.run_id}"
