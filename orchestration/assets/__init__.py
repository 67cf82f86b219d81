"""Dagster assets, grouped by pipeline stage."""
