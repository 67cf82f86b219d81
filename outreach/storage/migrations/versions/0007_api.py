"""Inbound API: privacy requests, the audit log of personal-data reads, and Idempotency-Key records.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Data-subject requests as received; a later job fulfils them (status, completed_at, the encrypted export).
    # The subject's contacts are encrypted, with blind indexes so that job finds every record without decrypting.
    op.execute(
        """
        create table app.privacy_requests (
          request_id uuid primary key,
          kind text not null check (kind in ('access', 'erasure')),
          status text not null default 'received' check (status in ('received', 'completed', 'rejected')),
          email_enc bytea,
          phone_enc bytea,
          email_bidx bytea,
          phone_bidx bytea,
          requested_by text not null,
          created_at timestamptz not null default now(),
          completed_at timestamptz,
          export_enc bytea,
          check (email_bidx is not null or phone_bidx is not null)
        )
        """
    )
    op.execute("create index on app.privacy_requests (status, created_at)")
    op.execute("create index on app.privacy_requests (email_bidx)")
    op.execute("create index on app.privacy_requests (phone_bidx)")
    # Who read which personal fields of whom, and why (the endpoint or job); append-only.
    op.execute(
        """
        create table app.audit_log (
          audit_id bigint generated always as identity primary key,
          occurred_at timestamptz not null default now(),
          actor text not null,
          action text not null,
          purpose text not null,
          subject_kind text not null,
          subject_ids text[] not null,
          fields text[] not null default '{}',
          details jsonb not null default '{}'
        )
        """
    )
    op.execute("create index on app.audit_log (occurred_at)")
    op.execute("create index on app.audit_log (actor, occurred_at)")
    # Writes with an Idempotency-Key, per client and endpoint: the original answer is replayed for the same body.
    # Kept at least 24 h (the contract); a purge may drop older rows by created_at.
    op.execute(
        """
        create table app.api_idempotency (
          client_id text not null,
          endpoint text not null,
          idempotency_key text not null,
          request_hash bytea not null,
          status_code integer not null,
          response jsonb not null,
          created_at timestamptz not null default now(),
          primary key (client_id, endpoint, idempotency_key)
        )
        """
    )
    op.execute("create index on app.api_idempotency (created_at)")


def downgrade() -> None:
    for table in ("app.api_idempotency", "app.audit_log", "app.privacy_requests"):
        op.execute(f"drop table if exists {table}")
