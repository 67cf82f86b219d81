"""Analytics: the status history of outreach messages, for the campaign funnel marts.

`app.outreach_messages` keeps only a message's latest status (statuses move forward: a `replied` row was
`delivered` and `opened` before). The funnel counts prospects on the day each milestone was *first* reached, so
every status a message takes is also appended here, with its time, by a trigger: the writers (delivery, the
Messaging event handlers) stay unaware of it, and no status change can be missed.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        create table app.outreach_message_status_changes (
          change_id bigint generated always as identity primary key,
          idempotency_key text not null references app.outreach_messages (idempotency_key) on delete cascade,
          status text not null,
          changed_at timestamptz not null
        )
        """
    )
    op.execute("create index on app.outreach_message_status_changes (idempotency_key, status)")
    op.execute(
        """
        create function app.record_outreach_message_status() returns trigger language plpgsql as $$
        begin
          insert into app.outreach_message_status_changes (idempotency_key, status, changed_at)
          values (new.idempotency_key, new.status, new.status_updated_at);
          return null;
        end
        $$
        """
    )
    op.execute(
        "create trigger outreach_message_status_inserted after insert on app.outreach_messages "
        "for each row execute function app.record_outreach_message_status()"
    )
    op.execute(
        "create trigger outreach_message_status_updated after update of status on app.outreach_messages "
        "for each row when (old.status is distinct from new.status) "
        "execute function app.record_outreach_message_status()"
    )
    # Messages written before this migration: their current status is all that is known of their history.
    op.execute(
        "insert into app.outreach_message_status_changes (idempotency_key, status, changed_at) "
        "select idempotency_key, status, status_updated_at from app.outreach_messages"
    )


def downgrade() -> None:
    op.execute("drop trigger if exists outreach_message_status_updated on app.outreach_messages")
    op.execute("drop trigger if exists outreach_message_status_inserted on app.outreach_messages")
    op.execute("drop function if exists app.record_outreach_message_status()")
    op.execute("drop table if exists app.outreach_message_status_changes")
