"""Personalization cache and LLM usage.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # What a model wrote for one template version, variant, channel and set of facts (key = hash of all of them),
    # so composing the same message again costs nothing. Person names are stored as placeholders.
    op.execute(
        """
        create table app.personalization_cache (
          key text primary key,
          template_id text not null,
          template_version integer not null check (template_version >= 1),
          variant text not null,
          channel text not null check (channel in ('email', 'sms')),
          content jsonb not null,
          method text not null check (method in ('llm', 'template')),
          model text,
          created_at timestamptz not null default now()
        )
        """
    )
    op.execute("create index on app.personalization_cache (template_id, template_version)")
    op.execute("create index on app.personalization_cache (created_at)")
    # Tokens and estimated cost of every model call (used or not), per campaign.
    op.execute(
        """
        create table app.llm_usage (
          usage_id bigint generated always as identity primary key,
          campaign_id uuid,
          template_id text,
          model text not null,
          prompt_tokens integer not null check (prompt_tokens >= 0),
          completion_tokens integer not null check (completion_tokens >= 0),
          cost_usd_micros bigint not null check (cost_usd_micros >= 0),
          outcome text not null,
          at timestamptz not null default now()
        )
        """
    )
    op.execute("create index on app.llm_usage (campaign_id, at)")


def downgrade() -> None:
    op.execute("drop table if exists app.llm_usage")
    op.execute("drop table if exists app.personalization_cache")
