"""Postgres side of personalization: the cache of model-written drafts and the usage ledger.

Functions take a psycopg connection and do not commit: the caller's transaction decides (the same one that records
the messages, typically).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb


@dataclass(frozen=True)
class CachedContent:
    key: str
    template_id: str
    template_version: int
    variant: str
    channel: str
    content: dict[str, Any]
    method: str
    model: str | None


@dataclass(frozen=True)
class UsageTotals:
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd_micros: int

    @property
    def cost_usd(self) -> float:
        return self.cost_usd_micros / 1_000_000


def get_cached(conn: psycopg.Connection, key: str) -> CachedContent | None:
    row = conn.execute(
        "select key, template_id, template_version, variant, channel, content, method, model "
        "from app.personalization_cache where key = %s",
        (key,),
    ).fetchone()
    return CachedContent(*row) if row else None


def put_cached(
    conn: psycopg.Connection,
    *,
    key: str,
    template_id: str,
    template_version: int,
    variant: str,
    channel: str,
    content: dict[str, Any],
    method: str,
    model: str | None,
) -> None:
    """Store a draft once (a concurrent writer of the same key wins; both wrote from the same facts)."""
    conn.execute(
        "insert into app.personalization_cache "
        "(key, template_id, template_version, variant, channel, content, method, model) "
        "values (%s, %s, %s, %s, %s, %s, %s, %s) on conflict (key) do nothing",
        (key, template_id, template_version, variant, channel, Jsonb(content), method, model),
    )


def insert_usage(
    conn: psycopg.Connection,
    *,
    campaign_id: UUID | None,
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    cost_usd_micros: int,
    outcome: str,
    template_id: str | None = None,
) -> None:
    conn.execute(
        "insert into app.llm_usage "
        "(campaign_id, template_id, model, prompt_tokens, completion_tokens, cost_usd_micros, outcome) "
        "values (%s, %s, %s, %s, %s, %s, %s)",
        (campaign_id, template_id, model, prompt_tokens, completion_tokens, cost_usd_micros, outcome),
    )


def usage_totals(conn: psycopg.Connection, campaign_id: UUID | None) -> UsageTotals:
    """Model calls, tokens and cost of one campaign (None: calls made outside any campaign)."""
    row = conn.execute(
        "select count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), "
        "coalesce(sum(cost_usd_micros), 0) from app.llm_usage where campaign_id is not distinct from %s",
        (campaign_id,),
    ).fetchone()
    assert row is not None
    return UsageTotals(*(int(value) for value in row))
