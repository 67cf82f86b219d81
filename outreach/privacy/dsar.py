"""Data-subject requests (GDPR Art. 15/17, CCPA): fulfil every pending `app.privacy_requests` row in one run.

- **access**: every stored record about the subject (`subject.find_subject` and the tables keyed by prospect id)
  becomes the contract's `PrivacyExport`, stored encrypted on the request; `GET /ai-outreach/privacy/requests/{id}`
  returns it (and audits that read).
- **erasure**: the same records are deleted, or crypto-shredded where a row must stay for the platform's
  guarantees (an inbox event keeps its `(source, id)` so a redelivery is still recognised, but its data is
  replaced; consent ledger entries keep only the contact's blind index as proof of the opt-out). Every contact
  of the subject is put on the suppression list by blind index (a keyed, salted hash), so the subject is never
  contacted again, whoever rediscovers them. Marts hold pseudonymous ids only and lose the subject at their next
  build. Earlier access exports of the subject are shredded too.

Each request is handled in its own transaction (`for update skip locked`), so concurrent runs never handle one
twice and a failure leaves the request `received` for the next run. Both kinds are written to the audit log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg

from outreach.consent.suppression import ERASURE, suppress
from outreach.privacy import audit
from outreach.privacy.access import PiiReader, current_actor
from outreach.privacy.crypto import BlindIndexer, PiiCipher
from outreach.privacy.subject import Subject, find_subject, scan_raw, scan_sealed_json

EXPORT_CONTEXT = "app.privacy_requests.export"
ERASED_EVENT = {"erased": True}

# Tables keyed by prospect id: (record type, table, id column, time column). Deleted by erasure in this order.
BY_PROSPECT = (
    ("message", "app.outreach_messages", "idempotency_key", "created_at"),
    ("response", "app.prospect_responses", "message_id", "analyzed_at"),
    ("incentive", "app.incentives", "idempotency_key", "created_at"),
    ("score", "app.prospect_scores", "prospect_id", "scored_at"),
    ("disqualified_contact", "app.disqualified_contacts", "contact_kind", "created_at"),
    ("field_decision", "app.prospect_field_decisions", "field", "decided_at"),
    ("source_record", "app.source_records", "source_record_id", "updated_at"),
    ("prospect", "app.prospects", "prospect_id", "updated_at"),
)
_SEALED = {  # encrypted columns shown in clear in an export
    "app.prospects": ("contact_name", "email", "phone"),
    "app.source_records": ("contact_name", "email", "phone"),
    "app.outreach_messages": ("payload",),
}


@dataclass(frozen=True)
class RequestOutcome:
    request_id: str
    kind: str
    records: dict[str, int]  # record type -> how many were exported or erased


def iso(moment: datetime | str | None) -> str:
    """The contract's Timestamp (RFC 3339, UTC, `Z`)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _by_prospect(table: str) -> str:
    """Rows of `table` about the subject's prospects (source records also by blind index: not yet resolved)."""
    where = "prospect_id = any(%(ids)s::uuid[])"
    if table == "app.source_records":
        where += " or email_bidx = any(%(e)s) or phone_bidx = any(%(p)s)"
    return where


def _record(record_type: str, record_id: object, stored_at: object, data: dict) -> dict:
    return {"record_type": record_type, "record_id": str(record_id), "stored_at": iso(stored_at),
            "data": json.loads(json.dumps(data, default=str))}


def _rows(conn: psycopg.Connection, table: str, where: str, params: dict) -> list[dict]:
    """Rows as JSON objects (bytea as hex); blind indexes left out."""
    rows = conn.execute(f"select to_jsonb(t) from {table} t where {where}", params).fetchall()
    return [{k: v for k, v in row[0].items() if not k.endswith("_bidx")} for row in rows]


def _unsealed(reader: PiiReader, table: str, row: dict, subject_id: str) -> dict:
    """A row with its encrypted columns replaced by their clear values."""
    row = dict(row)
    for name in _SEALED.get(table, ()):
        hex_blob = row.pop(f"{name}_enc", None)
        blob = bytes.fromhex(hex_blob[2:]) if hex_blob else None
        value = reader.decrypt(blob, f"{table}.{name}", subject_id)
        row[name] = json.loads(value) if value and name == "payload" else value
    return row


