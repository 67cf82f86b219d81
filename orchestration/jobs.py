"""Jobs and schedules: the daily pipeline materializes the whole asset graph for one UTC day; the weekly retrain
trains and gates the scoring model once a week has ended."""

from dagster import AssetSelection, build_schedule_from_partitioned_job, define_asset_job

from orchestration.assets.model import MODEL, weekly_partitions
from orchestration.partitions import daily_partitions

DAILY_PIPELINE = "daily_pipeline"
WEEKLY_RETRAIN = "weekly_retrain"

daily_pipeline_job = define_asset_job(
    DAILY_PIPELINE,
    selection=AssetSelection.all() - AssetSelection.assets(MODEL),
    partitions_def=daily_partitions,
    description="Ingest the domains' analytics into raw, then build the dbt models, for one day.",
)

daily_pipeline_schedule = build_schedule_from_partitioned_job(daily_pipeline_job, hour_of_day=5)

weekly_retrain_job = define_asset_job(
    WEEKLY_RETRAIN,
    selection=AssetSelection.assets(MODEL),
    partitions_def=weekly_partitions,
    description="Retrain the scoring model on the labelled history as of the week's end; promote it only if it "
    "does not regress on the holdout.",
)

weekly_retrain_schedule = build_schedule_from_partitioned_job(weekly_retrain_job, hour_of_day=7)
