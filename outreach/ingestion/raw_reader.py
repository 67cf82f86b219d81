"""Reading landed items back out of `raw`, contact fields decrypted: what discovery builds candidates from."""

from __future__ import annotations

from datetime import date

import psycopg
from psycopg import sql

from outreach.ingestion.endpoints import EndpointSpec
from outreach.privacy.access import PiiReader
from outreach.privacy.crypto import PiiCipher


def read_items(conn: psycopg.Connection, spec: EndpointSpec, partition_date: date, cipher: PiiCipher) -> list[dict]:
    """The day's items of `spec` as received (payload plus decrypted contact fields)."""
    encrypted = [c for c in spec.columns if c.encrypted]
    query = sql.SQL("select payload, {} from {} where partition_date = %s").format(
        sql.SQL(", ").join(sql.Identifier(f"{c.name}_enc") for c in encrypted) if encrypted else sql.SQL("null"),
        sql.Identifier("raw", spec.name),
    )
    items = []
    reader = PiiReader(cipher, f"discovery from {spec.table}")
    for payload, *blobs in conn.execute(query, (partition_date,)):
        subject = ":".join(str(payload.get(k)) for k in spec.key)
        for column, blob in zip(encrypted, blobs, strict=False):
            payload[column.field] = reader.decrypt(blob, f"{spec.table}.{column.name}", subject)
        items.append(payload)
    reader.record(conn)
    return items
