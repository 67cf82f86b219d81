"""Foundation: schemas raw and app, the raw landing tables of the ingested endpoints, and the quarantine.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from alembic import op

from outreach.ingestion.endpoints import ENDPOINTS

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("create schema if not exists raw")
    op.execute("create schema if not exists app")
    # The raw tables follow outreach.ingestion.endpoints; a later change to a spec needs a new migration
    # (tests/integration/test_migrations.py compares the migrated tables with the specs).
    for spec in ENDPOINTS:
        columns = ",\n  ".join(
            f"{c.name}_enc bytea" if c.encrypted else f"{c.name} {c.sql_type}" for c in spec.columns
        )
        op.execute(
            f"""
            create table {spec.table} (
              partition_date date not null,
              fetched_at timestamptz not null,
              {columns},
              payload jsonb not null
            )
            """
        )
        op.execute(f"create index on {spec.table} (partition_date)")
    op.execute(
        """
        create table app.quarantine (
          quarantine_id bigint generated always as identity primary key,
          stage text not null,
          source text not null,
          source_record_id text,
          partition_date date,
          reason text not null,
          payload_enc bytea,
          created_at timestamptz not null default now()
        )
        """
    )
    op.execute("create index on app.quarantine (stage, source, partition_date)")
    op.execute(
        "comment on column app.quarantine.payload_enc is "
        "'The rejected record, encrypted (it may hold contact data); decrypt with the PII keys.'"
    )


def downgrade() -> None:
    op.execute("drop table if exists app.quarantine")
    for spec in ENDPOINTS:
        op.execute(f"drop table if exists {spec.table}")
