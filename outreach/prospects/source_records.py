"""The latest enriched version of every source record, across days: what entity resolution clusters.

Contact values are encrypted into their own columns (and blind-indexed for lookups) and blanked in the stored
JSON; loading puts them back. A record seen again keeps its first-seen day and its prospect mapping.

Sources re-send every record every day, nearly all of them unchanged. The stored JSON keeps a keyed digest of
the candidate it was enriched from (`candidate_digest`: pseudonymous, the blind-index key), so a day's unchanged
records are only marked seen (`mark_seen`) and keep their enrichment and `updated_at`; only new and changed
records are enriched and upserted, and `updated_at` tells entity resolution which records moved since its last run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg

from outreach.consent.suppression import contact_indexes, erased_contacts
from outreach.discovery.records import CandidateRecord
from outreach.enrichment import EnrichedRecord
from outreach.privacy.access import PiiReader
from outreach.privacy.crypto import BlindIndexer, PiiCipher
from outreach.resolution.identity import PriorMapping

TABLE = "app.source_records"
ENCRYPTED = ("contact_name", "email", "phone")
DROPPED = ("email_suggestion",)
"""A guessed address (a typo's likely fix) is contact data we do not need to keep."""
DIGEST = "candidate_digest"
"""Key of the candidate's digest in the stored JSON (not a field of EnrichedRecord: removed on loading)."""


def record_key(source: str, source_record_id: str) -> str:
    return f"{source}:{source_record_id}"


@dataclass(frozen=True)
class StoredRecord:
    key: str
    enriched: EnrichedRecord
    prior: PriorMapping | None
    updated_at: datetime | None = None
    """When its content last changed (None: not stored yet)."""


@dataclass(frozen=True)
class SeenBefore:
    """What is stored of a record: the digest of the candidate it was enriched from and the day it was judged on."""

    digest: str | None
    as_of: date


def candidate_digest(candidate: CandidateRecord, indexer: BlindIndexer) -> str:
    """Keyed digest of everything a source said about a record but when it was fetched."""
    digest = indexer.index("candidate", candidate.model_dump_json(exclude={"fetched_at"}))
    assert digest is not None  # the JSON is never empty
    return digest.hex()


def seen_before(conn: psycopg.Connection) -> dict[str, SeenBefore]:
    """Record key -> its stored digest and enrichment day, for every stored record."""
    rows = conn.execute(
        f"select source, source_record_id, enriched->>'{DIGEST}', (enriched->>'as_of')::date from {TABLE}"
    )
    return {record_key(source, record_id): SeenBefore(digest, as_of) for source, record_id, digest, as_of in rows}


def mark_seen(conn: psycopg.Connection, seen_on: date, keys: Iterable[str]) -> int:
    """Records seen again unchanged: only their last-seen day moves (content and `updated_at` stay)."""
    conn.execute("create temp table seen (source text, source_record_id text) on commit drop")
    count = 0
    with conn.cursor().copy("copy seen (source, source_record_id) from stdin") as copy:
        for key in keys:
            copy.write_row(key.split(":", 1))
            count += 1
    conn.execute(
        f"update {TABLE} s set last_seen_on = greatest(s.last_seen_on, %s) from seen "
        "where s.source = seen.source and s.source_record_id = seen.source_record_id",
        (seen_on,),
    )
    conn.execute("drop table seen")
    return count


def _context(field: str) -> str:
    return f"{TABLE}.{field}"


def _blank(payload: dict[str, Any], field: str) -> None:
    payload[field] = {**payload[field], "value": None}


def without_erased(
    conn: psycopg.Connection, records: list[EnrichedRecord], indexer: BlindIndexer
) -> tuple[list[EnrichedRecord], int]:
    """`records` less those whose email or phone belongs to a subject erased on request, and how many were left out.

    An erasure keeps only the subject's blind indexes on the suppression list, so that sources sending the same
    person again do not bring them back: they are neither stored nor resolved into a prospect (nor quarantined,
    which would store them too)."""
    contacts = {r_id: contact_indexes(indexer, r.email.value, r.phone.value) for r_id, r in enumerate(records)}
    erased = erased_contacts(conn, [pair for pairs in contacts.values() for pair in pairs])
    kept = [r for r_id, r in enumerate(records) if not erased.intersection(contacts[r_id])]
    return kept, len(records) - len(kept)


def upsert(
    conn: psycopg.Connection,
    seen_on: date,
    records: list[EnrichedRecord],
    cipher: PiiCipher,
    indexer: BlindIndexer,
    digests: Mapping[str, str] | None = None,
) -> int:
    """Insert or refresh `records` (one provenance each) as seen on `seen_on`, in the caller's transaction;
    `digests` (record key -> `candidate_digest`) are stored with them."""
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
            if digests is not None:
                payload[DIGEST] = digests.get(record_key(origin.source, origin.source_record_id))
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
        f"prospect_mapped_at, updated_at from {TABLE} order by source, source_record_id"
    )
    stored = []
    reader = PiiReader(cipher, "entity resolution")
    for source, record_id, name_enc, email_enc, phone_enc, payload, prospect_id, mapped_at, updated_at in rows:
        payload.pop(DIGEST, None)
        for field, blob in zip(ENCRYPTED, (name_enc, email_enc, phone_enc), strict=True):
            value = reader.decrypt(blob, _context(field), record_key(source, record_id))
            payload[field] = {**payload[field], "value": value}
        prior = PriorMapping(str(prospect_id), mapped_at) if prospect_id is not None else None
        stored.append(
            StoredRecord(record_key(source, record_id), EnrichedRecord.model_validate(payload), prior, updated_at)
        )
    reader.record(conn)
    return stored


def save_mapping(conn: psycopg.Connection, mapping: dict[str, PriorMapping]) -> None:
    """Point each record at its prospect (record key -> prospect id, first-mapped time), in the caller's
    transaction. One COPY and one set-based update: the mapping holds every record, nearly all unchanged."""
    conn.execute(
        "create temp table mapping (source text, source_record_id text, prospect_id uuid, mapped_at timestamptz) "
        "on commit drop"
    )
    with conn.cursor().copy("copy mapping (source, source_record_id, prospect_id, mapped_at) from stdin") as copy:
        for key, prior in mapping.items():
            copy.write_row((*key.split(":", 1), prior.prospect_id, prior.mapped_at))
    conn.execute(
        f"update {TABLE} s set prospect_id = m.prospect_id, prospect_mapped_at = m.mapped_at from mapping m "
        "where s.source = m.source and s.source_record_id = m.source_record_id "
        "and s.prospect_id is distinct from m.prospect_id"
    )
    conn.execute("drop table mapping")
