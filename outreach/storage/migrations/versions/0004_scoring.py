"""Scoring: the model registry (with its deployment log) and the current score of every prospect.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MODEL_STATUSES = ("candidate", "production", "retired", "rejected", "rolled_back")


def upgrade() -> None:
    statuses = ", ".join(f"'{s}'" for s in MODEL_STATUSES)
    # One row per trained model: its artifact (pickled ml.registry.ModelArtifact, checked by sha256), what it was
    # trained on and how it did. `previous_version` is the production model it replaced when it was promoted, so a
    # rollback walks back the chain of promotions.
    op.execute(
        f"""
        create table app.model_registry (
          model_version text primary key,
          kind text not null,
          status text not null default 'candidate' check (status in ({statuses})),
          training_window_start timestamptz,
          training_window_end timestamptz,
          feature_columns text[] not null,
          parameters jsonb not null default '{{}}',
          metrics jsonb not null default '{{}}',
          n_labels integer not null,
          n_positives integer not null,
          artifact bytea not null,
          artifact_sha256 text not null,
          previous_version text references app.model_registry (model_version),
          decision jsonb,
          trained_at timestamptz not null,
          created_at timestamptz not null default now(),
          promoted_at timestamptz,
          retired_at timestamptz
        )
        """
    )
    # At most one production model; scoring reads it.
    op.execute(
        "create unique index model_registry_one_production on app.model_registry ((true)) where status = 'production'"
    )
    # Every promotion, rejection and rollback, append-only.
    op.execute(
        """
        create table app.model_deployments (
          deployment_id bigint generated always as identity primary key,
          action text not null check (action in ('promote', 'reject', 'rollback')),
          model_version text references app.model_registry (model_version),
          replaced_version text references app.model_registry (model_version),
          reason jsonb not null default '{}',
          happened_at timestamptz not null default now()
        )
        """
    )
    # The current score of each prospect (one row, replaced by each scoring run); the history of scores is the
    # ProspectScoredEvent stream of the outbox. `scorer` says whether a model or the cold-start heuristic scored.
    op.execute(
        """
        create table app.prospect_scores (
          prospect_id uuid primary key references app.prospects (prospect_id) on delete cascade,
          score double precision not null check (score >= 0 and score <= 1),
          model_version text not null,
          scorer text not null check (scorer in ('model', 'heuristic')),
          top_factors jsonb not null default '[]',
          supply_gap double precision,
          priority double precision check (priority >= 0 and priority <= 1),
          scored_on date not null,
          scored_at timestamptz not null
        )
        """
    )
    op.execute("create index on app.prospect_scores (priority desc nulls last)")
    op.execute("create index on app.prospect_scores (model_version)")


def downgrade() -> None:
    for table in ("app.prospect_scores", "app.model_deployments", "app.model_registry"):
        op.execute(f"drop table if exists {table}")
