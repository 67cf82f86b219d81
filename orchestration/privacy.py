"""Privacy jobs: daily retention (database and Dagster's own history) and data-subject requests.

- `privacy_retention` (daily schedule, 03:30 UTC): anonymize stale prospects and expire raw payloads
  (`outreach.privacy.retention`), then delete finished Dagster runs older than the Dagster retention period, with
  their event logs (`DagsterInstance.delete_run`), so `event_logs` does not grow without bound.
- `privacy_requests`: fulfil every pending access and erasure request in one run (`outreach.privacy.dsar`). The
  sensor launches it while requests wait and no run of it is in flight; the handling itself claims each request
  with `for update skip locked`, so even two runs never handle one twice. `outreach privacy process` runs the
  same code from the command line.

Importing this module also makes Dagster runs the actor of their PII reads in the audit log.
"""

from datetime import UTC, datetime, timedelta

from dagster import (
    DagsterInstance,
    DagsterInvariantViolationError,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    OpExecutionContext,
    RunRequest,
    RunsFilter,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    job,
    op,
    sensor,
)

from orchestration.resources import PiiResource, PostgresResource
from outreach.privacy.access import register_actor_provider
from outreach.settings import Settings

FINISHED = [DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED]
IN_FLIGHT = [DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING,
             DagsterRunStatus.STARTED]
PURGE_PAGE = 500


def dagster_run_actor() -> str | None:
    """`dagster:<job>:<run id>` inside an op, else None (so the next provider or the OS user applies)."""
    try:
        context = OpExecutionContext.get()
    except DagsterInvariantViolationError:
        return None
    return f"dagster:{context.job_name}:{context.run_id}" if context is not None else None


register_actor_provider(dagster_run_actor)


def purge_dagster_history(instance: DagsterInstance, older_than: datetime) -> int:
    """Delete finished runs created before `older_than`, with their event logs; returns how many."""
    deleted = 0
    while records := instance.get_run_records(
        filters=RunsFilter(statuses=FINISHED, created_before=older_than), limit=PURGE_PAGE
    ):
        for record in records:
            instance.delete_run(record.dagster_run.run_id)
        deleted += len(records)
    return deleted


@op
def apply_retention_policy(context: OpExecutionContext, postgres: PostgresResource) -> None:
    from outreach.privacy.retention import RetentionPolicy, apply_retention

    policy = RetentionPolicy.from_settings(Settings())
    with postgres.connect() as conn:
        report = apply_retention(conn, policy, datetime.now(UTC))
    context.log.info(f"retention: {report.summary()}")


@op
def purge_dagster_runs(context: OpExecutionContext) -> None:
    days = Settings().retention_dagster_run_days
    deleted = purge_dagster_history(context.instance, datetime.now(UTC) - timedelta(days=days))
    context.log.info(f"dagster history: {deleted} finished runs older than {days} days deleted")


@job(name="privacy_retention",
     description="Daily retention: anonymize stale prospects, expire raw payloads, purge old Dagster runs.")
def privacy_retention_job() -> None:
    apply_retention_policy()
    purge_dagster_runs()


privacy_retention_schedule = ScheduleDefinition(
    job=privacy_retention_job, cron_schedule="30 3 * * *", execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
)


@op
def fulfil_privacy_requests(context: OpExecutionContext, postgres: PostgresResource, pii: PiiResource) -> None:
    from outreach.privacy.crypto import load_blind_indexer
    from outreach.privacy.dsar import process_pending

    with postgres.connect() as conn:
        outcomes = process_pending(conn, pii.cipher(), load_blind_indexer(Settings().state_dir))
    for outcome in outcomes:
        context.log.info(f"privacy request {outcome.request_id} ({outcome.kind}) completed: {outcome.records}")


@job(name="privacy_requests", description="Fulfil every pending privacy request (access exports, erasures) once.")
def privacy_requests_job() -> None:
    fulfil_privacy_requests()


@sensor(job=privacy_requests_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING)
def privacy_requests_sensor(context: SensorEvaluationContext):
    """A run while requests wait and none is in flight (no run key: a failed run must not block the next)."""
    from outreach.privacy.dsar import pending_count
    from outreach.storage.database import connect, database_url

    with connect(database_url(Settings())) as conn:
        pending = pending_count(conn)
    if pending == 0:
        return SkipReason("no pending privacy requests")
    if context.instance.get_runs(RunsFilter(job_name=privacy_requests_job.name, statuses=IN_FLIGHT), limit=1):
        return SkipReason(f"{pending} pending; a run is already in flight")
    return RunRequest(tags={"privacy/pending": str(pending)})


privacy_jobs = [privacy_retention_job, privacy_requests_job]
privacy_schedules = [privacy_retention_schedule]
privacy_sensors = [privacy_requests_sensor]
