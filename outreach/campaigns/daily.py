"""The daily outreach run: seed campaigns from the repo's YAML, then one batch per active campaign.

The Dagster asset, the schedule and `outreach send` all go through `run_campaign`, so a batch run by hand is the
same code as a scheduled one.
"""

from __future__ import annotations

from datetime import date

import psycopg

from integrations.instabids import InstaBidsClients
from outreach.campaigns.batch import BatchResult, run_batch
from outreach.campaigns.personalized import build_composer
from outreach.campaigns.seed import active_campaign_ids, seed_campaigns
from outreach.privacy.crypto import BlindIndexer, PiiCipher


def run_campaign(conn: psycopg.Connection, clients: InstaBidsClients, campaign_id: str, day: date,
                 cipher: PiiCipher, indexer: BlindIndexer) -> BatchResult:
    composer = build_composer(conn)
    conn.commit()
    return run_batch(conn, clients, campaign_id, day, composer, cipher, indexer)


def run_all_campaigns(conn: psycopg.Connection, clients: InstaBidsClients, day: date, cipher: PiiCipher,
                      indexer: BlindIndexer) -> dict[str, BatchResult]:
    seed_campaigns(conn)
    conn.commit()
    return {campaign_id: run_campaign(conn, clients, campaign_id, day, cipher, indexer)
            for campaign_id in active_campaign_ids(conn)}
