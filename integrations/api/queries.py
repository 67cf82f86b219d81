"""The reads of the API: prospect search over `app.prospects` (with `app.prospect_scores` for the current score
and `app.outreach_messages` for the last contact), and campaign and conversion analytics over dbt marts.

The marts are built by later work: each analytics read first probes whether its mart exists with the expected
columns, and answers empty results while it does not (never an error). Their expected shapes, derived from the
contract's response schemas:

`marts.campaign_performance_daily` — one row per campaign and UTC day with activity (`CampaignAnalytics`):
    campaign_id uuid, campaign_name text, channel text ('email'|'sms'), campaign_started_at timestamptz,
    activity_date date, prospects_targeted bigint (audience size as of that day), sent, delivered, bounced, opened,
    responded, interested, opted_out, converted, verified bigint — prospects whose *first* such event in the
    campaign fell on that day, so a sum over days counts distinct prospects — cost_cents bigint (messaging fees,
    model usage and incentives that day), currency text (ISO 4217).
    The API sums the days of the window (whole UTC days: `from`'s day up to the day `to` falls in), takes
    `prospects_targeted` of the window's last day and derives response_rate = responded / delivered and
    conversion_rate = converted / sent (0 when the denominator is 0).

`marts.prospect_conversion_metrics` — one row per prospect and grouping it belongs to (`ConversionMetric`):
    prospect_id uuid, prospect_created_at timestamptz, dimension text ('specialty'|'region'|'campaign'|'source'|
    'channel'), group_value text (the specialty, region slug, campaign_id, source slug or channel), is_contacted
    boolean (at least one message sent), is_converted boolean, days_to_convert double precision (first message to
    conversion; null unless converted). A prospect in several campaigns or channels has a row for each.
    The API counts distinct prospects per group for the cohort created in [from, to) and takes the median of
    days_to_convert over the converted ones.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Relation:
    schema: str
    table: str
    columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def identifier(self) -> sql.Identifier:
        return sql.Identifier(self.schema, self.table)


CAMPAIGN_PERFORMANCE = Relation("marts", "campaign_performance_daily", (
    "campaign_id", "campaign_name", "channel", "campaign_started_at", "activity_date", "prospects_targeted",
    "sent", "delivered", "bounced", "opened", "responded", "interested", "opted_out", "converted", "verified",
    "cost_cents", "currency",
))
CONVERSION_METRICS = Relation("marts", "prospect_conversion_metrics", (
    "prospect_id", "prospect_created_at", "dimension", "group_value", "is_contacted", "is_converted",
    "days_to_convert",
))

COUNTS = ("sent", "delivered", "bounced", "opened", "responded", "interested", "opted_out", "converted", "verified")


async def available(conn: psycopg.AsyncConnection, *relations: Relation) -> set[Relation]:
    """Those of `relations` that exist with every expected column."""
    cursor = await conn.execute(
        "select table_schema, table_name, array_agg(column_name::text) from information_schema.columns "
        "where (table_schema || '.' || table_name) = any(%s) group by table_schema, table_name",
        ([r.name for r in relations],),
    )
    found = {(schema, table): set(columns) for schema, table, columns in await cursor.fetchall()}
    present = set()
    for relation in relations:
        columns = found.get((relation.schema, relation.table))
        if columns is None:
            continue
        if missing := set(relation.columns) - columns:
            log.warning("%s lacks columns %s; reading it as absent", relation.name, ", ".join(sorted(missing)))
            continue
        present.add(relation)
    return present


def iso(moment: datetime | None) -> str | None:
    """The contract's Timestamp: RFC 3339 in UTC with `Z`."""
    if moment is None:
        return None
    text = moment.astimezone(UTC).isoformat(timespec="microseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def ratio(numerator: int, denominator: int) -> float:
    """A Fraction: 0 when the denominator is 0, capped at 1 should the inputs disagree."""
    return min(1.0, numerator / denominator) if denominator else 0.0


# -- prospect search -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProspectFilters:
    q: str | None = None
    email_bidx: bytes | None = None
    phone_bidx: bytes | None = None
    specialty: str | None = None
    region: str | None = None
    status: str | None = None
    min_score: float | None = None


@dataclass(frozen=True)
class ProspectRow:
    prospect_id: str
    business_name: str
    contact_name_enc: bytes | None
    email_enc: bytes | None
    phone_enc: bytes | None
    specialties: list[str]
    region: str
    state: str
    city: str
    status: str
    score: float | None
    score_model_version: str | None
    last_contacted_at: datetime | None
    created_at: datetime
    business_name_matches: bool

    @property
    def sort_key(self) -> list[Any]:
        return [-1.0 if self.score is None else float(self.score), self.prospect_id]


async def search_prospects(conn: psycopg.AsyncConnection, filters: ProspectFilters,
                           after: list[Any] | None, limit: int | None) -> AsyncIterator[ProspectRow]:
    """Prospects matching every SQL-side filter, by score descending (nulls last) then id, after the keyset
    position `after` ([score or -1, prospect_id]). `q` is matched in SQL against business_name only
    (`business_name_matches`); the caller checks the encrypted contact_name of the other rows. Must run inside a
    transaction: rows stream through a server-side cursor, so a search that filters in Python stops early."""
    conditions = [sql.SQL("p.business_name is not null and p.region is not null and p.state is not null "
                          "and p.city is not null")]
    params: list[Any] = [filters.q or ""]
    if filters.q is not None:
        conditions.append(sql.SQL("(strpos(lower(p.business_name), lower(%s)) > 0 or p.contact_name_enc is not null)"))
        params.append(filters.q)
    for column, value in (("email_bidx", filters.email_bidx), ("phone_bidx", filters.phone_bidx),
                          ("region", filters.region), ("status", filters.status)):
        if value is not None:
            conditions.append(sql.SQL("p.{} = %s").format(sql.Identifier(column)))
            params.append(value)
    if filters.specialty is not None:
        conditions.append(sql.SQL("%s = any(p.specialties)"))
        params.append(filters.specialty)
    if filters.min_score is not None:
        conditions.append(sql.SQL("sc.score >= %s"))
        params.append(filters.min_score)
    inner = sql.SQL(
        "select p.prospect_id::text as prospect_id, p.business_name, p.contact_name_enc, p.email_enc, p.phone_enc, "
        "p.specialties, p.region, p.state, p.city, p.status, sc.score, sc.model_version, "
        "(select max(m.sent_at) from app.outreach_messages m where m.prospect_id = p.prospect_id) as contacted, "
        "p.discovered_at, strpos(lower(p.business_name), lower(%s)) > 0 as name_hit, "
        "coalesce(sc.score, -1.0) as sort_score "
        "from app.prospects p left join app.prospect_scores sc on sc.prospect_id = p.prospect_id where {conditions}"
    ).format(conditions=sql.SQL(" and ").join(conditions))
    outer = sql.SQL("select * from ({inner}) t").format(inner=inner)
    if after is not None:
        outer += sql.SQL(" where (t.sort_score < %s or (t.sort_score = %s and t.prospect_id::uuid > %s::uuid))")
        params += [after[0], after[0], after[1]]
    outer += sql.SQL(" order by t.sort_score desc, t.prospect_id::uuid")
    if limit is not None:
        outer += sql.SQL(" limit %s")
        params.append(limit)
    async with conn.cursor(name="prospect_search") as cursor:
        await cursor.execute(outer, params)
        while rows := await cursor.fetchmany(500):
            for r in rows:
                yield ProspectRow(r[0], r[1], r[2], r[3], r[4], list(r[5] or []), r[6], r[7], r[8], r[9], r[10],
                                  r[11], r[12], r[13], bool(r[14]) and filters.q is not None)


# -- analytics ---------------------------------------------------------------------------------------------------


def _day_after_window(end: datetime) -> date:
    """The first whole UTC day not in a window ending (exclusively) at `end`."""
    end = end.astimezone(UTC)
    midnight = end.replace(hour=0, minute=0, second=0, microsecond=0)
    return end.date() if end == midnight else end.date() + timedelta(days=1)


async def campaign_analytics(conn: psycopg.AsyncConnection, *, campaign_id: str | None, start: datetime | None,
                             end: datetime, after: str | None, limit: int) -> list[dict[str, Any]]:
    """`CampaignAnalytics` rows ordered by campaign_id, after `after`; at most `limit`; [] without the mart."""
    if CAMPAIGN_PERFORMANCE not in await available(conn, CAMPAIGN_PERFORMANCE):
        return []
    conditions = [sql.SQL("activity_date < %s")]
    params: list[Any] = [_day_after_window(end)]
    if start is not None:
        conditions.append(sql.SQL("activity_date >= %s"))
        params.append(start.astimezone(UTC).date())
    if campaign_id is not None:
        conditions.append(sql.SQL("campaign_id = %s::uuid"))
        params.append(campaign_id)
    if after is not None:
        conditions.append(sql.SQL("campaign_id > %s::uuid"))
        params.append(after)
    sums = sql.SQL(", ").join(
        sql.SQL("coalesce(sum({c}), 0)::bigint").format(c=sql.Identifier(c)) for c in (*COUNTS, "cost_cents")
    )
    query = sql.SQL(
        "select campaign_id::text, max(campaign_name), max(channel), "
        "coalesce(min(campaign_started_at), min(activity_date)::timestamptz), "
        "coalesce((array_agg(prospects_targeted order by activity_date desc))[1], 0)::bigint, {sums}, "
        "coalesce(max(currency), 'USD') "
        "from {relation} where {conditions} group by campaign_id order by campaign_id limit %s"
    ).format(sums=sums, relation=CAMPAIGN_PERFORMANCE.identifier, conditions=sql.SQL(" and ").join(conditions))
    cursor = await conn.execute(query, [*params, limit])
    items = []
    for row in await cursor.fetchall():
        campaign, name, channel, started_at, targeted = row[:5]
        counts = dict(zip(COUNTS, (int(v) for v in row[5:14]), strict=True))
        items.append({
            "campaign_id": campaign,
            "name": name,
            "channel": channel,
            "window_start": iso(start or started_at),
            "window_end": iso(end),
            "prospects_targeted": int(targeted),
            **counts,
            "response_rate": ratio(counts["responded"], counts["delivered"]),
            "conversion_rate": ratio(counts["converted"], counts["sent"]),
            "cost_cents": int(row[14]),
            "currency": row[15],
        })
    return items


async def conversion_metrics(conn: psycopg.AsyncConnection, *, group_by: str, start: datetime | None,
                             end: datetime, after: str | None, limit: int) -> list[dict[str, Any]]:
    """`ConversionMetric` rows ordered by group, after `after`; at most `limit`; [] without the mart."""
    if CONVERSION_METRICS not in await available(conn, CONVERSION_METRICS):
        return []
    conditions = [sql.SQL("dimension = %s and group_value is not null and prospect_created_at < %s")]
    params: list[Any] = [group_by, end]
    if start is not None:
        conditions.append(sql.SQL("prospect_created_at >= %s"))
        params.append(start)
    if after is not None:
        conditions.append(sql.SQL("group_value collate \"C\" > %s"))
        params.append(after)
    query = sql.SQL(
        "select group_value::text, count(distinct prospect_id), "
        "count(distinct prospect_id) filter (where is_contacted), "
        "count(distinct prospect_id) filter (where is_converted), "
        "percentile_cont(0.5) within group (order by days_to_convert) filter (where is_converted) "
        "from {relation} where {conditions} group by group_value order by group_value collate \"C\" limit %s"
    ).format(relation=CONVERSION_METRICS.identifier, conditions=sql.SQL(" and ").join(conditions))
    cursor = await conn.execute(query, [*params, limit])
    items = []
    for group, prospects, contacted, converted, median in await cursor.fetchall():
        items.append({
            "group": group,
            "prospects": int(prospects),
            "contacted": int(contacted),
            "converted": int(converted),
            "conversion_rate": ratio(int(converted), int(contacted)),
            "median_days_to_convert": None if median is None else max(0.0, float(median)),
        })
    return items
