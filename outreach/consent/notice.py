"""When the GDPR Art. 14 notice is due: with the first email that reaches a prospect.

Art. 14(3)(b): data not obtained from the person must be explained "at the latest at the time of the first
communication". The notice itself (who we are, where we found the data, how to object) is rendered by
`outreach.templates.compliance` from the prospect's discovery source; this decides *whether* a message carries it.
A campaign may open with an SMS (its short notice says where we found them) and email later, so "first email" is
a fact of the prospect's history, not of the step number.
"""

from __future__ import annotations

import psycopg

NOT_REACHED = ("pending", "rejected", "cancelled", "bounced", "failed")
"""Statuses of an email that never reached the prospect: the next email still carries the notice."""


def is_first_email(conn: psycopg.Connection, prospect_id: str) -> bool:
    """True until an email to the prospect has been accepted by Messaging and not bounced or failed."""
    row = conn.execute(
        "select not exists (select 1 from app.outreach_messages where prospect_id = %s and channel = 'email' "
        "and sent_at is not null and status <> all(%s))",
        (prospect_id, list(NOT_REACHED)),
    ).fetchone()
    return bool(row[0])
