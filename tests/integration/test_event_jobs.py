"""The Dagster job that handles the inbox: its run is a span carrying the run id, and every event handled in it
links to that span, so a trace leads to the run that handled the event."""

import uuid
from datetime import UTC, datetime

import pytest
from dagster import DagsterInstance
from fixtures.telemetry import span_recorder

from orchestration.events import process_inbox_job
from orchestration.resources import InstaBidsResource, PostgresResource
from outreach.events import inbox
from outreach.privacy.crypto import load_cipher
from outreach.settings import Settings

pytestmark = pytest.mark.integration


def test_the_inbox_run_is_a_span_with_its_run_id_and_handled_events_link_to_it(db, database_url,
                                                                                pipeline_env) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    project = {
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": "/instabids/project-management",
        "type": "ProjectCreatedEvent", "time": now, "datacontenttype": "application/json",
        "data": {"project_id": str(uuid.uuid4()), "specialty": "roofing", "region": "us-tx-austin", "state": "TX",
                 "city": "Austin", "budget_min_cents": 100_000, "budget_max_cents": 500_000, "currency": "USD",
                 "created_at": now},
    }
    inbox.store(db, project, load_cipher(Settings().state_dir))
    db.commit()
    spans = span_recorder()
    spans.clear()

    with DagsterInstance.ephemeral() as instance:
        result = process_inbox_job.execute_in_process(
            instance=instance,
            resources={"postgres": PostgresResource(database_url=database_url), "instabids": InstaBidsResource()},
        )
    assert result.success

    finished = spans.get_finished_spans()
    (run,) = [s for s in finished if s.attributes.get("dagster.run_id") == result.run_id]
    assert run.name == "dagster run process_inbox_job"
    (handled,) = [s for s in finished if s.name == "handle ProjectCreatedEvent"
                  and s.attributes.get("cloudevents.event_id") == project["id"]]
    linked_or_child = [link.context.span_id for link in handled.links] + [handled.parent.span_id]
    assert run.context.span_id in linked_or_child
