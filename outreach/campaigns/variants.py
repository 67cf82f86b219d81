"""A/B variants allocated by Thompson sampling on the replies observed so far.

Each variant's reply rate has a Beta posterior: Beta(prior_alpha + replies, prior_beta + non-replies), counted per
prospect over the campaign's initial messages that reached Messaging in batches before this one (a prospect whose
sequence got a `replied` message is a success, unless every analysed reply of theirs in the campaign is an
auto-reply or a wrong contact: an out-of-office says nothing about the wording). For each new prospect the batch
draws one rate per variant and gives the prospect the variant with the highest draw, so better variants get more
traffic while every variant keeps being explored.

The draws come from an RNG seeded with (campaign, batch day), and prospects are drawn for in id order: the same
batch over the same data allocates the same variants.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import psycopg

from outreach.campaigns.models import Campaign


@dataclass(frozen=True)
class VariantStats:
    label: str
    trials: int
    successes: int
    prior_alpha: float = 1.0
    prior_beta: float = 1.0

    @property
    def alpha(self) -> float:
        return self.prior_alpha + self.successes

    @property
    def beta(self) -> float:
        return self.prior_beta + max(self.trials - self.successes, 0)

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


def batch_rng(campaign_id: str, day: date) -> np.random.Generator:
    """The batch's RNG: a pure function of the campaign and the partition day."""
    digest = hashlib.sha256(f"variants|{str(campaign_id).lower()}|{day.isoformat()}".encode()).digest()
    return np.random.Generator(np.random.PCG64(int.from_bytes(digest[:16], "big")))


def observed_responses(conn: psycopg.Connection, campaign: Campaign, before: datetime) -> dict[str, tuple[int, int]]:
    """variant -> (trials, successes) from `app.outreach_messages`: prospects whose initial message was accepted
    before `before`, and those of them with a replied message in the campaign, not counting those whose analysed
    replies there are all auto-replies or wrong contacts."""
    rows = conn.execute(
        """
        with firsts as (
          select distinct on (prospect_id) prospect_id, variant
          from app.outreach_messages
          where campaign_id = %(campaign)s and step = 0 and message_id is not null
            and scheduled_at < %(before)s
          order by prospect_id, scheduled_at
        ), replied as (
          select distinct m.prospect_id from app.outreach_messages m
          where m.campaign_id = %(campaign)s and m.status = 'replied'
            and not exists (
              select 1 from app.prospect_responses r
              where r.prospect_id = m.prospect_id and r.campaign_id = m.campaign_id
              having count(*) > 0 and bool_and(r.intent in ('auto_reply', 'wrong_contact'))
            )
        )
        select f.variant, count(*), count(r.prospect_id)
        from firsts f left join replied r using (prospect_id)
        group by f.variant
        """,
        {"campaign": campaign.campaign_id, "before": before},
    )
    return {variant: (int(trials), int(successes)) for variant, trials, successes in rows}


def variant_stats(campaign: Campaign, observed: Mapping[str, tuple[int, int]]) -> list[VariantStats]:
    """Posterior parameters of each of the campaign's variants (unobserved ones keep their prior)."""
    return [
        VariantStats(v.label, *observed.get(v.label, (0, 0)), prior_alpha=v.prior_alpha, prior_beta=v.prior_beta)
        for v in campaign.variants
    ]


def assign_variants(prospect_ids: Iterable[str], stats: list[VariantStats], rng: np.random.Generator) -> dict[str, str]:
    """prospect id -> variant label, one Thompson draw per prospect (in sorted id order)."""
    ids = sorted(set(prospect_ids))
    if not ids:
        return {}
    alphas = np.array([s.alpha for s in stats])
    betas = np.array([s.beta for s in stats])
    draws = rng.beta(alphas, betas, size=(len(ids), len(stats)))
    winners = draws.argmax(axis=1)
    return {pid: stats[int(i)].label for pid, i in zip(ids, winners, strict=True)}
