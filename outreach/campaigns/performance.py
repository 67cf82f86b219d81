"""Campaign performance from the campaign mart, announced as CampaignPerformanceUpdatedEvents.

After dbt rebuilt `marts.campaign_performance_daily` for a day, every campaign with activity that day is announced
with its figures from its start to the end of the day: the same numbers the API answers for that window
(`GET /ai-outreach/campaigns/analytics?campaign_id=...&to=<the next midnight>`). Counts are distinct prospects,
because the mart counts each prospect once, on the day of its first such event in the campaign; the conversion
rate is converted / sent (0 when nothing was sent).

The event id derives from the campaign, the window and the figures: re-running a day whose figures did not move
publishes nothing, while a day restated by late replies or sign-ups is announced again with its new figures.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import psycopg

from outreach.events.outbox import publish

EVENT_TYPE = "CampaignPerformanceUpdatedEvent"
MART = "marts.campaign_performance_daily"
COUNTS = ("sent", "delivered", "responded", "interested", "converted")


@dataclass(frozen=True)
class CampaignPerformance:
    """One campaign's figures over [window_start, window_end); counts are distinct prospects."""

    campaign_id: str
    window_start: datetime
    window_end: datetime
    sent: int
    delivered: int
    responded: int
    interested: int
    converted: int

    @property
    def conversion_rate(self) -> float:
        """converted / sent, 0 without sends; capped at 1 (the mart's own test keeps converted <= sent)."""
        return round(min(1.0, self.converted / self.sent), 4) if self.sent else 0.0

    def event_data(self) -> dict:
        return {
            "campaign_id": self.campaign_id,
            "window_start": self.window_start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "window_end": self.window_end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **{name: getattr(self, name) for name in COUNTS},
            "conversion_rate": self.conversion_rate,
        }

    def event_key(self) -> str:
        """What the event is about, figures included: the same figures give the same event id."""
        digest = hashlib.sha256(json.dumps(self.event_data(), sort_keys=True).encode()).hexdigest()[:16]
        return f"{self.campaign_id}:{self.window_start.isoformat()}:{self.window_end.isoformat()}:{digest}"


@dataclass(frozen=True)
class PublishResult:
    published: int
    unchanged: int


def campaigns_active_on(conn: psycopg.Connection, day: date) -> list[CampaignPerformance]:
    """The figures from its start to the end of `day` of every campaign with a row in the mart on `day`."""
    window_end = datetime.combine(day + timedelta(days=1), time(), UTC)
    sums = ", ".join(f"coalesce(sum({name}), 0)::bigint" for name in COUNTS)
    rows = conn.execute(
        f"select campaign_id::text, min(campaign_started_at), {sums} from {MART} where activity_date <= %s "
        f"and campaign_id in (select campaign_id from {MART} where activity_date = %s) "
        "group by campaign_id order by campaign_id",
        (day, day),
    ).fetchall()
    return [
        CampaignPerformance(campaign_id, min(started_at, window_end), window_end, *(int(v) for v in counts))
        for campaign_id, started_at, *counts in rows
    ]


def publish_campaign_performance(conn: psycopg.Connection, day: date, now: datetime) -> PublishResult:
    """Queue one CampaignPerformanceUpdatedEvent per campaign active on `day`, in the caller's transaction."""
    published = unchanged = 0
    for performance in campaigns_active_on(conn, day):
        queued = publish(conn, EVENT_TYPE, key=performance.event_key(), data=performance.event_data(),
                         subject=performance.campaign_id, occurred_at=min(now, performance.window_end))
        published += queued
        unchanged += not queued
    return PublishResult(published, unchanged)
