"""What a pipeline day produced, per stage: the table `make demo` prints at the end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import psycopg
from psycopg import sql

from outreach.ingestion.endpoints import ENDPOINTS

APP_STAGES = (
    ("discovery", "raw.candidate_records",
     "select count(*) from raw.candidate_records where partition_date = %(day)s"),
    ("discovery", "app.source_records", "select count(*) from app.source_records"),
    ("golden", "app.prospects", "select count(*) from app.prospects"),
    ("scoring", "app.prospect_scores", "select count(*) from app.prospect_scores"),
    ("outreach", "app.outreach_messages (sent)",
     "select count(*) from app.outreach_messages where batch_date = %(day)s and message_id is not null"),
    ("events", "app.inbox_events (handled)", "select count(*) from app.inbox_events where status = 'processed'"),
    ("events", "app.outbox_events (delivered)",
     "select count(*) from app.outbox_events where status = 'delivered'"),
)
"""Counts of the operational stages after the raw ones (whole tables where a stage is not per day)."""


@dataclass(frozen=True)
class StageCount:
    stage: str
    relation: str
    rows: int


def partition_counts(conn: psycopg.Connection, partition_date: date) -> list[StageCount]:
    """Rows landed per raw table and quarantined for the day, and rows per dbt model built from them."""
    counts: list[StageCount] = []
    for spec in ENDPOINTS:
        (rows,) = conn.execute(
            sql.SQL("select count(*) from {} where partition_date = %s").format(sql.Identifier("raw", spec.name)),
            (partition_date,),
        ).fetchone()
        counts.append(StageCount("raw", spec.table, rows))
    for stage, relation, query in APP_STAGES:
        (rows,) = conn.execute(query, {"day": partition_date}).fetchone()
        counts.append(StageCount(stage, relation, rows))
    (quarantined,) = conn.execute(
        "select count(*) from app.quarantine where partition_date = %s", (partition_date,)
    ).fetchone()
    counts.append(StageCount("quarantine", "app.quarantine", quarantined))
    models = conn.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ('staging', 'intermediate', 'marts') order by 1, 2"
    ).fetchall()
    for schema, name in models:
        has_partition = conn.execute(
            "select 1 from information_schema.columns where table_schema = %s and table_name = %s "
            "and column_name = 'partition_date'",
            (schema, name),
        ).fetchone()
        query = sql.SQL("select count(*) from {}").format(sql.Identifier(schema, name))
        params: tuple = ()
        if has_partition:
            query = query + sql.SQL(" where partition_date = %s")
            params = (partition_date,)
        (rows,) = conn.execute(query, params).fetchone()
        counts.append(StageCount(schema, f"{schema}.{name}", rows))
    return counts


def format_counts(counts: list[StageCount]) -> str:
    width = max((len(c.relation) for c in counts), default=10)
    lines = [f"{'stage':<12} {'relation':<{width}} {'rows':>9}"]
    lines += [f"{c.stage:<12} {c.relation:<{width}} {c.rows:>9,}" for c in counts]
    return "\n".join(lines)
