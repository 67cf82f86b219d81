"""Discovery to golden prospects: candidate records, source records, prospects, field decisions, inbox, outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PROSPECT_STATUSES = (
    "discovered", "enriched", "scored", "contacted", "responded", "interested",
    "converted", "verified", "suppressed", "disqualified",
)


def upgrade() -> None:
    # Every discovery source lands here in one shape (outreach.discovery.records.CandidateRecord), one row per
    # source record and day; contact data encrypted, the remaining fields as JSON.
    op.execute(
        """
        create table raw.candidate_records (
          partition_date date not null,
          source text not null,
          source_record_id text not null,
          fetched_at timestamptz not null,
          business_name text,
          contact_name_enc bytea,
          email_enc bytea,
          phone_enc bytea,
          record jsonb not null,
          primary key (partition_date, source, source_record_id)
        )
        """
    )
    # The latest enriched version of each source record, across days: what entity resolution clusters.
    op.execute(
        """
        create table app.source_records (
          source text not null,
          source_record_id text not null,
          first_seen_on date not null,
          last_seen_on date not null,
          business_name text,
          contact_name_enc bytea,
          email_enc bytea,
          phone_enc bytea,
          email_bidx bytea,
          phone_bidx bytea,
          enriched jsonb not null,
          prospect_id uuid,
          prospect_mapped_at timestamptz,
          updated_at timestamptz not null default now(),
          primary key (source, source_record_id)
        )
        """
    )
    op.execute("create index on app.source_records (prospect_id)")
    op.execute("create index on app.source_records (last_seen_on)")
    statuses = ", ".join(f"'{s}'" for s in PROSPECT_STATUSES)
    op.execute(
        f"""
        create table app.prospects (
          prospect_id uuid primary key,
          status text not null default 'discovered' check (status in ({statuses})),
          business_name text,
          contact_name_enc bytea,
          email_enc bytea,
          phone_enc bytea,
          email_bidx bytea,
          phone_bidx bytea,
          street text,
          city text,
          state text,
          postal_code text,
          region text,
          timezone text,
          email_domain text,
          website_domain text,
          phone_line_type text,
          is_email_valid boolean not null default false,
          is_phone_valid boolean not null default false,
          is_sms_eligible boolean not null default false,
          license_number text,
          license_state text,
          license_status text,
          license_expires_on date,
          license_age_years double precision,
          business_type text,
          specialties text[] not null default '{{}}',
          rating double precision,
          review_count integer,
          referred_by_user_id uuid,
          sources text[] not null default '{{}}',
          source_record_count integer not null default 0,
          field_confidence jsonb not null default '{{}}',
          registered_user_id uuid,
          registration_checked_at timestamptz,
          user_id uuid,
          converted_at timestamptz,
          verification_status text check (verification_status in ('verified', 'rejected')),
          verification_reasons text[],
          verified_at timestamptz,
          status_changed_at timestamptz,
          discovered_at timestamptz not null,
          updated_at timestamptz not null default now()
        )
        """
    )
    op.execute("create index on app.prospects (email_bidx)")
    op.execute("create index on app.prospects (phone_bidx)")
    op.execute("create index on app.prospects (status)")
    op.execute(
        """
        create table app.prospect_field_decisions (
          prospect_id uuid not null references app.prospects (prospect_id) on delete cascade,
          field text not null,
          chosen_source text,
          confidence double precision,
          reason text not null,
          considered jsonb not null,
          decided_at timestamptz not null default now(),
          primary key (prospect_id, field)
        )
        """
    )
    # Published events, written in the same transaction as the state change they report; a relay delivers them.
    op.execute(
        """
        create table app.outbox_events (
          event_id uuid primary key,
          type text not null,
          subject text,
          occurred_at timestamptz not null,
          data jsonb not null,
          traceparent text,
          status text not null default 'pending' check (status in ('pending', 'delivered', 'dead')),
          attempts integer not null default 0,
          next_attempt_at timestamptz not null default now(),
          last_error text,
          created_at timestamptz not null default now(),
          delivered_at timestamptz
        )
        """
    )
    op.execute("create index on app.outbox_events (status, next_attempt_at)")
    # Consumed events, stored durably before they are acknowledged; (source, event_id) deduplicates. Their data
    # may carry contact details (replies, sign-ups, referrals), so it is stored encrypted.
    op.execute(
        """
        create table app.inbox_events (
          inbox_id bigint generated always as identity primary key,
          source text not null,
          event_id text not null,
          type text not null,
          subject text,
          occurred_at timestamptz not null,
          data_enc bytea not null,
          traceparent text,
          received_at timestamptz not null default now(),
          status text not null default 'pending'
            check (status in ('pending', 'processed', 'failed', 'dead')),
          attempts integer not null default 0,
          next_attempt_at timestamptz not null default now(),
          last_error text,
          processed_at timestamptz,
          unique (source, event_id)
        )
        """
    )
    op.execute("create index on app.inbox_events (type, inbox_id)")
    op.execute("create index on app.inbox_events (status, next_attempt_at)")


def downgrade() -> None:
    for table in (
        "app.inbox_events", "app.outbox_events", "app.prospect_field_decisions", "app.prospects",
        "app.source_records", "raw.candidate_records",
    ):
        op.execute(f"drop table if exists {table}")
