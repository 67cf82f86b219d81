"""Privacy: the current consent state derived from the ledger, and the indexes DSAR and the audit queries need.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The current consent state per contact and channel: the latest ledger entry for that channel or for 'all'
    # (an opt-out on any channel is recorded for 'all'). Derived, never written: the ledger is the truth.
    op.execute(
        """
        create view app.consent_current as
        select distinct on (l.contact_kind, l.contact_bidx, c.channel)
          l.contact_kind, l.contact_bidx, c.channel, l.state, l.basis, l.evidence, l.recorded_at, l.entry_id,
          l.prospect_id
        from app.consent_ledger l
        cross join (values ('email'), ('sms')) as c (channel)
        where l.channel in (c.channel, 'all')
        order by l.contact_kind, l.contact_bidx, c.channel, l.entry_id desc
        """
    )
    # DSAR: find source records by blind index, published events and audit rows by prospect id.
    op.execute("create index source_records_email_bidx on app.source_records (email_bidx)")
    op.execute("create index source_records_phone_bidx on app.source_records (phone_bidx)")
    op.execute("create index outbox_events_subject on app.outbox_events (subject)")
    op.execute("create index audit_log_subject_ids on app.audit_log using gin (subject_ids)")


def downgrade() -> None:
    for index in ("audit_log_subject_ids", "outbox_events_subject", "source_records_phone_bidx",
                  "source_records_email_bidx"):
        op.execute(f"drop index if exists app.{index}")
    op.execute("drop view if exists app.consent_current")
