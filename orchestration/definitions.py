"""The Dagster code location (`workspace.yaml` loads this module)."""

from dagster import Definitions

from orchestration.assets.dbt import outreach_dbt_assets
from orchestration.assets.discovery import discovery_assets
from orchestration.assets.ingest import ingest_assets
from orchestration.assets.outreach import outreach_assets
from orchestration.assets.prospects import prospect_assets
from orchestration.assets.scoring import scoring_assets
from orchestration.dbt_project import dbt_resource
from orchestration.events import event_jobs, event_sensors
from orchestration.jobs import daily_pipeline_job, daily_pipeline_schedule
from orchestration.resources import InstaBidsResource, PiiResource, PostgresResource

defs = Definitions(
    assets=[
        *ingest_assets, *discovery_assets, *prospect_assets, *scoring_assets, *outreach_assets, outreach_dbt_assets,
    ],
    jobs=[daily_pipeline_job, *event_jobs],
    schedules=[daily_pipeline_schedule],
    sensors=event_sensors,
    resources={
        "postgres": PostgresResource(),
        "instabids": InstaBidsResource(),
        "pii": PiiResource(),
        "dbt": dbt_resource(),
    },
)
