"""An incremental day: unchanged candidates keep their enrichment, and golden prospects re-merge only the prospects
whose records changed, with the same result a full run gives them."""

import base64
import secrets
import uuid
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from fixtures.api_server import fresh_database

from outreach.discovery.records import CandidateRecord
from outreach.enrichment import enrich
from outreach.privacy.crypto import BlindIndexer, PiiCipher, new_key_spec
from outreach.prospects import golden, source_records
from outreach.prospects.freshness import needs_enrichment

pytestmark = pytest.mark.integration

CIPHER = PiiCipher.from_spec(new_key_spec("inc"))
INDEXER = BlindIndexer(base64.b64decode(base64.b64encode(secrets.token_bytes(32))))
DAY = date(2026, 4, 1)
NAMES = (("Zephyr Plumbing", "Ana Diaz"), ("Quartz Roofing", "Bo Chen"), ("Juniper Electric", "Cy Moss"),
         ("Harbor Painting", "Di Ruiz"), ("Falcon Drywall", "Ed Park"))


@pytest.fixture
def db(pg_server_url: str):
    """A database of its own: entity resolution loads every stored source record, and these are under this
    module's keys."""
    with fresh_database(pg_server_url) as url, psycopg.connect(url) as conn:
        yield conn


def _business(n: int, tag: str, **changes) -> list[CandidateRecord]:
    """Two sources describing business `n` (they resolve into one prospect)."""
    fetched = datetime(2026, 4, 1, 6, tzinfo=UTC)
    phone = f"+1619555{n:04d}"
    business, owner = NAMES[n]
    common = {"business_name": f"{business} {tag}", "city": "San Diego", "state": "CA",
              "postal_code": f"9210{n}", "phone": phone, "street": f"{100 + n} {business.split()[0]} Ave"}
    return [
        CandidateRecord(source="directory", source_record_id=f"dl-{tag}-{n}", fetched_at=fetched, **common),
        CandidateRecord(source="license_ca", source_record_id=f"lic-{tag}-{n}", fetched_at=fetched,
                        contact_name=owner, license_number=f"{tag}{n}", **common | changes),
    ]


def _store(db, day: date, candidates: list[CandidateRecord]) -> list[str]:
    """What the enrichment asset does; returns the keys it enriched."""
    before = source_records.seen_before(db)
    digests = {f"{c.source}:{c.source_record_id}": source_records.candidate_digest(c, INDEXER) for c in candidates}
    fresh = [c for c in candidates
             if needs_enrichment(c, digests[f"{c.source}:{c.source_record_id}"],
                                 before.get(f"{c.source}:{c.source_record_id}"), day)]
    fresh_keys = [f"{c.source}:{c.source_record_id}" for c in fresh]
    with db.transaction():
        source_records.upsert(db, day, [enrich(c, day) for c in fresh], CIPHER, INDEXER, digests)
        source_records.mark_seen(db, day, [k for k in digests if k not in fresh_keys])
    return fresh_keys


def _build(db, now: datetime, changed_since: datetime | None):
    stored = [s for s in source_records.load_all(db, CIPHER) if s.key.split(":", 1)[1].startswith(("dl-", "lic-"))]
    return golden.build_golden(stored, now, changed_since)


def test_only_changed_records_are_enriched_and_only_their_prospects_merged(db) -> None:
    tag = uuid.uuid4().hex[:6]
    day1 = [c for n in range(5) for c in _business(n, tag)]
    assert len(_store(db, DAY, day1)) == 10
    now = datetime(2026, 4, 1, 7, tzinfo=UTC)
    goldens, assignment = _build(db, now, None)
    ours = [g for g in goldens if tag in g.members[0]]
    assert len(ours) == 5
    with db.transaction():
        golden.write_golden(db, goldens, assignment, CIPHER, INDEXER, now)
    written = db.execute(
        "select business_name, sources, source_record_count, field_confidence->>'phone', "
        "(select count(*) from app.prospect_field_decisions d where d.prospect_id = p.prospect_id) "
        "from app.prospects p where business_name like %s order by 1", (f"% {tag}",)
    ).fetchall()
    assert [row[:3] for row in written] == [(f"{name} {tag}", ["directory", "license_ca"], 2)
                                            for name, _ in sorted(NAMES)]
    assert all(row[3] is not None and row[4] > 20 for row in written)
    (resolved_through,) = db.execute("select now()").fetchone()
    db.commit()

    day2 = [c for n in range(5) for c in _business(n, tag, **({"street": "9 Harbor Dr"} if n == 3 else {}))]
    assert _store(db, DAY + timedelta(days=1), day2) == [f"license_ca:lic-{tag}-3"]
    seen = db.execute("select count(*) from app.source_records where source_record_id like %s and last_seen_on = %s",
                      (f"%-{tag}-%", DAY + timedelta(days=1))).fetchone()[0]
    assert seen == 10

    later = now + timedelta(days=1)
    incremental, _ = _build(db, later, resolved_through)
    full, _ = _build(db, later, None)
    changed = [g for g in incremental if tag in g.members[0]]
    assert [g.members for g in changed] == [(f"directory:dl-{tag}-3", f"license_ca:lic-{tag}-3")]
    assert changed[0].record.record.street.value == "9 HARBOR DR"
    assert changed == [g for g in full if g.prospect_id == changed[0].prospect_id]
