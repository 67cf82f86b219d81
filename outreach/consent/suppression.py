"""The suppression list: an opt-out on any channel stops every channel to that person.

Entries are keyed by the contact's blind index (email and phone alike), not by prospect, so a person reached
through another prospect record, or erased and rediscovered later, is still never contacted. Every suppression is
also written to the consent ledger with its basis and evidence.
"""

from __future__ import annotations

import json

import psycopg

from outreach.privacy.crypto import BlindIndexer


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
        inserted = conn.execute(
            "insert into app.suppressions (contact_kind, contact_bidx, reason, prospect_id, source_event) "
            "values (%s, %s, %s, %s, %s) on conflict do nothing",
            (kind, bidx, reason, prospect_id, evidence.get("event_id")),
        ).rowcount
        new += inserted
        if inserted:
            conn.execute(
                "insert into app.consent_ledger (prospect_id, contact_kind, contact_bidx, channel, state, basis, "
                "evidence) values (%s, %s, %s, 'all', 'revoked', %s, %s)",
                (prospect_id, kind, bidx, basis, json.dumps(evidence)),
            )
    if prospect_id is not None and contacts:
        conn.execute(
            "update app.prospects set status = 'suppressed', updated_at = now() where prospect_id = %s",
            (prospect_id,),
        )
    return new


def suppressed_prospects(conn: psycopg.Connection, prospect_ids: list[str]) -> set[str]:
    """Those of `prospect_ids` whose email or phone is on the suppression list."""
    rows = conn.execute(
        "select p.prospect_id from app.prospects p where p.prospect_id = any(%s::uuid[]) and exists ("
        "  select 1 from app.suppressions s where (s.contact_kind = 'email' and s.contact_bidx = p.email_bidx)"
        "  or (s.contact_kind = 'phone' and s.contact_bidx = p.phone_bidx))",
        (prospect_ids,),
    )
    return {str(r[0]) for r in rows}
