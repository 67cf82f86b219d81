"""Everything stored about one data subject, found from their email and/or phone (a privacy request).

Tables with blind indexes (prospects, source records, consent, suppressions, requests) are searched by index and
never decrypted to be searched; the prospects found lead to every table keyed by prospect id (messages, responses,
scores, incentives, published events, audit). What has no index — raw landings, inbox event data, quarantined
records — is decrypted and compared with the subject's contact values, normalized as enrichment normalizes them.
Every decryption goes through the request's `PiiReader`, so the search itself is in the audit log.

The search follows links until nothing new turns up: a prospect found by email brings its phone's index, which
may find another prospect or source record of the same person.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from outreach.enrichment.email import normalize_email
from outreach.enrichment.phone import normalize_phone
from outreach.privacy.access import PiiReader
from outreach.privacy.crypto import BlindIndexer
from outreach.privacy.rotation import EncryptedColumn, encrypted_columns

MAX_HOPS = 5
CONTACT_FIELDS = ("email", "phone")


def normal_email(value: str) -> str:
    return normalize_email(value).address.value or value.strip().lower()


def normal_phone(value: str) -> str:
    return normalize_phone(value).e164.value or "".join(ch for ch in value if ch.isdigit() or ch == "+")


@dataclass
class Subject:
    """The person: contact values (clear, normalized), their blind indexes, and the prospects that are them."""

    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    email_bidx: set[bytes] = field(default_factory=set)
    phone_bidx: set[bytes] = field(default_factory=set)
    prospect_ids: set[str] = field(default_factory=set)
    source_records: set[tuple[str, str]] = field(default_factory=set)

    def contacts(self) -> list[tuple[str, bytes]]:
        """(kind, blind index) of every contact: what the suppression list keeps."""
        return sorted([("email", b) for b in self.email_bidx] + [("phone", b) for b in self.phone_bidx])

    def add_contact(self, indexer: BlindIndexer, kind: str, value: str | None) -> None:
        if not value:
            return
        if kind == "email":
            self.emails.add(normal_email(value))
            self.email_bidx.add(indexer.index("email", value.lower()))
        else:
            self.phones.add(normal_phone(value))
            self.phone_bidx.add(indexer.index("phone", value))

    def matches_value(self, kind: str, value: object) -> bool:
        """Whether `value` is one of the subject's contacts as typed anywhere (`Name <A@B.com>`, `(619) 555-0142`).

        A cheap test first (the address inside the text, the last ten digits), the normalizer only on a hit: a
        request scans every raw landing."""
        if not isinstance(value, str):
            return False
        if kind == "email":
            lowered = value.lower()
            return any(email in lowered for email in self.emails) and normal_email(value) in self.emails
        digits = "".join(ch for ch in value if ch.isdigit())
        return len(digits) >= 10 and any(phone.endswith(digits[-10:]) for phone in self.phones) \
            and normal_phone(value) in self.phones

    def mentioned_in(self, data: Any) -> bool:
        """Whether a JSON document names the subject: one of its contact values or prospect ids, anywhere."""
        return any(
            value in self.prospect_ids or self.matches_value("email", value) or self.matches_value("phone", value)
            for value in _strings(data)
        )


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def find_subject(conn: psycopg.Connection, reader: PiiReader, indexer: BlindIndexer, *, email: str | None,
                 phone: str | None) -> Subject:
    """The subject of a request: follow blind indexes and prospect ids until nothing new is found."""
    subject = Subject()
    subject.add_contact(indexer, "email", email)
    subject.add_contact(indexer, "phone", phone)
    for _ in range(MAX_HOPS):
        before = (len(subject.email_bidx), len(subject.phone_bidx), len(subject.prospect_ids))
        rows = conn.execute(
            "select prospect_id::text, null, null, email_enc, phone_enc from app.prospects "
            "where email_bidx = any(%(e)s) or phone_bidx = any(%(p)s) or prospect_id = any(%(ids)s::uuid[]) "
            "union all "
            "select prospect_id::text, source, source_record_id, email_enc, phone_enc from app.source_records "
            "where email_bidx = any(%(e)s) or phone_bidx = any(%(p)s) or prospect_id = any(%(ids)s::uuid[])",
            {"e": list(subject.email_bidx), "p": list(subject.phone_bidx), "ids": list(subject.prospect_ids)},
        ).fetchall()
        for prospect_id, source, record_id, email_enc, phone_enc in rows:
            table = "app.prospects" if source is None else "app.source_records"
            who = prospect_id or f"{source}:{record_id}"
            subject.add_contact(indexer, "email", reader.decrypt(email_enc, f"{table}.email", who))
            subject.add_contact(indexer, "phone", reader.decrypt(phone_enc, f"{table}.phone", who))
            if prospect_id:
                subject.prospect_ids.add(prospect_id)
            if source is not None:
                subject.source_records.add((source, record_id))
        if (len(subject.email_bidx), len(subject.phone_bidx), len(subject.prospect_ids)) == before:
            break
    return subject


@dataclass(frozen=True)
class ScannedRow:
    """A row without blind indexes that names the subject: where it is (`ctid`) and what it holds in clear."""

    column: EncryptedColumn
    ctid: str
    clear: dict[str, Any]


def _contact_columns(conn: psycopg.Connection) -> dict[tuple[str, str], list[EncryptedColumn]]:
    """Raw tables' encrypted email/phone columns, by table."""
    tables: dict[tuple[str, str], list[EncryptedColumn]] = {}
    for column in encrypted_columns(conn):
        if column.schema == "raw" and column.column.removesuffix("_enc") in CONTACT_FIELDS:
            tables.setdefault((column.schema, column.table), []).append(column)
    return tables


