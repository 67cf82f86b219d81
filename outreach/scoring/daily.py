"""The daily scoring step: every scorable prospect scored by the production model (or the cold-start heuristic).

Features come from `app.prospects`, the demand mart and our own contact history through the one feature function
shared with training (`ml.features.build_features`); scores, supply gaps and ProspectScoredEvents are written in
one transaction, and newly scored prospects move to the `scored` status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import psycopg

from ml.features import build_features, supply_gap
from ml.scoring import score, select_scorer
from outreach.scoring.registry_store import load_production
from outreach.scoring.scores_store import demand_window, load_demand, load_prospects, write_scores

DEMAND_LOOKBACK_DAYS = 7

HISTORY_SQL = """
select prospect_id, scheduled_at as occurred_at, 'contacted' as event
  from app.outreach_messages where message_id is not null and sent_at is not null
union all
select prospect_id, received_at, 'responded' from app.prospect_responses
union all
select prospect_id, status_updated_at, 'bounced' from app.outreach_messages where status = 'bounced'
union all
select prospect_id, converted_at, 'converted' from app.prospects where converted_at is not null
"""


def load_history(conn: psycopg.Connection) -> pd.DataFrame:
    """Our contact history as `ml.features` expects it (`prospect_id, occurred_at, event`).

    A contact is a message Messaging accepted, at its batch clock (`scheduled_at`): the time the campaign rules
    reason with, so a backfilled or simulated day's contacts fall on that day rather than on the wall clock."""
    rows = conn.execute(HISTORY_SQL).fetchall()
    frame = pd.DataFrame(rows, columns=["prospect_id", "occurred_at", "event"])
    frame["prospect_id"] = frame["prospect_id"].astype(str)
    return frame


@dataclass(frozen=True)
class DailyScoring:
    scored: int
    events: int
    model_version: str


def score_prospects(conn: psycopg.Connection, day: date, as_of: datetime) -> DailyScoring:
    prospects = load_prospects(conn)
    if prospects.empty:
        return DailyScoring(0, 0, "none")
    demand = load_demand(conn, *demand_window(day, DEMAND_LOOKBACK_DAYS))
    features = build_features(prospects, demand, load_history(conn), as_of)
    scorer = select_scorer(load_production(conn))
    scores = score(scorer, features)
    written = write_scores(conn, scores, scored_at=as_of, supply_gap=supply_gap(features), publish_events="changed")
    conn.execute(
        "update app.prospects set status = 'scored', status_changed_at = now(), updated_at = now() "
        "where status in ('discovered', 'enriched') and prospect_id = any(%s::uuid[])",
        (list(scores["prospect_id"]),),
    )
    conn.commit()
    return DailyScoring(written.rows, written.events, str(scores["model_version"].iloc[0]))
