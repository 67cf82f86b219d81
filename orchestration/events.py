"""Event-driven jobs and sensors: handle the inbox, relay the outbox, react to demand signals.

Sensors read `app.inbox_events` by cursor (the highest inbox id seen), so a tick only looks at what is new; a run
key per cursor position means a retried tick never launches the same run twice, and a cursor that never moves
back never drops one.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from dagster import (
    AssetSelection,
    DefaultSensorStatus,
    OpExecutionContext,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    job,
    op,
    sensor,
)
from opentelemetry import trace

from orchestration.partitions import daily_partitions
from orchestration.resources import InstaBidsResource, PostgresResource
from outreach.events.handlers import handler_context, handlers
from outreach.events.processing import process_pending
from outreach.events.relay import relay_pending
from outreach.settings import Settings
from outreach.storage.database import connect, database_url

UNDER_SUPPLIED_DEMAND_INDEX = 1.2
"""A SpecialtyDemandChangedEvent crossing this demand index (1.0 = balanced) launches an extra batch."""
UNDER_SUPPLIED_GAP_INDEX = 0.5
"""A ProjectCreatedEvent in a cell whose supply-gap index (0..1, docs/marts.md) is at least this does too."""


@contextmanager
def run_span(context: OpExecutionContext) -> Iterator[trace.Span]:
    """A span for the Dagster run, named after its job and carrying its run id: each event handled inside continues
    the event's own trace and links to this span (`continued_span`), so a trace leads to the run that handled it
    and the run's span to every event it handled."""
    attributes = {"dagster.run_id": context.run_id, "dagster.job": context.job_name, "dagster.op": context.op.name}
    with trace.get_tracer(__name__).start_as_current_span(f"dagster run {context.job_name}",
                                                          attributes=attributes) as span:
        yield span


@op
def handle_inbox(context: OpExecutionContext, postgres: PostgresResource, instabids: InstaBidsResource) -> None:
    settings = Settings()
    with postgres.connect() as conn, run_span(context):
        result = process_pending(conn, handlers(), handler_context(settings, datetime.now(UTC), instabids.clients))
    context.log.info(f"inbox: {result.processed} handled, {result.retrying} to retry, {result.dead} dead-lettered")


@job(description="Handle every pending inbox event once (replies, statuses, sign-ups, verifications, ...).")
def process_inbox_job() -> None:
    handle_inbox()


@op
def relay_outbox(context: OpExecutionContext, postgres: PostgresResource) -> None:
    import httpx

    settings = Settings()
    with postgres.connect() as conn, httpx.Client(timeout=10) as client, run_span(context):
        result = relay_pending(conn, client, settings.event_bus_url(), settings.event_bus_signing_secret(),
                               datetime.now(UTC))
    context.log.info(f"outbox: {result.delivered} delivered, {result.retrying} to retry, {result.dead} dead")


@job(description="Deliver pending published events to the event bus (signed CloudEvents, at least once).")
def relay_outbox_job() -> None:
    relay_outbox()


extra_outreach_job = define_asset_job(
    "extra_outreach_batch",
    selection=AssetSelection.assets(["outreach_batches"]),
    partitions_def=daily_partitions,
    description="An extra outreach batch for today, launched by a demand signal.",
)


def _query(sql: str, *params: object) -> list[tuple]:
    with connect(database_url(Settings())) as conn:
        return conn.execute(sql, params).fetchall()


@sensor(job=process_inbox_job, minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING)
def inbox_sensor(context: SensorEvaluationContext):
    """A run whenever events arrived since the last tick (by inbox id), else when a failed event's backoff is over:
    transient failures are retried without waiting for new traffic (keyed by the event and its attempt count, so
    each retry launches once)."""
    after = int(context.cursor or 0)
    (newest,) = _query("select max(inbox_id) from app.inbox_events where inbox_id > %s", after)[0]
    if newest is not None:
        context.update_cursor(str(newest))
        return RunRequest(run_key=f"inbox-{newest}")
    due = _query("select inbox_id, attempts from app.inbox_events where status = 'failed' "
                 "and next_attempt_at <= now() order by next_attempt_at, inbox_id limit 1")
    if due:
        inbox_id, attempts = due[0]
        return RunRequest(run_key=f"inbox-retry-{inbox_id}-{attempts}")
    return SkipReason("no new events, no retry due")


@sensor(job=relay_outbox_job, minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING)
def outbox_sensor(context: SensorEvaluationContext):
    """A relay run while events wait for delivery (keyed by the minute, so a busy outbox is relayed steadily)."""
    (pending,) = _query("select count(*) from app.outbox_events where status = 'pending'")[0]
    if pending == 0:
        return SkipReason("outbox empty")
    return RunRequest(run_key=f"relay-{datetime.now(UTC):%Y%m%d%H%M}")


def _under_supplied(event_type: str, data: dict) -> bool:
    if event_type == "SpecialtyDemandChangedEvent":
        return data["demand_index"] >= UNDER_SUPPLIED_DEMAND_INDEX > data["previous_demand_index"]
    rows = _query(
        "select supply_gap_index from marts.specialty_region_demand_daily where specialty = %s and region = %s "
        "order by partition_date desc limit 1", data["specialty"], data["region"])
    return bool(rows) and rows[0][0] is not None and rows[0][0] >= UNDER_SUPPLIED_GAP_INDEX


@sensor(job=extra_outreach_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING)
def demand_signal_sensor(context: SensorEvaluationContext):
    """An extra batch today when a specialty × region turns under-supplied (SpecialtyDemandChangedEvent crossing
    the threshold) or a project lands where the demand mart shows a large supply gap (ProjectCreatedEvent)."""
    import json

    from outreach.events.inbox import DATA_CONTEXT
    from outreach.privacy.access import PiiReader
    from outreach.privacy.crypto import load_cipher

    after = int(context.cursor or 0)
    rows = _query(
        "select inbox_id, type, data_enc from app.inbox_events where inbox_id > %s "
        "and type in ('SpecialtyDemandChangedEvent', 'ProjectCreatedEvent') order by inbox_id limit 1000", after)
    if not rows:
        return SkipReason("no demand signals")
    context.update_cursor(str(rows[-1][0]))
    reader = PiiReader(load_cipher(Settings().state_dir), "demand signal sensor", actor="dagster:demand_signal_sensor")
    signals = [t for inbox_id, t, blob in rows
               if _under_supplied(t, json.loads(reader.decrypt(blob, DATA_CONTEXT, inbox_id)))]
    with connect(database_url(Settings())) as conn:
        reader.record(conn)
    if not signals:
        return SkipReason(f"{len(rows)} demand events, none under-supplied")
    today = datetime.now(UTC).date().isoformat()
    # One extra batch per day at most: the batch itself re-reads demand and eligibility, and sends nothing twice.
    return RunRequest(run_key=f"demand-{today}", partition_key=today)


event_jobs = [process_inbox_job, relay_outbox_job, extra_outreach_job]
event_sensors = [inbox_sensor, outbox_sensor, demand_signal_sensor]
