"""Campaigns from the repository's YAML into the database, and back out for a batch.

`seed_campaigns` upserts each campaign with its steps and variants; a campaign whose definition did not change is
left untouched, so seeding on every deploy (or every run) is idempotent. Campaigns deleted from the YAML stay in
the database (their messages reference them); set `status: archived` to retire one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import psycopg

from outreach.campaigns.models import DEFAULT_CAMPAIGNS_DIR, Campaign, load_campaigns


@dataclass(frozen=True)
class SeedResult:
    inserted: int
    updated: int
    unchanged: int


class CampaignNotFound(LookupError):
    """No campaign with this id in `app.campaigns` (seed it first)."""


def seed_campaigns(
    conn: psycopg.Connection,
    campaigns: Iterable[Campaign] | None = None,
    *,
    directory: Path = DEFAULT_CAMPAIGNS_DIR,
) -> SeedResult:
    """Upsert `campaigns` (default: every file of `directory`) in one transaction; returns what changed."""
    items = list(campaigns) if campaigns is not None else load_campaigns(directory)
    inserted = updated = unchanged = 0
    with conn.transaction():
        for campaign in items:
            row = conn.execute(
                "select definition_sha256 from app.campaigns where campaign_id = %s", (campaign.id,)
            ).fetchone()
            fingerprint = campaign.fingerprint()
            if row is not None and row[0] == fingerprint:
                unchanged += 1
                continue
            _upsert(conn, campaign, fingerprint)
            if row is None:
                inserted += 1
            else:
                updated += 1
    return SeedResult(inserted=inserted, updated=updated, unchanged=unchanged)


def _upsert(conn: psycopg.Connection, campaign: Campaign, fingerprint: str) -> None:
    conn.execute(
        "insert into app.campaigns (campaign_id, title, status, channels, send_time, daily_cap, has_incentive, "
        "definition, definition_sha256) values (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "on conflict (campaign_id) do update set title = excluded.title, status = excluded.status, "
        "channels = excluded.channels, send_time = excluded.send_time, daily_cap = excluded.daily_cap, "
        "has_incentive = excluded.has_incentive, definition = excluded.definition, "
        "definition_sha256 = excluded.definition_sha256, updated_at = now()",
        (
            campaign.id,
            campaign.name,
            campaign.status,
            list(campaign.channels),
            campaign.send_time,
            campaign.daily_cap,
            campaign.incentive is not None,
            json.dumps(campaign.definition()),
            fingerprint,
        ),
    )
    conn.execute("delete from app.campaign_steps where campaign_id = %s", (campaign.id,))
    conn.execute("delete from app.campaign_variants where campaign_id = %s", (campaign.id,))
    with conn.cursor() as cur:
        cur.executemany(
            "insert into app.campaign_steps (campaign_id, step, label, delay_days, channel, template_id, definition) "
            "values (%s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    campaign.id,
                    index,
                    step.name,
                    step.delay_days,
                    step.channel,
                    step.template_id,
                    json.dumps(step.model_dump(mode="json")),
                )
                for index, step in enumerate(campaign.steps)
            ],
        )
        cur.executemany(
            "insert into app.campaign_variants (campaign_id, label, description, prior_alpha, prior_beta, "
            "definition) values (%s, %s, %s, %s, %s, %s)",
            [
                (
                    campaign.id,
                    v.label,
                    v.description,
                    v.prior_alpha,
                    v.prior_beta,
                    json.dumps(v.model_dump(mode="json")),
                )
                for v in campaign.variants
            ],
        )


def load_campaign(conn: psycopg.Connection, campaign_id: UUID | str) -> Campaign:
    """The campaign as stored (the database, not the YAML, is what a batch runs)."""
    row = conn.execute("select definition from app.campaigns where campaign_id = %s", (str(campaign_id),)).fetchone()
    if row is None:
        raise CampaignNotFound(f"no campaign {campaign_id} in app.campaigns; seed the campaigns first")
    return Campaign.model_validate(row[0])


def active_campaign_ids(conn: psycopg.Connection) -> list[str]:
    """Ids of the campaigns the daily schedule runs, in a stable order."""
    rows = conn.execute("select campaign_id from app.campaigns where status = 'active' order by campaign_id")
    return [str(r[0]) for r in rows]
