"""Key rotation: re-encrypt every encrypted column to the active PII key, in batches.

The columns are found, not listed: every `bytea` column named `<field>_enc` in the `raw` and `app` schemas holds
ciphertexts sealed with the associated data `<schema>.<table>.<field>` (the convention of every writer). A row
needs work when the key id in its ciphertext header differs from the active key's, so a run is

- resumable: each batch commits, and an interrupted run continues where it stopped when started again;
- idempotent: a second run finds nothing to do (and says so);
- safe beside the pipeline: rows are locked batch by batch (`for update`), and a row re-written meanwhile by a
  writer (already with the active key) no longer matches and is skipped.

Blind indexes use their own key and never change here. Once `remaining` shows no ciphertext under an old key id,
that key can be dropped from `OUTREACH_PII_KEYS` (docs/privacy.md).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus

from outreach.privacy import audit
from outreach.privacy.access import current_actor
from outreach.privacy.crypto import PiiCipher

SCHEMAS = ("raw", "app")


@dataclass(frozen=True)
class EncryptedColumn:
    schema: str
    table: str
    column: str

    @property
    def context(self) -> str:
        """The associated data its values were sealed with."""
        return f"{self.schema}.{self.table}.{self.column.removesuffix('_enc')}"

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}.{self.column}"

    def identifiers(self) -> tuple[sql.Identifier, sql.Identifier]:
        return sql.Identifier(self.schema, self.table), sql.Identifier(self.column)


@dataclass
class RotationReport:
    active_kid: str
    reencrypted: dict[str, int] = field(default_factory=dict)  # column -> values re-encrypted by this run
    remaining: dict[str, int] = field(default_factory=dict)  # key id -> ciphertexts still under it (all columns)
    finished: bool = True  # False when stopped by `max_batches`

    @property
    def total(self) -> int:
        return sum(self.reencrypted.values())


def encrypted_columns(conn: psycopg.Connection) -> list[EncryptedColumn]:
    """Every `<field>_enc` bytea column of the raw and app tables (views excluded)."""
    rows = conn.execute(
        "select c.table_schema, c.table_name, c.column_name from information_schema.columns c "
        "join information_schema.tables t using (table_schema, table_name) "
        "where c.table_schema = any(%s) and t.table_type = 'BASE TABLE' and c.data_type = 'bytea' "
        "and c.column_name like '%%\\_enc' order by 1, 2, 3",
        (list(SCHEMAS),),
    ).fetchall()
    return [EncryptedColumn(*row) for row in rows]


_KID = sql.SQL("convert_from(substring({col} from 3 for get_byte({col}, 1)), 'UTF8')")


def keys_in_use(conn: psycopg.Connection, columns: list[EncryptedColumn] | None = None) -> dict[str, int]:
    """How many ciphertexts each key id seals, over every encrypted column."""
    counts: Counter[str] = Counter()
    for column in columns if columns is not None else encrypted_columns(conn):
        table, col = column.identifiers()
        query = sql.SQL("select {kid}, count(*) from {table} where {col} is not null group by 1").format(
            kid=_KID.format(col=col), table=table, col=col)
        counts.update({kid: n for kid, n in conn.execute(query)})
    return dict(sorted(counts.items()))


def _rotate_batch(conn: psycopg.Connection, column: EncryptedColumn, cipher: PiiCipher, batch_size: int) -> int:
    table, col = column.identifiers()
    with conn.transaction():
        rows = conn.execute(
            sql.SQL("select ctid::text, {col} from {table} where {col} is not null and {kid} <> %s "
                    "limit %s for update").format(kid=_KID.format(col=col), table=table, col=col),
            (cipher.active_kid, batch_size),
        ).fetchall()
        if rows:
            with conn.cursor() as cur:
                cur.executemany(
                    sql.SQL("update {table} set {col} = %s where ctid = %s::tid").format(table=table, col=col),
                    [(cipher.reencrypt(blob, column.context), ctid) for ctid, blob in rows],
                )
    return len(rows)


def rotate_keys(conn: psycopg.Connection, cipher: PiiCipher, *, batch_size: int = 1000,
                max_batches: int | None = None) -> RotationReport:
    """Re-encrypt every value not sealed with `cipher`'s active key; each batch commits on its own.

    `conn` must not be inside a transaction (the batches are what make an interrupted run resumable).
    `max_batches` stops early (a bounded run in a maintenance window); run again to continue.
    """
    if conn.info.transaction_status != TransactionStatus.IDLE:
        raise ValueError("rotate_keys needs a connection with no open transaction (it commits batch by batch)")
    report = RotationReport(active_kid=cipher.active_kid)
    columns = encrypted_columns(conn)
    batches = 0
    for column in columns:
        done = 0
        while max_batches is None or batches < max_batches:
            count = _rotate_batch(conn, column, cipher, batch_size)
            batches += 1
            done += count
            if count < batch_size:
                break
        else:
            report.finished = False
        if done:
            report.reencrypted[column.name] = done
        if not report.finished:
            break
    with conn.transaction():
        report.remaining = keys_in_use(conn, columns)
        audit.write(conn, [audit.AuditEntry(
            current_actor(), "rotate_keys", "PII key rotation", "ciphertext", fields=sorted(report.reencrypted),
            details={"active_kid": report.active_kid, "reencrypted": report.reencrypted,
                     "remaining": report.remaining, "finished": report.finished},
        )])
    return report
