"""Consent ledger and suppressions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every consent change, append-only, with its legal basis and evidence; the current state derives from it.
    op.execute(
        """
        create table app.consent_ledger (
          entry_id bigint generated always as identity primary key,
          prospect_id uuid,
          contact_kind text not null check (contact_kind in ('email', 'phone')),
          contact_bidx bytea not null,
          channel text not null check (channel in ('email', 'sms', 'all')),
          state text not null check (state in ('granted', 'revoked')),
          basis text not null,
          evidence jsonb not null default '{}',
          recorded_at timestamptz not null default now()
        )
        """
    )
    op.execute("create index on app.consent_ledger (contact_bidx)")
    op.execute("create index on app.consent_ledger (prospect_id)")
    # Who must never be contacted again, by contact blind index (so an erased subject stays suppressed).
    op.execute(
        """
        create table app.suppressions (
          contact_kind text not null check (contact_kind in ('email', 'phone')),
          contact_bidx bytea not null,
          reason text not null,
          prospect_id uuid,
          source_event text,
          created_at timestamptz not null default now(),
          primary key (contact_kind, contact_bidx)
        )
        """
    )
    op.execute("create index on app.suppressions (prospect_id)")


def downgrade() -> None:
    op.execute("drop table if exists app.suppressions")
    op.execute("drop table if exists app.consent_ledger")
