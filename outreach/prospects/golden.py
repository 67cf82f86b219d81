"""Golden prospects: cluster every source record, keep prospect ids stable, merge each cluster field by field.

One pure step (`build_golden`) and one write (`write_golden`), so the Dagster asset can validate what it is about
to write and quarantine the prospects that break the golden rules before anything is stored.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import psycopg

from outreach.enrichment import EnrichedRecord, GoldenRecord, merge
from outreach.events.outbox import publish
from outreach.privacy.crypto import BlindIndexer, PiiCipher
from outreach.prospects.source_records import StoredRecord, save_mapping
from outreach.resolution.clusters import resolve
from outreach.resolution.identity import IdentityAssignment, assign_prospect_ids

ENCRYPTED = ("contact_name", "email", "phone")


@dataclass(frozen=True)
class Golden:
    prospect_id: str
    record: GoldenRecord
    members: tuple[str, ...]

    @property
    def first_source(self) -> str:
        return min(self.members).split(":", 1)[0]


def resolution_input(records: list[tuple[str, EnrichedRecord]]) -> pd.DataFrame:
    """(record key, enriched record) pairs as entity resolution reads them (normalized values where found)."""
    rows = []
    for key, r in records:
        rows.append(
            {
                "record_id": key,
                "business_name": r.business_name.value,
                "contact_name": r.contact_name.value,
                "street": r.street.value,
                "city": r.city.value,
                "state": r.state.value,
                "postal_code": r.postal_code.value,
                "phone": r.phone.value,
                "email": r.email.value,
            }
        )
    return pd.DataFrame(rows, columns=["record_id", "business_name", "contact_name", "street", "city", "state",
                                       "postal_code", "phone", "email"])


def build_golden(stored: list[StoredRecord], now: datetime) -> tuple[list[Golden], IdentityAssignment]:
    clusters = resolve(resolution_input([(item.key, item.enriched) for item in stored]))
    cluster_of = dict(zip(clusters["record_id"], clusters["cluster_id"], strict=True))
    previous = {item.key: item.prior for item in stored if item.prior is not None}
    assignment = assign_prospect_ids(cluster_of, previous, now)
    members: dict[str, list[StoredRecord]] = defaultdict(list)
    for item in stored:
        members[assignment.mapping[item.key].prospect_id].append(item)
    goldens = [
        Golden(prospect_id, merge([m.enriched for m in items]), tuple(sorted(m.key for m in items)))
        for prospect_id, items in sorted(members.items())
    ]
    return goldens, assignment


def golden_frame(goldens: list[Golden]) -> pd.DataFrame:
    """What the golden quality gate validates (`record_key` = prospect id)."""
    rows = []
    for golden in goldens:
        r = golden.record.record
        rows.append(
            {
                "record_key": golden.prospect_id,
                "prospect_id": golden.prospect_id,
                "status": "enriched",
                "region": r.region.value,
                "has_specialty": bool(r.specialties),
                "is_reachable": bool(r.phone_valid.value) or bool(r.email_valid.value),
            }
        )
    return pd.DataFrame(rows, columns=["record_key", "prospect_id", "status", "region", "has_specialty",
                                       "is_reachable"])


def _prospect_row(golden: Golden, cipher: PiiCipher, indexer: BlindIndexer, now: datetime) -> dict:
    r = golden.record.record
    values = {f: getattr(r, f).value for f in ENCRYPTED}
    confidence = {
        name: getattr(r, name).confidence
        for name in ("business_name", "contact_name", "street", "region", "phone", "email", "license_status")
    }
    return {
        "prospect_id": golden.prospect_id,
        "business_name": r.business_name.value,
        **{f"{f}_enc": cipher.encrypt(values[f], f"app.prospects.{f}") for f in ENCRYPTED},
        "email_bidx": indexer.index("email", (values["email"] or "").lower() or None),
        "phone_bidx": indexer.index("phone", values["phone"]),
        "street": r.street.value,
        "city": r.city.value,
        "state": r.state.value,
        "postal_code": r.postal_code.value,
        "region": r.region.value,
        "timezone": r.time_zone.value,
        "email_domain": values["email"].rsplit("@", 1)[-1].lower() if values["email"] else None,
        "website_domain": r.website_domain.value,
        "phone_line_type": r.phone_line_type.value,
        "is_email_valid": bool(r.email_valid.value),
        "is_phone_valid": bool(r.phone_valid.value),
        "is_sms_eligible": bool(r.sms_eligible.value),
        "license_number": r.license_number.value,
        "license_state": r.license_state.value,
        "license_status": r.license_status.value,
        "license_expires_on": r.license_expires_on.value,
        "license_age_years": r.license_age_years.value,
        "business_type": r.business_type.value,
        "specialties": [s.value for s in r.specialties],
        "rating": r.rating.value,
        "review_count": r.review_count.value,
        "referred_by_user_id": r.referred_by_user_id.value,
        "sources": sorted({m.split(":", 1)[0] for m in golden.members}),
        "source_record_count": len(golden.members),
        "field_confidence": json.dumps(confidence),
        "discovered_at": now,
    }


@dataclass(frozen=True)
class GoldenWrite:
    prospects: int
    new_prospects: int
    removed_prospects: int


def write_golden(
    conn: psycopg.Connection,
    goldens: list[Golden],
    assignment: IdentityAssignment,
    cipher: PiiCipher,
    indexer: BlindIndexer,
    now: datetime,
) -> GoldenWrite:
    """Upsert prospects, their field decisions and record mappings; announce new ones; in one transaction."""
    with conn.transaction():
        existing = {str(r[0]) for r in conn.execute("select prospect_id from app.prospects")}
        rows = [_prospect_row(g, cipher, indexer, now) for g in goldens]
        if rows:
            columns = list(rows[0])
            updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("prospect_id", "discovered_at"))
            with conn.cursor() as cur:
                cur.executemany(
                    f"insert into app.prospects ({', '.join(columns)}, status) "
                    f"values ({', '.join('%s' for _ in columns)}, 'enriched') "
                    f"on conflict (prospect_id) do update set {updates}, updated_at = now()",
                    [tuple(row.values()) for row in rows],
                )
                cur.execute(
                    "delete from app.prospect_field_decisions where prospect_id = any(%s::uuid[])",
                    ([g.prospect_id for g in goldens],),
                )
                cur.executemany(
                    "insert into app.prospect_field_decisions (prospect_id, field, chosen_source, confidence, reason, "
                    "considered) values (%s, %s, %s, %s, %s, %s)",
                    [
                        (
                            g.prospect_id, d.field, d.chosen.source if d.chosen else None,
                            d.chosen.confidence if d.chosen else None, d.reason,
                            json.dumps([{"source": c.source, "record": c.source_record_id, "confidence": c.confidence}
                                        for c in d.candidates]),
                        )
                        for g in goldens
                        for d in g.record.decisions
                    ],
                )
        save_mapping(conn, assignment.mapping)
        kept = {g.prospect_id for g in goldens}
        removed = conn.execute(
            "delete from app.prospects p where not (p.prospect_id = any(%s::uuid[])) "
            "and p.status in ('discovered', 'enriched') "
            "and not exists (select 1 from app.source_records s where s.prospect_id = p.prospect_id)",
            (list(kept),),
        ).rowcount
        new = [g for g in goldens if g.prospect_id not in existing]
        for golden in new:
            r = golden.record.record
            publish(
                conn,
                "ProspectDiscoveredEvent",
                key=golden.prospect_id,
                subject=golden.prospect_id,
                occurred_at=now,
                data={
                    "prospect_id": golden.prospect_id,
                    "source": golden.first_source,
                    "specialties": [s.value for s in r.specialties],
                    "region": r.region.value,
                    "discovered_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                },
            )
    return GoldenWrite(prospects=len(goldens), new_prospects=len(new), removed_prospects=removed)

