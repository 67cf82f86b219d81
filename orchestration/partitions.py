"""The daily partitioning every asset of the pipeline shares: one partition is one UTC day of outreach."""

from dagster import DailyPartitionsDefinition

PIPELINE_START_DATE = "2026-01-01"

daily_partitions = DailyPartitionsDefinition(start_date=PIPELINE_START_DATE, timezone="UTC", end_offset=1)
