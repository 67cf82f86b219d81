"""Scores in Postgres: what scoring reads (prospects, demand) and what it writes (`app.prospect_scores`, events).

`app.prospect_scores` keeps **one current row per prospect**, replaced by each scoring run (what campaign
selection reads, ordered by `priority`). The history of scores is not kept in a second table: every write
publishes a `ProspectScoredEvent` per prospect through the outbox (in the same transaction), keyed
`"{prospect_id}:{model_version}:{scored_on}"`, so re-running a day's scoring neither duplicates rows nor events,
and a new model version or a new day is a new event. A row is only replaced by a score at least as recent
(`scored_at`), so a late re-run of an old day cannot overwrite today's score; prospects deleted meanwhile are
skipped.

Rows go in with `COPY` into a temporary table and one `insert ... on conflict` from it. The events are queued one
`outreach.events.outbox.publish` call each (schema-validated), which dominates the cost of a large write; pass
`publish_events="changed"` to publish only for new prospects, a new model version, or a score that moved by at
least `min_change`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from ml.features import DEMAND_COLUMNS, PROSPECT_COLUMNS
from ml.heuristic import is_heuristic
from ml.scoring import MAX_TOP_K, priorities, top_factors_lists
from outreach.events.outbox import publish

EVENT_TYPE: Final = "ProspectScoredEvent"
DEMAND_TABLE: Final = "marts.specialty_region_demand_daily"
SCORABLE_STATUSES: Final = ("discovered", "enriched", "scored", "contacted", "responded", "interested")
"""Prospects worth a score: not yet converted, verified, suppressed or disqualified."""

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")


@dataclass(frozen=True)
class ScoresWrite:
    rows: int
    """Rows inserted or replaced in app.prospect_scores."""
    events: int
    """ProspectScoredEvents newly queued in the outbox."""


def load_prospects(conn: psycopg.Connection, statuses: tuple[str, ...] | None = SCORABLE_STATUSES) -> pd.DataFrame:
    """`app.prospects` with the columns `ml.features.build_features` needs; `statuses=None` loads every prospect
    (training needs the converted ones too). Ordered by prospect_id."""
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in PROSPECT_COLUMNS)
    query = sql.SQL("select {} from app.prospects").format(columns)
    params: tuple[Any, ...] = ()
    if statuses is not None:
        query += sql.SQL(" where status = any(%s)")
        params = (list(statuses),)
    query += sql.SQL(" order by prospect_id")
    with conn.cursor() as cur:
        rows = cur.execute(query, params).fetchall()
    frame = pd.DataFrame(rows, columns=list(PROSPECT_COLUMNS))
    frame["prospect_id"] = frame["prospect_id"].astype(str)
    return frame


def load_demand(
    conn: psycopg.Connection, first_day: date, last_day: date, *, table: str = DEMAND_TABLE
) -> pd.DataFrame:
    """Demand-mart rows of `[first_day, last_day]` with `ml.features.DEMAND_COLUMNS`. For scoring on a day D pass
    `D - DEMAND_LOOKBACK_DAYS .. D`; for training, the whole span of the label windows."""
    if not _IDENTIFIER.match(table):
        raise ValueError(f"not a table name: {table!r}")
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in DEMAND_COLUMNS)
    name = sql.SQL(".").join(sql.Identifier(part) for part in table.split("."))
    query = sql.SQL("select {} from {} where partition_date between %s and %s").format(columns, name)
    with conn.cursor() as cur:
        rows = cur.execute(query, (first_day, last_day)).fetchall()
    frame = pd.DataFrame(rows, columns=list(DEMAND_COLUMNS))
    for column in DEMAND_COLUMNS[3:]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(np.float64)
    return frame


def demand_window(day: date, lookback_days: int) -> tuple[date, date]:
    return day - timedelta(days=lookback_days), day


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + (
        f".{at.astimezone(UTC).microsecond:06d}Z" if at.microsecond else "Z"
    )


def write_scores(
    conn: psycopg.Connection,
    scores: pd.DataFrame,
    *,
    scored_at: datetime,
    supply_gap: Any = None,
    publish_events: Literal["all", "changed", "none"] = "all",
    min_change: float = 0.01,
) -> ScoresWrite:
    """Upsert `ml.scoring.score` output into `app.prospect_scores` and queue its ProspectScoredEvents, in one
    transaction.

    `supply_gap` (per row, NaN = unknown; `ml.features.supply_gap(features)`) fills `supply_gap` and the
    outreach `priority` (`ml.scoring.priorities`: heuristic scores already hold the gap). `top_factors` are cut to
    `MAX_TOP_K`. See the module docstring for `publish_events`.
    """
    if scored_at.tzinfo is None:
        raise ValueError("scored_at must be timezone-aware")
    n = len(scores)
    gaps = np.full(n, np.nan) if supply_gap is None else np.asarray(supply_gap, dtype=np.float64)
    priority = priorities(scores, gaps)
    factors = [f[:MAX_TOP_K] for f in top_factors_lists(scores)]
    scored_on = scored_at.astimezone(UTC).date()
    ids = scores["prospect_id"].astype(str).tolist()
    versions = scores["model_version"].astype(str).tolist()
    values = scores["score"].to_numpy(dtype=np.float64)
    with conn.transaction():
        conn.execute(
            "create temporary table if not exists _prospect_scores_in (prospect_id uuid, score double precision, "
            "model_version text, scorer text, top_factors jsonb, supply_gap double precision, "
            "priority double precision) on commit delete rows"
        )
        conn.execute("truncate _prospect_scores_in")
        with conn.cursor() as cur, cur.copy(
            "copy _prospect_scores_in (prospect_id, score, model_version, scorer, top_factors, supply_gap, priority) "
            "from stdin"
        ) as copy:
            for i in range(n):
                gap = gaps[i]
                copy.write_row(
                    (
                        ids[i], float(values[i]), versions[i], "heuristic" if is_heuristic(versions[i]) else "model",
                        json.dumps(factors[i]), None if np.isnan(gap) else float(gap), float(priority[i]),
                    )
                )
        previous = {}
        if publish_events == "changed":
            previous = {
                str(pid): (score, version)
                for pid, score, version in conn.execute(
                    "select s.prospect_id, s.score, s.model_version from app.prospect_scores s "
                    "join _prospect_scores_in i using (prospect_id)"
                )
            }
        written = conn.execute(
            "insert into app.prospect_scores as s (prospect_id, score, model_version, scorer, top_factors, "
            "supply_gap, priority, scored_on, scored_at) "
            "select i.prospect_id, i.score, i.model_version, i.scorer, i.top_factors, i.supply_gap, i.priority, "
            "%s, %s from _prospect_scores_in i join app.prospects p using (prospect_id) "
            "on conflict (prospect_id) do update set score = excluded.score, model_version = excluded.model_version, "
            "scorer = excluded.scorer, top_factors = excluded.top_factors, supply_gap = excluded.supply_gap, "
            "priority = excluded.priority, scored_on = excluded.scored_on, scored_at = excluded.scored_at "
            "where s.scored_at <= excluded.scored_at returning s.prospect_id",
            (scored_on, scored_at),
        ).fetchall()
        events = 0
        if publish_events != "none":
            written_ids = {str(r[0]) for r in written}
            stamp = _timestamp(scored_at)
            for i in range(n):
                pid = ids[i]
                if pid not in written_ids:
                    continue
                if publish_events == "changed" and pid in previous:
                    old_score, old_version = previous[pid]
                    if old_version == versions[i] and abs(old_score - values[i]) < min_change:
                        continue
                events += publish(
                    conn,
                    EVENT_TYPE,
                    key=f"{pid}:{versions[i]}:{scored_on.isoformat()}",
                    subject=pid,
                    occurred_at=scored_at,
                    data={
                        "prospect_id": pid,
                        "score": float(values[i]),
                        "model_version": versions[i],
                        "top_factors": factors[i],
                        "scored_at": stamp,
                    },
                )
    return ScoresWrite(rows=len(written), events=events)
