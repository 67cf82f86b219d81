"""The consent ledger: every consent change with its legal basis and evidence; the current state derives from it.

Entries are append-only and keyed by the contact's blind index (email or phone), so they outlive an erased
prospect as proof of an opt-out without holding the contact. `basis` says why (`opt_out`, `complaint`,
`unsubscribed`, `wrong_contact`, `erasure_request`, `objection`, `consent`...), `evidence` what proves it (the
inbound `event_id`, the `message_id` replied to, a privacy `request_id`). The current state per contact and
channel is the view `app.consent_current` (latest entry for that channel or for `all`); `prospect_consent` folds a
prospect's contacts into one state per channel. Without any entry a prospect is contacted on the basis of
legitimate interest (GDPR Art. 6(1)(f)), which the first email's Art. 14 notice explains.

Revocations on `all` are written by `suppression.suppress` together with the suppression list entry that the send
path checks; a later grant is recorded here but does not lift a suppression (that stays a deliberate act).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import psycopg

ConsentChannel = Literal["email", "sms", "all"]
ConsentState = Literal["granted", "revoked"]
CHANNELS = ("email", "sms")
LEGITIMATE_INTEREST = "legitimate_interest"


@dataclass(frozen=True)
class ChannelConsent:
    """A prospect's consent for one channel: the deciding ledger entry, or none (legitimate interest)."""

    channel: str
    state: str  # granted | revoked | legitimate_interest
    basis: str
    evidence: dict
    recorded_at: datetime | None
    entry_id: int | None

    @property
    def may_contact(self) -> bool:
        return self.state != "revoked"


def record_change(conn: psycopg.Connection, contacts: list[tuple[str, bytes]], channel: ConsentChannel,
                  state: ConsentState, basis: str, *, prospect_id: str | None = None,
                  evidence: dict | None = None) -> int:
    """Append one entry per contact; returns how many were written."""
    with conn.cursor() as cur:
        cur.executemany(
            "insert into app.consent_ledger (prospect_id, contact_kind, contact_bidx, channel, state, basis, "
            "evidence) values (%s, %s, %s, %s, %s, %s, %s)",
            [(prospect_id, kind, bidx, channel, state, basis, json.dumps(evidence or {})) for kind, bidx in contacts],
        )
    return len(contacts)


def prospect_consent(conn: psycopg.Connection, prospect_id: str) -> dict[str, ChannelConsent]:
    """The prospect's current consent per channel, over all of its contacts: a revocation on any contact wins,
    else the latest grant, else legitimate interest."""
    rows = conn.execute(
        "select c.channel, c.state, c.basis, c.evidence, c.recorded_at, c.entry_id from app.consent_current c "
        "join app.prospects p on (c.contact_kind = 'email' and c.contact_bidx = p.email_bidx) "
        "  or (c.contact_kind = 'phone' and c.contact_bidx = p.phone_bidx) "
        "where p.prospect_id = %s order by (c.state = 'revoked') desc, c.entry_id desc",
        (prospect_id,),
    ).fetchall()
    current: dict[str, ChannelConsent] = {}
    for channel, state, basis, evidence, recorded_at, entry_id in rows:
        current.setdefault(channel, ChannelConsent(channel, state, basis, evidence, recorded_at, entry_id))
    return {channel: current.get(channel) or ChannelConsent(channel, LEGITIMATE_INTEREST, LEGITIMATE_INTEREST, {},
                                                             None, None)
            for channel in CHANNELS}


def history(conn: psycopg.Connection, prospect_id: str) -> list[dict]:
    """Every ledger entry about the prospect (by id or by one of its contacts), oldest first."""
    rows = conn.execute(
        "select l.entry_id, l.contact_kind, l.channel, l.state, l.basis, l.evidence, l.recorded_at "
        "from app.consent_ledger l left join app.prospects p on p.prospect_id = %(id)s "
        "where l.prospect_id = %(id)s or (l.contact_kind = 'email' and l.contact_bidx = p.email_bidx) "
        "or (l.contact_kind = 'phone' and l.contact_bidx = p.phone_bidx) order by l.entry_id",
        {"id": prospect_id},
    ).fetchall()
    keys = ("entry_id", "contact_kind", "channel", "state", "basis", "evidence", "recorded_at")
    return [dict(zip(keys, row, strict=True)) for row in rows]
