"""Land one partition of an endpoint in its `raw` table: validate, encrypt contact fields, COPY, replace.

A re-run of a partition replaces it (delete + COPY in one transaction), so ingestion is idempotent. Items that
break the contract are not dropped: they go to `app.quarantine` with a reason that names the field and the rule
(never the value, which may be contact data) and the item itself encrypted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import psycopg
from jsonschema import Draft202012Validator

from integrations.contracts import component_validator
from outreach.ingestion.endpoints import EndpointSpec
from outreach.ingestion.fast_validation import fast_component_validator
from outreach.privacy.crypto import PiiCipher
from outreach.storage import quarantine
from outreach.storage.quarantine import QuarantinedRow

QUARANTINE_STAGE = "ingest"
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))
"""One encoder for every row: `json.dumps` with options builds a new one per call (a sixth of a row's cost)."""


@dataclass(frozen=True)
class IngestResult:
    rows: int
    quarantined: int
    pages: int


def describe_violation(validator: Draft202012Validator, item: object) -> str | None:
    """The first contract violation of `item`, without its value; None when the item is valid."""
    error = next(iter(validator.iter_errors(item)), None)
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(item)"
    rule = error.validator
    if rule in {"required", "additionalProperties"}:
        return f"{where}: {error.message}"
    return f"{where}: violates '{rule}' = {json.dumps(error.validator_value)[:120]}"


def _row(spec: EndpointSpec, item: dict, partition_date: date, fetched_at: datetime, cipher: PiiCipher) -> tuple:
    values: list[object] = [partition_date, fetched_at]
    payload = dict(item)
    for column in spec.columns:
        value = item.get(column.field)
        if column.encrypted:
            payload.pop(column.field, None)
            value = cipher.encrypt(value, f"{spec.table}.{column.name}")
        values.append(value)
    values.append(_COMPACT_JSON.encode(payload))
    return tuple(values)


def _record_id(spec: EndpointSpec, item: object) -> str | None:
    if not isinstance(item, dict):
        return None
    parts = [str(item.get(spec.columns_by_name[k].field, "")) for k in spec.key]
    return "|".join(parts)


def replace_partition(
    conn: psycopg.Connection,
    spec: EndpointSpec,
    partition_date: date,
    pages: Iterable[list[dict]],
    cipher: PiiCipher,
    fetched_at: datetime,
) -> IngestResult:
    """Replace `partition_date` of `spec.table` with the items of `pages`; commit once, at the end."""
    validator = component_validator("domains", spec.component)
    fast = fast_component_validator("domains", spec.component)
    column_names = ["partition_date", "fetched_at", *spec.column_names, "payload"]
    rejected: list[QuarantinedRow] = []
    rows = page_count = 0
    with conn.transaction():
        conn.execute(f"delete from {spec.table} where partition_date = %s", (partition_date,))
        quarantine.clear(conn, QUARANTINE_STAGE, spec.name, partition_date)
        with conn.cursor().copy(f"copy {spec.table} ({', '.join(column_names)}) from stdin") as copy:
            for page in pages:
                page_count += 1
                for item in page:
                    reason = None if fast.is_valid(item) else describe_violation(validator, item)
                    if reason is not None:
                        rejected.append(QuarantinedRow(spec.name, _record_id(spec, item), reason, item))
                        continue
                    copy.write_row(_row(spec, item, partition_date, fetched_at, cipher))
                    rows += 1
        quarantine.add(conn, QUARANTINE_STAGE, partition_date, rejected, cipher)
    return IngestResult(rows=rows, quarantined=len(rejected), pages=page_count)
