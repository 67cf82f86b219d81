"""The event sensors: new inbox rows launch a run once, demand signals launch an extra batch only when warranted."""

import uuid
from datetime import UTC, datetime

import pytest
from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context

from orchestration.events import demand_signal_sensor, inbox_sensor
from outreach.events import inbox
from outreach.privacy.crypto import load_cipher
from outreach.settings import Settings

pytestmark = pytest.mark.integration


def _demand_event(previous: float, current: float) -> dict:
    return {
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": "/instabids/project-management",
        "type": "SpecialtyDemandChangedEvent", "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "datacontenttype": "application/json",
        "data": {"specialty": "hvac", "region": "us-tx-austin", "previous_demand_index": previous,
                 "demand_index": current, "changed_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")},
    }


def _latest_inbox_id(db) -> int:
    return db.execute("select coalesce(max(inbox_id), 0) from app.inbox_events").fetchone()[0]


def test_new_inbox_events_launch_one_run_per_cursor_position(db, pipeline_env) -> None:
    cipher = load_cipher(Settings().state_dir)
    start = _latest_inbox_id(db)
    inbox.store(db, _demand_event(1.0, 1.1), cipher)
    db.commit()
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(cursor=str(start), instance=instance)
        first = inbox_sensor(context)
        assert isinstance(first, RunRequest) and first.run_key == f"inbox-{_latest_inbox_id(db)}"
        again = inbox_sensor(build_sensor_context(cursor=context.cursor, instance=instance))
        assert isinstance(again, SkipReason)


def test_only_a_demand_index_crossing_the_threshold_launches_an_extra_batch(db, pipeline_env) -> None:
    cipher = load_cipher(Settings().state_dir)
    start = _latest_inbox_id(db)
    inbox.store(db, _demand_event(0.8, 1.1), cipher)
    db.commit()
    with DagsterInstance.ephemeral() as instance:
        quiet = demand_signal_sensor(build_sensor_context(cursor=str(start), instance=instance))
        assert isinstance(quiet, SkipReason)
        middle = _latest_inbox_id(db)
        inbox.store(db, _demand_event(1.0, 1.6), cipher)
        db.commit()
        launched = demand_signal_sensor(build_sensor_context(cursor=str(middle), instance=instance))
    assert isinstance(launched, RunRequest)
    assert launched.partition_key == datetime.now(UTC).date().isoformat()


def test_a_failed_event_whose_backoff_is_over_launches_a_retry_run_without_new_traffic(db, pipeline_env) -> None:
    cipher = load_cipher(Settings().state_dir)
    inbox.store(db, _demand_event(1.0, 1.1), cipher)
    newest = _latest_inbox_id(db)
    db.execute("update app.inbox_events set status = 'failed', attempts = 2, next_attempt_at = '2000-01-01T00:00:00Z' "
               "where inbox_id = %s", (newest,))
    db.commit()
    with DagsterInstance.ephemeral() as instance:
        retry = inbox_sensor(build_sensor_context(cursor=str(newest), instance=instance))
    assert isinstance(retry, RunRequest) and retry.run_key == f"inbox-retry-{newest}-2"
    db.execute("update app.inbox_events set status = 'processed' where inbox_id = %s", (newest,))
    db.commit()