def scan_raw(conn: psycopg.Connection, reader: PiiReader, subject: Subject) -> Iterator[tuple[str, str, dict]]:
    """(table, ctid, row as stored with its contact fields decrypted) of every raw landing about the subject."""
    for (schema, table), columns in _contact_columns(conn).items():
        name = f"{schema}.{table}"
        query = sql.SQL("select ctid::text, to_jsonb(t) - {drop}, {cols} from {table} t").format(
            drop=sql.SQL("array[{}]").format(sql.SQL(", ").join(sql.Literal(c.column) for c in columns)),
            cols=sql.SQL(", ").join(sql.Identifier(c.column) for c in columns),
            table=sql.Identifier(schema, table),
        )
        for ctid, row, *blobs in conn.execute(query):
            clear = {c.column.removesuffix("_enc"): reader.decrypt(blob, c.context) for c, blob in
                     zip(columns, blobs, strict=True)}
            if any(subject.matches_value(kind, value) for kind, value in clear.items()):
                yield name, ctid, {**_decoded(row), **clear}


def scan_sealed_json(conn: psycopg.Connection, reader: PiiReader, subject: Subject, table: str, column: str,
                     key: str) -> Iterator[tuple[str, dict, dict]]:
    """(key, row without the sealed column, decrypted document) of each row of `table` whose sealed JSON names
    the subject (inbox event data, quarantined records)."""
    context = f"{table}.{column.removesuffix('_enc')}"
    query = sql.SQL("select {key}::text, to_jsonb(t) - {col}, {colid} from {table} t").format(
        key=sql.Identifier(key), col=sql.Literal(column), colid=sql.Identifier(column),
        table=sql.Identifier(*table.split(".")))
    for row_key, row, blob in conn.execute(query):
        document = json.loads(reader.decrypt(blob, context, row_key) or "null")
        if subject.mentioned_in(document):
            yield row_key, _decoded(row), document


def _decoded(row: dict) -> dict:
    """A row from `to_jsonb`, with blind indexes (hex in JSON) left out: they mean nothing to the subject."""
    return {name: value for name, value in row.items() if not name.endswith("_bidx")}
