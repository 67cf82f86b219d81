"""The Dagster code location (`workspace.yaml` loads this module)."""

from dagster import Definitions

from orchestration.assets.analytics import analytics_assets
from orchestration.assets.dbt import dbt_assets_definitions
from orchestration.assets.discovery import discovery_assets
from orchestration.assets.ingest import ingest_assets
from orchestration.assets.model import model_assets
from orchestration.assets.outreach import outreach_assets
from orchestration.assets.prospects import prospect_assets
from orchestration.assets.scoring import scoring_assets
from orchestration.dbt_project import dbt_resource
from orchestration.events import event_jobs, event_sensors
from orchestration.jobs import daily_pipeline_job, daily_pipeline_schedule, weekly_retrain_job, weekly_retrain_schedule
from orchestration.privacy import privacy_jobs, privacy_schedules, privacy_sensors
from orchestration.resources import InstaBidsResource, PiiResource, PostgresResource
from outreach.observability import configure_observability

# Every Dagster process loading this location (code server, run workers) logs JSON and traces alike.
configure_observability("outreach-dagster")

defs = Definitions(
    assets=[
        *ingest_assets, *discovery_assets, *prospect_assets, *scoring_assets, *outreach_assets, *dbt_assets_definitions,
        *analytics_assets, *model_assets,
    ],
    jobs=[daily_pipeline_job, weekly_retrain_job, *event_jobs, *privacy_jobs],
    schedules=[daily_pipeline_schedule, weekly_retrain_schedule, *privacy_schedules],
    sensors=[*event_sensors, *privacy_sensors],
    resources={
        "postgres": PostgresResource(),
        "instabids": InstaBidsResource(),
        "pii": PiiResource(),
        "dbt": dbt_resource(),
    },
)