def collect_records(conn: psycopg.Connection, reader: PiiReader, subject: Subject) -> list[dict]:
    """The contract's `PrivacyExport.records`: everything stored about the subject."""
    ids = sorted(subject.prospect_ids)
    params = {"ids": ids, "e": list(subject.email_bidx), "p": list(subject.phone_bidx),
              "bidx": list(subject.email_bidx | subject.phone_bidx)}
    records: list[dict] = []
    for record_type, table, key, at in BY_PROSPECT:
        for row in _rows(conn, table, _by_prospect(table), params):
            row = _unsealed(reader, table, row, row.get("prospect_id") or row.get(key))
            record_id = f"{row['prospect_id']}:{row[key]}" if record_type == "field_decision" else row[key]
            records.append(_record(record_type, record_id, row.get(at), row))
    for row in _rows(conn, "app.consent_ledger", "contact_bidx = any(%(bidx)s) or prospect_id = any(%(ids)s::uuid[])",
                     params):
        records.append(_record("consent", row["entry_id"], row["recorded_at"], row))
    for row in _rows(conn, "app.suppressions", "contact_bidx = any(%(bidx)s) or prospect_id = any(%(ids)s::uuid[])",
                     params):
        records.append(_record("suppression", f"{row['contact_kind']}:{row['created_at']}", row["created_at"], row))
    for row in _rows(conn, "app.outbox_events", "subject = any(%(ids)s) or data->>'prospect_id' = any(%(ids)s)",
                     params):
        records.append(_record("published_event", row["event_id"], row["created_at"], row))
    for row in _rows(conn, "app.audit_log", "subject_ids && %(ids)s::text[]", params):
        records.append(_record("audit", row["audit_id"], row["occurred_at"], row))
    for table, ctid, row in scan_raw(conn, reader, subject):
        records.append(_record(f"raw_{table.split('.', 1)[1]}", f"{table}:{ctid}", row.get("fetched_at"), row))
    for inbox_id, row, data in scan_sealed_json(conn, reader, subject, "app.inbox_events", "data_enc", "inbox_id"):
        records.append(_record("received_event", inbox_id, row["received_at"], {**row, "data": data}))
    for qid, row, data in scan_sealed_json(conn, reader, subject, "app.quarantine", "payload_enc", "quarantine_id"):
        records.append(_record("quarantined_record", qid, row["created_at"], {**row, "payload": data}))
    return records


def erase(conn: psycopg.Connection, reader: PiiReader, cipher: PiiCipher, subject: Subject,
          request_id: str) -> dict[str, int]:
    """Delete or shred everything about the subject; keep their contacts suppressed by blind index only."""
    ids = sorted(subject.prospect_ids)
    counts: dict[str, int] = {}

    def count(name: str, rows: int) -> None:
        if rows:
            counts[name] = counts.get(name, 0) + rows

    raw = list(scan_raw(conn, reader, subject))
    inbox = [key for key, _, _ in scan_sealed_json(conn, reader, subject, "app.inbox_events", "data_enc", "inbox_id")]
    quarantined = [key for key, _, _ in
                   scan_sealed_json(conn, reader, subject, "app.quarantine", "payload_enc", "quarantine_id")]
    for table, ctid, _ in raw:
        count(f"raw_{table.split('.', 1)[1]}", conn.execute(f"delete from {table} where ctid = %s::tid",
                                                            (ctid,)).rowcount)
    shredded = cipher.encrypt(json.dumps(ERASED_EVENT), "app.inbox_events.data")
    count("received_event", conn.execute(
        "update app.inbox_events set data_enc = %s, status = case when status in ('pending', 'failed') "
        "then 'dead' else status end, last_error = case when status in ('pending', 'failed') "
        "then 'erased by privacy request' else last_error end where inbox_id::text = any(%s)",
        (shredded, inbox)).rowcount)
    count("quarantined_record", conn.execute("delete from app.quarantine where quarantine_id::text = any(%s)",
                                             (quarantined,)).rowcount)
    count("published_event", conn.execute(
        "delete from app.outbox_events where subject = any(%(ids)s) or data->>'prospect_id' = any(%(ids)s)",
        {"ids": ids}).rowcount)
    params = {"ids": ids, "e": list(subject.email_bidx), "p": list(subject.phone_bidx)}
    for record_type, table, _, _ in BY_PROSPECT:
        count(record_type, conn.execute(f"delete from {table} where {_by_prospect(table)}", params).rowcount)
    suppress(conn, subject.contacts(), ERASURE, basis="erasure_request", evidence={"request_id": request_id})
    for record_type, table in (("consent_unlinked", "app.consent_ledger"),
                               ("suppression_unlinked", "app.suppressions")):
        count(record_type, conn.execute(f"update {table} set prospect_id = null where {_by_prospect(table)}",
                                        params).rowcount)
    count("access_export", conn.execute(
        "update app.privacy_requests set export_enc = null, email_enc = null, phone_enc = null "
        "where request_id <> %s and (email_bidx = any(%s) or phone_bidx = any(%s)) "
        "and (export_enc is not null or email_enc is not null or phone_enc is not null)",
        (request_id, list(subject.email_bidx), list(subject.phone_bidx))).rowcount)
    return counts


