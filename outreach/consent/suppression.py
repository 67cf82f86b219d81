"""The suppression list: an opt-out on any channel stops every channel to that person.

Entries are keyed by the contact's blind index (email and phone alike), not by prospect, so a person reached
through another prospect record is still never contacted, and a person erased on request is not even stored again
when a source sends them anew (`erased_contacts`). Every suppression is also written to the consent ledger with its
basis and evidence.
"""

from __future__ import annotations

import psycopg

from outreach.consent.ledger import record_change
from outreach.privacy.crypto import BlindIndexer
from outreach.prospects.lifecycle import advance

ERASURE = "erasure"
"""Suppression reason of a subject erased on request (DSAR): never contacted, never stored again."""


def contact_indexes(indexer: BlindIndexer, email: str | None, phone: str | None) -> list[tuple[str, bytes]]:
    """(kind, blind index) of each known contact, normalized as prospects store them."""
    pairs = [("email", indexer.index("email", email.lower() if email else None)),
             ("phone", indexer.index("phone", phone))]
    return [(kind, bidx) for kind, bidx in pairs if bidx is not None]


def suppress(
    conn: psycopg.Connection,
    contacts: list[tuple[str, bytes]],
    reason: str,
    *,
    prospect_id: str | None = None,
    basis: str = "opt_out",
    evidence: dict | None = None,
) -> int:
    """Suppress every contact on every channel (idempotent); returns how many were newly suppressed."""
    evidence = evidence or {}
    new = 0
    for kind, bidx in contacts:
        # An erasure outranks any earlier reason: it is what keeps the subject from being discovered again.
        inserted = conn.execute(
            "insert into app.suppressions (contact_kind, contact_bidx, reason, prospect_id, source_event) "
            "values (%s, %s, %s, %s, %s) on conflict (contact_kind, contact_bidx) do update "
            "set reason = excluded.reason where excluded.reason = %s and app.suppressions.reason <> %s",
            (kind, bidx, reason, prospect_id, evidence.get("event_id"), ERASURE, ERASURE),
        ).rowcount
        new += inserted
        if inserted:
            record_change(conn, [(kind, bidx)], "all", "revoked", basis, prospect_id=prospect_id, evidence=evidence)
    if prospect_id is not None and contacts:
        advance(conn, prospect_id, "suppressed")  # a converted prospect stays converted (the list still applies)
    return new


def erased_contacts(conn: psycopg.Connection, contacts: list[tuple[str, bytes]]) -> set[tuple[str, bytes]]:
    """Those of `contacts` (kind, blind index) that belong to a subject erased on request."""
    if not contacts:
        return set()
    rows = conn.execute(
        "select contact_kind, contact_bidx from app.suppressions where reason = %s "
        "and (contact_kind, contact_bidx) in (select * from unnest(%s::text[], %s::bytea[]))",
        (ERASURE, [kind for kind, _ in contacts], [bidx for _, bidx in contacts]),
    )
    return {(kind, bytes(bidx)) for kind, bidx in rows}


def suppressed_prospects(conn: psycopg.Connection, prospect_ids: list[str]) -> set[str]:
    """Those of `prospect_ids` whose email or phone is on the suppression list."""
    rows = conn.execute(
        "select p.prospect_id from app.prospects p where p.prospect_id = any(%s::uuid[]) and exists ("
        "  select 1 from app.suppressions s where (s.contact_kind = 'email' and s.contact_bidx = p.email_bidx)"
        "  or (s.contact_kind = 'phone' and s.contact_bidx = p.phone_bidx))",
        (prospect_ids,),
    )
    return {str(r[0]) for r in rows}
