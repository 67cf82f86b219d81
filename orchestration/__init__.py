"""Dagster only: definitions, assets grouped by stage, checks, jobs, schedules, sensors, resources, dbt wiring."""

import warnings

from dagster import BetaWarning

# Single-run backfills (`backfill_policy`) are what the daily assets need; Dagster still labels the parameter beta.
warnings.filterwarnings("ignore", category=BetaWarning, message="Parameter `backfill_policy`")