def _claim(conn: psycopg.Connection) -> tuple | None:
    return conn.execute(
        "select request_id::text, kind, email_enc, phone_enc from app.privacy_requests where status = 'received' "
        "order by created_at, request_id limit 1 for update skip locked"
    ).fetchone()


def process_one(conn: psycopg.Connection, cipher: PiiCipher, indexer: BlindIndexer,
                now: datetime) -> RequestOutcome | None:
    """Fulfil the oldest pending request (None when there is none), in one transaction."""
    with conn.transaction():
        claimed = _claim(conn)
        if claimed is None:
            return None
        request_id, kind, email_enc, phone_enc = claimed
        reader = PiiReader(cipher, f"privacy request {request_id} ({kind})")
        email = reader.decrypt(email_enc, "app.privacy_requests.email", request_id)
        phone = reader.decrypt(phone_enc, "app.privacy_requests.phone", request_id)
        subject = find_subject(conn, reader, indexer, email=email, phone=phone)
        export: dict[str, Any] | None = None
        if kind == "access":
            records = collect_records(conn, reader, subject)
            export = {"subject": {"email": email, "phone": phone}, "records": records}
            counts: dict[str, int] = {}
            for record in records:
                counts[record["record_type"]] = counts.get(record["record_type"], 0) + 1
        else:
            counts = erase(conn, reader, cipher, subject, request_id)
        conn.execute(
            "update app.privacy_requests set status = 'completed', completed_at = %s, export_enc = %s, "
            "email_enc = case when kind = 'erasure' then null else email_enc end, "
            "phone_enc = case when kind = 'erasure' then null else phone_enc end where request_id = %s",
            (now, cipher.encrypt(json.dumps(export), EXPORT_CONTEXT) if export is not None else None, request_id),
        )
        reader.record(conn)
        audit.write(conn, [audit.AuditEntry(
            current_actor(), f"dsar_{kind}", f"privacy request ({kind})", "privacy_request", [request_id],
            details={"records": counts, "prospects": len(subject.prospect_ids)},
        )])
    return RequestOutcome(request_id, kind, counts)


def process_pending(conn: psycopg.Connection, cipher: PiiCipher, indexer: BlindIndexer,
                    now: datetime | None = None) -> list[RequestOutcome]:
    """Fulfil every pending request, oldest first (what one run of the `privacy_requests` job does)."""
    outcomes = []
    while (outcome := process_one(conn, cipher, indexer, now or datetime.now(UTC))) is not None:
        outcomes.append(outcome)
    return outcomes


def pending_count(conn: psycopg.Connection) -> int:
    return conn.execute("select count(*) from app.privacy_requests where status = 'received'").fetchone()[0]
