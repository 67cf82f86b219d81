"""Analyzed replies.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per inbound reply (Messaging's inbound message id): its intent and what we did. No reply text is kept.
    op.execute(
        """
        create table app.prospect_responses (
          message_id uuid primary key,
          prospect_id uuid not null,
          campaign_id uuid,
          in_reply_to_message_id uuid,
          channel text not null check (channel in ('email', 'sms')),
          intent text not null,
          confidence double precision not null,
          analyzed_by text not null,
          action text not null,
          received_at timestamptz not null,
          analyzed_at timestamptz not null default now()
        )
        """
    )
    op.execute("create index on app.prospect_responses (prospect_id)")
    op.execute("create index on app.prospect_responses (campaign_id, received_at)")


def downgrade() -> None:
    op.execute("drop table if exists app.prospect_responses")
