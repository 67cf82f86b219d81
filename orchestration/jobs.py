"""Jobs and schedules: the daily pipeline materializes the whole asset graph for one UTC day."""

from dagster import AssetSelection, build_schedule_from_partitioned_job, define_asset_job

from orchestration.partitions import daily_partitions

DAILY_PIPELINE = "daily_pipeline"

daily_pipeline_job = define_asset_job(
    DAILY_PIPELINE,
    selection=AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Ingest the domains' analytics into raw, then build the dbt models, for one day.",
)

daily_pipeline_schedule = build_schedule_from_partitioned_job(daily_pipeline_job, hour_of_day=5)
