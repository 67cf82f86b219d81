"""Who a campaign targets, and in which order: priority = score x supply-gap weight.

- **Targeting** (SQL): specialties overlap, region equal to or under a selected prefix, discovery sources overlap.
  Every targeted prospect comes back, whatever its status: eligibility decides, with a reason, who is left out.
- **Score**: the latest row of `app.prospect_scores` (written by scoring); `NEUTRAL_SCORE` when the table does not
  exist yet or the prospect has no score.
- **Supply-gap weight**: `0.5 + supply_gap_index` (so 0.5..1.5) of the prospect's best matching specialty in its
  region, from the latest partition of `marts.specialty_region_demand_daily` on or before the batch day;
  `NEUTRAL_WEIGHT` (= the weight of a gap of 0.5) when the mart, the cell or the index is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import psycopg

from outreach.campaigns.models import Campaign

NEUTRAL_SCORE = 0.5
NEUTRAL_WEIGHT = 1.0
SCORES_TABLE = "app.prospect_scores"
DEMAND_MART = "marts.specialty_region_demand_daily"


@dataclass(frozen=True)
class Candidate:
    """A targeted prospect with what eligibility, composition and delivery need (contact data still encrypted)."""

    prospect_id: str
    status: str
    registered_user_id: str | None
    business_name: str | None
    city: str | None
    state: str | None
    region: str | None
    timezone: str | None
    specialties: tuple[str, ...]
    sources: tuple[str, ...]
    email_domain: str | None
    is_email_valid: bool
    is_sms_eligible: bool
    email_enc: bytes | None
    phone_enc: bytes | None
    contact_name_enc: bytes | None
    email_bidx: bytes | None
    phone_bidx: bytes | None
    referred_by_user_id: str | None = None
    email_disqualified: bool = False
    """The email reached the wrong person (a wrong-contact reply): never used again."""
    phone_disqualified: bool = False
    score: float = NEUTRAL_SCORE
    scored: bool = False
    gap_weight: float = NEUTRAL_WEIGHT

    @property
    def priority(self) -> float:
        return self.score * self.gap_weight

    @property
    def has_email(self) -> bool:
        return self.email_enc is not None

    @property
    def has_phone(self) -> bool:
        return self.phone_enc is not None


_COLUMNS = (
    "prospect_id", "status", "registered_user_id", "business_name", "city", "state", "region", "timezone",
    "specialties", "sources", "email_domain", "is_email_valid", "is_sms_eligible", "email_enc", "phone_enc",
    "contact_name_enc", "email_bidx", "phone_bidx", "referred_by_user_id",
)  # fmt: skip
_DISQUALIFIED = (
    "exists (select 1 from app.disqualified_contacts d where d.contact_kind = '{kind}' "
    "and d.contact_bidx = p.{kind}_bidx)"
)
_DERIVED = {"email_disqualified": _DISQUALIFIED.format(kind="email"),
            "phone_disqualified": _DISQUALIFIED.format(kind="phone")}


def relation_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (name,)).fetchone()[0]


def _column_exists(conn: psycopg.Connection, schema: str, table: str, column: str) -> bool:
    row = conn.execute(
        "select 1 from information_schema.columns where table_schema = %s and table_name = %s and column_name = %s",
        (schema, table, column),
    ).fetchone()
    return row is not None


def _fetch(conn: psycopg.Connection, where: str, params: dict) -> list[Candidate]:
    # A user id learned at conversion (a later column) also marks an existing user.
    user_column = (
        "coalesce(registered_user_id, user_id)"
        if _column_exists(conn, "app", "prospects", "user_id")
        else "registered_user_id"
    )
    columns = ", ".join([*(user_column if c == "registered_user_id" else c for c in _COLUMNS), *_DERIVED.values()])
    rows = conn.execute(f"select {columns} from app.prospects p where {where} order by p.prospect_id", params)
    candidates = []
    for row in rows:
        values = dict(zip([*_COLUMNS, *_DERIVED], row, strict=True))
        values["prospect_id"] = str(values["prospect_id"])
        for name in ("registered_user_id", "referred_by_user_id"):
            if values[name] is not None:
                values[name] = str(values[name])
        values["specialties"] = tuple(values["specialties"] or ())
        values["sources"] = tuple(values["sources"] or ())
        for name in ("email_enc", "phone_enc", "contact_name_enc", "email_bidx", "phone_bidx"):
            if values[name] is not None:
                values[name] = bytes(values[name])
        candidates.append(Candidate(**values))
    return candidates


def targeted_prospects(conn: psycopg.Connection, campaign: Campaign) -> list[Candidate]:
    """Prospects matching the campaign's targeting, with neutral score and weight."""
    targeting = campaign.targeting
    return _fetch(
        conn,
        "(cardinality(%(specialties)s::text[]) = 0 or p.specialties && %(specialties)s::text[]) "
        "and (cardinality(%(sources)s::text[]) = 0 or p.sources && %(sources)s::text[]) "
        "and (cardinality(%(regions)s::text[]) = 0 or p.region = any(%(regions)s::text[]) "
        "     or exists (select 1 from unnest(%(regions)s::text[]) r where p.region like r || '-%%'))",
        {
            "specialties": list(targeting.specialties),
            "sources": list(targeting.sources),
            "regions": list(targeting.regions),
        },
    )


