"""Contacts that reach the wrong person: a wrong-contact reply ("wrong number", "he retired") disqualifies the
email address or phone number it came on, and only that one.

Unlike the suppression list (an opt-out stops every channel to the person), the prospect may still be reached on
its other contact; when none is left the prospect itself is `disqualified`. Entries are keyed by the contact's blind
index, so no prospect record ever uses that contact again, and each is written to the consent ledger for that
channel alone (a wrong phone number revokes SMS, not email), with the reply as evidence.
"""

from __future__ import annotations

import psycopg

from outreach.consent.ledger import record_change
from outreach.prospects.lifecycle import advance

CHANNEL_OF_KIND = {"email": "email", "phone": "sms"}


def disqualify_contacts(
    conn: psycopg.Connection,
    prospect_id: str,
    contacts: list[tuple[str, bytes]],
    reason: str,
    *,
    evidence: dict | None = None,
) -> int:
    """Disqualify the given (kind, blind index) contacts of a prospect (idempotent); when the prospect has no usable
    contact left it is disqualified too. Returns how many contacts were newly disqualified."""
    evidence = evidence or {}
    new = 0
    for kind, bidx in contacts:
        inserted = conn.execute(
            "insert into app.disqualified_contacts (contact_kind, contact_bidx, reason, prospect_id, source_event) "
            "values (%s, %s, %s, %s, %s) on conflict do nothing",
            (kind, bidx, reason, prospect_id, evidence.get("event_id")),
        ).rowcount
        new += inserted
        if inserted:
            record_change(conn, [(kind, bidx)], CHANNEL_OF_KIND[kind], "revoked", reason, prospect_id=prospect_id,
                          evidence=evidence)
    (left,) = conn.execute(
        "select count(*) from app.prospects p cross join lateral (values ('email', p.email_bidx), "
        "('phone', p.phone_bidx)) c (kind, bidx) where p.prospect_id = %s and c.bidx is not null and not exists ("
        "select 1 from app.disqualified_contacts d where d.contact_kind = c.kind and d.contact_bidx = c.bidx)",
        (prospect_id,),
    ).fetchone()
    if contacts and left == 0:
        advance(conn, prospect_id, "disqualified")
    return new
