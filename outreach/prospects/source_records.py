"""The latest enriched version of every source record, across days: what entity resolution clusters.

Contact values are encrypted into their own columns (and blind-indexed for lookups) and blanked in the stored
JSON; loading puts them back. A record seen again keeps its first-seen day and its prospect mapping.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from outreach.enrichment import EnrichedRecord
from outreach.privacy.crypto import BlindIndexer, PiiCipher
from outreach.resolution.identity import PriorMapping

TABLE = "app.source_records"
ENCRYPTED = ("contact_name", "email", "phone")
DROPPED = ("email_suggestion",)
"""A guessed address (a typo's likely fix) is contact data we do not need to keep."""


def record_key(source: str, source_record_id: str) -> str:
    return f"{source}:{source_record_id}"


@dataclass(frozen=True)
class StoredRecord:
    key: str
    enriched: EnrichedRecord
    prior: PriorMapping | None


def _context(field: str) -> str:
    return f"{TABLE}.{field}"


def _blank(payload: dict[str, Any], field: str) -> None:
    payload[field] = {**payload[field], "value": None}


def upsert(
    conn: psycopg.Connection,
    seen_on: date,
    records: list[EnrichedRecord],
    cipher: PiiCipher,
    indexer: BlindIndexer,
) -> int:
    """Insert or refresh `records` (one provenance each) as seen on `seen_on`, in the caller's transaction."""
    conn.execute(
        "create temp table incoming (like app.source_records including defaults) on commit drop"
    )
    with conn.cursor().copy(
        "copy incoming (source, source_record_id, first_seen_on, last_seen_on, business_name, contact_name_enc, "
        "email_enc, phone_enc, email_bidx, phone_bidx, enriched) from stdin"
    ) as copy:
        for record in records:
            (origin,) = record.provenance
            payload = record.model_dump(mode="json")
            for field in (*ENCRYPTED, *DROPPED):
                _blank(payload, field)
            values = {f: getattr(record, f).value for f in ENCRYPTED}
            copy.write_row(
                (
                    origin.source, origin.source_record_id, seen_on, seen_on, record.business_name.value,
                    *(cipher.encrypt(values[f], _context(f)) for f in ENCRYPTED),
                    indexer.index("email", (values["email"] or "").lower() or None),
                    indexer.index("phone", values["phone"]),
                    json.dumps(payload),
                )
            )
    conn.execute(
        """
        insert into app.source_records as s
          (source, source_record_id, first_seen_on, last_seen_on, business_name, contact_name_enc, email_enc,
           phone_enc, email_bidx, phone_bidx, enriched, updated_at)
        select source, source_record_id, first_seen_on, last_seen_on, business_name, contact_name_enc, email_enc,
           phone_enc, email_bidx, phone_bidx, enriched, now()
        from incoming
        on conflict (source, source_record_id) do update set
          first_seen_on = least(s.first_seen_on, excluded.first_seen_on),
          last_seen_on = greatest(s.last_seen_on, excluded.last_seen_on),
          business_name = excluded.business_name,
          contact_name_enc = excluded.contact_name_enc,
          email_enc = excluded.email_enc,
          phone_enc = excluded.phone_enc,
          email_bidx = excluded.email_bidx,
          phone_bidx = excluded.phone_bidx,
          enriched = excluded.enriched,
          updated_at = now()
        """
    )
    conn.execute("drop table incoming")
    return len(records)


def load_all(conn: psycopg.Connection, cipher: PiiCipher) -> list[StoredRecord]:
    """Every source record with its contact values decrypted and its current prospect mapping."""
    rows = conn.execute(
        f"select source, source_record_id, contact_name_enc, email_enc, phone_enc, enriched, prospect_id, "
        f"prospect_mapped_at from {TABLE} order by source, source_record_id"
    )
    stored = []
    for source, record_id, name_enc, email_enc, phone_enc, payload, prospect_id, mapped_at in rows:
        for field, blob in zip(ENCRYPTED, (name_enc, email_enc, phone_enc), strict=True):
            payload[field] = {**payload[field], "value": cipher.decrypt(blob, _context(field))}
        prior = PriorMapping(str(prospect_id), mapped_at) if prospect_id is not None else None
        stored.append(StoredRecord(record_key(source, record_id), EnrichedRecord.model_validate(payload), prior))
    return stored


def save_mapping(conn: psycopg.Connection, mapping: dict[str, PriorMapping]) -> None:
    """Point each record at its prospect (record key -> prospect id, first-mapped time)."""
    with conn.cursor() as cur:
        cur.executemany(
            f"update {TABLE} set prospect_id = %s, prospect_mapped_at = %s "
            f"where source = %s and source_record_id = %s and prospect_id is distinct from %s::uuid",
            [
                (prior.prospect_id, prior.mapped_at, *key.split(":", 1), prior.prospect_id)
                for key, prior in mapping.items()
            ],
        )