def prospects_by_id(conn: psycopg.Connection, prospect_ids: list[str]) -> dict[str, Candidate]:
    """The given prospects (those that still exist), whatever the targeting."""
    found = _fetch(conn, "p.prospect_id = any(%(ids)s::uuid[])", {"ids": prospect_ids})
    return {c.prospect_id: c for c in found}


def referrer_contact_name(conn: psycopg.Connection, user_id: str) -> tuple[str, bytes] | None:
    """(prospect id, encrypted contact name) of our prospect who is the InstaBids user `user_id`, if any.

    Referral data names the referrer by user id only; when the referrer is a contractor we reached (and converted,
    or found registered), we know their name, and the referred prospect may be told who recommended them."""
    row = conn.execute(
        "select prospect_id, contact_name_enc from app.prospects where (user_id = %(u)s or registered_user_id = %(u)s) "
        "and contact_name_enc is not null order by converted_at nulls last, prospect_id limit 1",
        {"u": user_id},
    ).fetchone()
    return (str(row[0]), bytes(row[1])) if row else None


def latest_scores(conn: psycopg.Connection, prospect_ids: list[str]) -> dict[str, float]:
    """The most recent score of each prospect; empty while scoring has not created its table."""
    if not prospect_ids or not relation_exists(conn, SCORES_TABLE):
        return {}
    rows = conn.execute(
        f"select distinct on (prospect_id) prospect_id, score from {SCORES_TABLE} "
        "where prospect_id = any(%s::uuid[]) and score is not null order by prospect_id, scored_at desc",
        (prospect_ids,),
    )
    return {str(pid): float(score) for pid, score in rows}


def supply_gaps(conn: psycopg.Connection, day: date) -> dict[tuple[str, str], float]:
    """(specialty, region) -> supply_gap_index of the latest partition on or before `day`; empty without the mart."""
    if not relation_exists(conn, DEMAND_MART):
        return {}
    rows = conn.execute(
        f"select distinct on (specialty, region) specialty, region, supply_gap_index from {DEMAND_MART} "
        "where partition_date <= %s order by specialty, region, partition_date desc",
        (day,),
    )
    return {(s, r): float(g) for s, r, g in rows if g is not None}


def gap_weight(candidate: Candidate, campaign: Campaign, gaps: dict[tuple[str, str], float]) -> float:
    """0.5 + the largest supply-gap index among the prospect's (campaign-targeted) specialties in its region."""
    wanted = set(campaign.targeting.specialties)
    specialties = [s for s in candidate.specialties if not wanted or s in wanted]
    known = [gaps[(s, candidate.region)] for s in specialties if (s, candidate.region) in gaps]
    if not known:
        return NEUTRAL_WEIGHT
    return 0.5 + min(max(max(known), 0.0), 1.0)


def select_candidates(conn: psycopg.Connection, campaign: Campaign, day: date) -> list[Candidate]:
    """Targeted prospects with score, weight and priority, highest priority first (ties by prospect id).

    `min_score` is applied here: a scored prospect below it is left out; an unscored one too when the targeting
    says `require_score`.
    """
    candidates = targeted_prospects(conn, campaign)
    scores = latest_scores(conn, [c.prospect_id for c in candidates])
    gaps = supply_gaps(conn, day)
    selected = []
    for candidate in candidates:
        score = scores.get(candidate.prospect_id)
        if score is None and campaign.targeting.require_score:
            continue
        if score is not None and score < campaign.targeting.min_score:
            continue
        selected.append(
            Candidate(
                **{
                    **candidate.__dict__,
                    "score": NEUTRAL_SCORE if score is None else score,
                    "scored": score is not None,
                    "gap_weight": gap_weight(candidate, campaign, gaps),
                }
            )
        )
    selected.sort(key=lambda c: (-c.priority, c.prospect_id))
    return selected
