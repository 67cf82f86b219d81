"""Landing discovered candidate records in `raw.candidate_records`, one source and day at a time.

Contact fields are encrypted into their own columns and left out of the JSON; a re-run of a (day, source)
replaces it. Loading decrypts them back into `CandidateRecord`s for enrichment.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

import psycopg

from outreach.discovery.records import CandidateRecord
from outreach.privacy.access import PiiReader
from outreach.privacy.crypto import PiiCipher

TABLE = "raw.candidate_records"
ENCRYPTED = ("contact_name", "email", "phone")


def _context(field: str) -> str:
    return f"{TABLE}.{field}"


def land_candidates(
    conn: psycopg.Connection,
    partition_date: date,
    source: str,
    records: Iterable[CandidateRecord],
    cipher: PiiCipher,
) -> int:
    """Replace the day's records of `source`; returns how many landed. Commits once, at the end."""
    columns = "partition_date, source, source_record_id, fetched_at, business_name, " + ", ".join(
        f"{field}_enc" for field in ENCRYPTED
    ) + ", record"
    count = 0
    with conn.transaction():
        conn.execute(f"delete from {TABLE} where partition_date = %s and source = %s", (partition_date, source))
        with conn.cursor().copy(f"copy {TABLE} ({columns}) from stdin") as copy:
            for record in records:
                if record.source != source:
                    raise ValueError(f"a {record.source} record in the {source} batch")
                rest = record.model_dump(mode="json", exclude={"source", "source_record_id", "fetched_at", *ENCRYPTED})
                encrypted = [cipher.encrypt(getattr(record, f), _context(f)) for f in ENCRYPTED]
                copy.write_row(
                    (partition_date, source, record.source_record_id, record.fetched_at, record.business_name,
                     *encrypted, json.dumps(rest))
                )
                count += 1
    return count


def load_candidates(conn: psycopg.Connection, partition_date: date, cipher: PiiCipher) -> list[CandidateRecord]:
    """Every source's records of the day, decrypted."""
    rows = conn.execute(
        f"select source, source_record_id, fetched_at, contact_name_enc, email_enc, phone_enc, record "
        f"from {TABLE} where partition_date = %s order by source, source_record_id",
        (partition_date,),
    )
    records = []
    reader = PiiReader(cipher, "enrichment of discovered candidates")
    for source, record_id, fetched_at, *encrypted, rest in rows:
        contact = {f: reader.decrypt(blob, _context(f), f"{source}:{record_id}")
                   for f, blob in zip(ENCRYPTED, encrypted, strict=True)}
        records.append(
            CandidateRecord(source=source, source_record_id=record_id, fetched_at=fetched_at, **contact, **rest)
        )
    reader.record(conn)
    return records
