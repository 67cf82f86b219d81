"""The prospect lifecycle, which only moves forward: a stale or out-of-order update never moves it back.

discovered → enriched → scored → contacted → responded → interested → converted → verified.
`suppressed` (opted out) and `disqualified` (already a user, wrong contact) end outreach from any state before
conversion; a conversion still counts after them (the person signed up anyway).
"""

from __future__ import annotations

import psycopg

ORDER = ("discovered", "enriched", "scored", "contacted", "responded", "interested", "converted", "verified")
RANK = {status: rank for rank, status in enumerate(ORDER)}
TERMINAL = ("suppressed", "disqualified")


def allowed_from(new_status: str) -> list[str]:
    """The statuses a prospect may be in for `new_status` to apply."""
    if new_status in TERMINAL:
        before_conversion = [s for s in ORDER if RANK[s] < RANK["converted"]]
        # An opt-out outranks a disqualification, so both orders of the two end in `suppressed`.
        return before_conversion + (["disqualified"] if new_status == "suppressed" else [])
    if new_status not in RANK:
        raise ValueError(f"unknown prospect status {new_status!r}")
    earlier = [s for s in ORDER if RANK[s] < RANK[new_status]]
    return earlier + (list(TERMINAL) if RANK[new_status] >= RANK["converted"] else [])


def advance(conn: psycopg.Connection, prospect_id: str, new_status: str, **columns: object) -> bool:
    """Move a prospect to `new_status` (setting `columns` too) if that is a step forward; True when it moved."""
    assignments = "".join(f", {name} = %({name})s" for name in columns)
    updated = conn.execute(
        f"update app.prospects set status = %(status)s, status_changed_at = now(), updated_at = now()"
        f"{assignments} where prospect_id = %(prospect_id)s and status = any(%(allowed)s)",
        {"status": new_status, "prospect_id": prospect_id, "allowed": allowed_from(new_status), **columns},
    )
    return updated.rowcount == 1
