"""Campaigns (with their steps and A/B variants), outreach messages (one row per idempotency key) and incentives.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

MESSAGE_STATUSES = (
    "pending", "sent", "rejected", "cancelled", "delivered", "bounced", "failed", "opened", "clicked",
    "complained", "unsubscribed", "replied",
)  # fmt: skip
INCENTIVE_STATUSES = ("requested", "pending", "issued", "failed", "cancelled", "rejected")


def upgrade() -> None:
    # Seeded from campaigns/*.yaml (outreach.campaigns.seed); `definition` is the whole validated campaign, the
    # columns beside it are what SQL and dashboards filter on. (`title`/`label` rather than `name`: columns named
    # like contact data are reserved for encrypted values, tests/integration/test_migrations.py.)
    op.execute(
        """
        create table app.campaigns (
          campaign_id uuid primary key,
          title text not null,
          status text not null check (status in ('draft', 'active', 'paused', 'archived')),
          channels text[] not null,
          send_time time not null,
          daily_cap integer not null check (daily_cap > 0),
          has_incentive boolean not null default false,
          definition jsonb not null,
          definition_sha256 text not null,
          source_file text,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )
        """
    )
    op.execute(
        """
        create table app.campaign_steps (
          campaign_id uuid not null references app.campaigns (campaign_id) on delete cascade,
          step integer not null check (step >= 0),
          label text not null,
          delay_days integer not null check (delay_days >= 0),
          channel text check (channel in ('email', 'sms')),
          template_id text not null,
          definition jsonb not null,
          primary key (campaign_id, step)
        )
        """
    )
    op.execute(
        """
        create table app.campaign_variants (
          campaign_id uuid not null references app.campaigns (campaign_id) on delete cascade,
          label text not null,
          description text not null default '',
          prior_alpha double precision not null check (prior_alpha > 0),
          prior_beta double precision not null check (prior_beta > 0),
          definition jsonb not null,
          primary key (campaign_id, label)
        )
        """
    )
    # One row per message and idempotency key, written `pending` before Messaging is called and updated after, so a
    # batch killed midway and run again re-sends exactly the pending rows with their keys (Messaging replays them).
    # `payload_enc` is the exact wire message (it holds the address, hence encrypted): a re-send is byte-identical.
    statuses = ", ".join(f"'{s}'" for s in MESSAGE_STATUSES)
    op.execute(
        f"""
        create table app.outreach_messages (
          idempotency_key text primary key,
          prospect_id uuid not null,
          campaign_id uuid not null references app.campaigns (campaign_id),
          step integer not null check (step >= 0),
          channel text not null check (channel in ('email', 'sms')),
          variant text not null,
          template_id text not null,
          composer text not null,
          status text not null default 'pending' check (status in ({statuses})),
          message_id uuid unique,
          error_code text,
          batch_date date not null,
          scheduled_at timestamptz not null,
          payload_enc bytea,
          attempts integer not null default 0,
          created_at timestamptz not null default now(),
          sent_at timestamptz,
          status_updated_at timestamptz not null default now()
        )
        """
    )
    op.execute("create index on app.outreach_messages (prospect_id, scheduled_at)")
    op.execute("create index on app.outreach_messages (campaign_id, batch_date)")
    op.execute("create index on app.outreach_messages (campaign_id) where status = 'pending'")
    op.execute(
        "comment on column app.outreach_messages.scheduled_at is "
        "'Clock of the batch that planned (then sent) the message: partition date + campaign send time, UTC. "
        "Eligibility counts from it; sent_at is the wall time Messaging accepted the message.'"
    )
    op.execute(
        "comment on column app.outreach_messages.payload_enc is "
        "'The wire message sent to Messaging, encrypted (it holds the recipient); cleared once sent.'"
    )
    statuses = ", ".join(f"'{s}'" for s in INCENTIVE_STATUSES)
    op.execute(
        f"""
        create table app.incentives (
          idempotency_key text primary key,
          incentive_id uuid unique,
          prospect_id uuid not null,
          campaign_id uuid not null references app.campaigns (campaign_id),
          recipient_user_id uuid not null,
          kind text not null check (kind in ('signup_credit', 'referral_bonus')),
          amount_cents integer not null check (amount_cents > 0),
          currency text not null,
          status text not null default 'requested' check (status in ({statuses})),
          error_code text,
          status_updated_at timestamptz,
          last_polled_at timestamptz,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          unique (prospect_id, campaign_id, kind)
        )
        """
    )
    op.execute("create index on app.incentives (status) where status in ('requested', 'pending')")


def downgrade() -> None:
    for table in (
        "app.incentives",
        "app.outreach_messages",
        "app.campaign_variants",
        "app.campaign_steps",
        "app.campaigns",
    ):
        op.execute(f"drop table if exists {table}")
