"""Retention: personal data is kept only as long as it serves outreach (docs/privacy.md, "Retention").

1. **Stale prospects are anonymized**: a prospect discovered before the prospect cutoff, never converted, and not
   seen by any discovery source since the cutoff loses everything that identifies the business or the person
   (contact ciphertexts and blind indexes, business name, street, domains, license number), in `app.prospects`
   and in its source records (so entity resolution cannot restore them). Its pseudonymous id, status, region,
   specialties, scores and messages stay, so mart aggregates keep counting it. Idempotent: only rows that still
   hold such data are touched. A business a source lists again later is simply fresh data, seen again.
2. **Raw payloads expire**: rows of every `raw` table whose partition is older than the raw cutoff, handled or
   dead inbox events and delivered or dead outbox events received before it, and quarantined records. Marts are
   incremental by day (`delete+insert`), so the aggregates already built from those days stay.

Dagster's own run and event-log history is purged by `orchestration.privacy` (it needs the Dagster instance).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psycopg
from psycopg import sql

from outreach.privacy import audit
from outreach.privacy.access import current_actor
from outreach.settings import Settings

PROSPECT_PII_COLUMNS = (
    "business_name", "contact_name_enc", "email_enc", "phone_enc", "email_bidx", "phone_bidx", "street",
    "email_domain", "website_domain", "license_number",
)
SOURCE_RECORD_PII_COLUMNS = (
    "business_name", "contact_name_enc", "email_enc", "phone_enc", "email_bidx", "phone_bidx",
)
ENRICHED_PII_FIELDS = (
    "business_name", "contact_name", "street", "phone", "phone_extension", "email", "email_suggestion", "website",
    "website_domain", "license_number",
)
"""Fields of a stored `EnrichedRecord` whose value identifies someone (blanked: `value` set to null)."""
CONVERTED_STATUSES = ("converted", "verified")


@dataclass(frozen=True)
class RetentionPolicy:
    prospect_days: int = 548  # 18 months
    raw_days: int = 90

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        return cls(prospect_days=settings.retention_prospect_days, raw_days=settings.retention_raw_days)


@dataclass
class RetentionReport:
    anonymized_prospects: int = 0
    anonymized_source_records: int = 0
    deleted: dict[str, int] = field(default_factory=dict)  # table -> rows deleted

    def summary(self) -> dict:
        return {"anonymized_prospects": self.anonymized_prospects,
                "anonymized_source_records": self.anonymized_source_records, "deleted": self.deleted}


def _nulls(columns: tuple[str, ...]) -> sql.Composable:
    return sql.SQL(", ").join(sql.SQL("{} = null").format(sql.Identifier(c)) for c in columns)


def _has_any(columns: tuple[str, ...], alias: str) -> sql.Composable:
    return sql.SQL(" or ").join(sql.SQL("{} is not null").format(sql.Identifier(alias, c)) for c in columns)


def _blank_enriched() -> sql.Composable:
    """`enriched` with the value of each identifying field set to null (the field's confidence and source stay)."""
    expression: sql.Composable = sql.Identifier("enriched")
    for name in ENRICHED_PII_FIELDS:
        expression = sql.SQL("jsonb_set({e}, {path}, 'null'::jsonb, false)").format(
            e=expression, path=sql.Literal(f"{{{name},value}}"))
    return expression


def anonymize_stale_prospects(conn: psycopg.Connection, cutoff: datetime) -> tuple[int, int]:
    """Anonymize prospects stale at `cutoff` (see module docstring); returns (prospects, source records)."""
    stale = conn.execute(
        sql.SQL(
            "select p.prospect_id from app.prospects p where p.discovered_at < %(cutoff)s "
            "and p.converted_at is null and p.user_id is null and p.status <> all(%(converted)s) "
            "and not exists (select 1 from app.source_records s where s.prospect_id = p.prospect_id "
            "  and s.last_seen_on >= %(cutoff)s::date) "
            "and ({has_pii} or exists (select 1 from app.source_records s where s.prospect_id = p.prospect_id "
            "  and ({source_pii})))"
        ).format(has_pii=_has_any(PROSPECT_PII_COLUMNS, "p"), source_pii=_has_any(SOURCE_RECORD_PII_COLUMNS, "s")),
        {"cutoff": cutoff, "converted": list(CONVERTED_STATUSES)},
    ).fetchall()
    ids = [row[0] for row in stale]
    if not ids:
        return 0, 0
    prospects = conn.execute(
        sql.SQL("update app.prospects set {}, updated_at = now() where prospect_id = any(%s)").format(
            _nulls(PROSPECT_PII_COLUMNS)), (ids,)).rowcount
    records = conn.execute(
        sql.SQL("update app.source_records set {}, enriched = {}, updated_at = now() where prospect_id = any(%s)")
        .format(_nulls(SOURCE_RECORD_PII_COLUMNS), _blank_enriched()), (ids,)).rowcount
    conn.execute("update app.outreach_messages set payload_enc = null where prospect_id = any(%s) "
                 "and status <> 'pending' and payload_enc is not null", (ids,))
    return prospects, records


def raw_tables(conn: psycopg.Connection) -> list[str]:
    """Every table of the `raw` schema that is partitioned by day (a `partition_date` column)."""
    rows = conn.execute(
        "select table_name from information_schema.columns where table_schema = 'raw' "
        "and column_name = 'partition_date' order by 1"
    ).fetchall()
    return [row[0] for row in rows]


def purge_raw_payloads(conn: psycopg.Connection, cutoff: datetime) -> dict[str, int]:
    """Delete landed and consumed payloads older than `cutoff`; returns rows deleted per table."""
    deleted = {}
    for table in raw_tables(conn):
        deleted[f"raw.{table}"] = conn.execute(
            sql.SQL("delete from {} where partition_date < %s").format(sql.Identifier("raw", table)),
            (cutoff.date(),)).rowcount
    deleted["app.inbox_events"] = conn.execute(
        "delete from app.inbox_events where received_at < %s and status in ('processed', 'dead')", (cutoff,)
    ).rowcount
    deleted["app.outbox_events"] = conn.execute(
        "delete from app.outbox_events where created_at < %s and status in ('delivered', 'dead')", (cutoff,)
    ).rowcount
    deleted["app.quarantine"] = conn.execute("delete from app.quarantine where created_at < %s", (cutoff,)).rowcount
    return {table: count for table, count in deleted.items() if count}


def apply_retention(conn: psycopg.Connection, policy: RetentionPolicy, now: datetime) -> RetentionReport:
    """Both rules in one transaction, recorded in the audit log."""
    report = RetentionReport()
    with conn.transaction():
        report.anonymized_prospects, report.anonymized_source_records = anonymize_stale_prospects(
            conn, now - timedelta(days=policy.prospect_days))
        report.deleted = purge_raw_payloads(conn, now - timedelta(days=policy.raw_days))
        audit.write(conn, [audit.AuditEntry(
            current_actor(), "retention", "retention policy", "prospect",
            details={"policy": {"prospect_days": policy.prospect_days, "raw_days": policy.raw_days},
                     **report.summary()},
        )])
    return report
