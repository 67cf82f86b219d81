"""Reply follow-ups: the sequence step each reply answers, and contacts disqualified by a wrong-contact reply.

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-25
"""

from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # What a reply means for the campaign's sequence is decided once, when it is analyzed (the `action`); the next
    # batch reads it back: which step it answered (the message replied to, else the prospect's latest message of the
    # campaign) and, for an auto-reply, how many days the next step waits past its own delay.
    op.execute("alter table app.prospect_responses add column step integer check (step >= 0)")
    op.execute(
        "alter table app.prospect_responses add column reschedule_days integer check (reschedule_days >= 0)"
    )
    op.execute(
        "comment on column app.prospect_responses.step is "
        "'Step of the campaign sequence the reply answers; null when it answers no message of ours.'"
    )
    # A contact that reaches the wrong person (a wrong-contact reply) is never used again, for any prospect, while the
    # prospect's other contact still may be. Keyed like the suppression list, by blind index: no contact is stored.
    op.execute(
        """
        create table app.disqualified_contacts (
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
    op.execute("create index on app.disqualified_contacts (prospect_id)")


def downgrade() -> None:
    op.execute("drop table if exists app.disqualified_contacts")
    op.execute("alter table app.prospect_responses drop column if exists reschedule_days")
    op.execute("alter table app.prospect_responses drop column if exists step")
