"""Landing a partition: COPY, replace on re-run, contact data encrypted, invalid items quarantined."""

import json
from datetime import UTC, date, datetime

import pytest

from outreach.ingestion.endpoints import ENDPOINTS_BY_NAME
from outreach.ingestion.raw_writer import replace_partition
from outreach.privacy.crypto import PiiCipher, new_key_spec

pytestmark = pytest.mark.integration

CIPHER = PiiCipher.from_spec(new_key_spec("t1"))
FETCHED = datetime(2026, 5, 1, 6, 0, tzinfo=UTC)
SPEC = ENDPOINTS_BY_NAME["potential_contractors"]


def candidate(n: int, **overrides) -> dict:
    item = {
        "candidate_id": f"00000000-0000-4000-8000-{n:012d}",
        "name": f"Pat Doe {n}",
        "business_name": f"Doe Plumbing {n}",
        "email": f"pat{n}@doe-plumbing.example",
        "phone": "(619) 555-0142",
        "specialty_hint": "plumbing",
        "region": "us-ca-san-diego",
        "state": "CA",
        "city": "San Diego",
        "referred_by_user_id": "11111111-1111-4111-8111-111111111111",
        "relationship": "worked_with",
        "first_seen_at": "2026-04-30T10:00:00Z",
    }
    return item | overrides


def land(db, day: date, pages: list[list[dict]]):
    return replace_partition(db, SPEC, day, pages, CIPHER, FETCHED)


def test_items_land_with_contact_fields_encrypted_and_absent_from_payload(db) -> None:
    day = date(2026, 5, 1)
    result = land(db, day, [[candidate(1), candidate(2)], [candidate(3)]])
    assert (result.rows, result.quarantined, result.pages) == (3, 0, 2)
    row = db.execute(
        "select email_enc, phone_enc, name_enc, payload, business_name from raw.potential_contractors "
        "where partition_date = %s and candidate_id = %s",
        (day, candidate(1)["candidate_id"]),
    ).fetchone()
    email_enc, phone_enc, name_enc, payload, business_name = row
    assert CIPHER.decrypt(email_enc, "raw.potential_contractors.email") == "pat1@doe-plumbing.example"
    assert CIPHER.decrypt(phone_enc, "raw.potential_contractors.phone") == "(619) 555-0142"
    assert CIPHER.decrypt(name_enc, "raw.potential_contractors.name") == "Pat Doe 1"
    assert not {"email", "phone", "name"} & set(payload)
    assert business_name == "Doe Plumbing 1"
    assert "pat1@" not in json.dumps(payload)


def test_rerunning_a_partition_replaces_it_and_leaves_other_days_alone(db) -> None:
    first, second = date(2026, 5, 2), date(2026, 5, 3)
    land(db, first, [[candidate(1), candidate(2)]])
    land(db, second, [[candidate(5)]])
    land(db, first, [[candidate(9)]])
    counts = dict(
        db.execute(
            "select partition_date, count(*) from raw.potential_contractors "
            "where partition_date in (%s, %s) group by 1",
            (first, second),
        ).fetchall()
    )
    assert counts == {first: 1, second: 1}


def test_invalid_items_are_quarantined_with_a_reason_that_hides_the_value(db) -> None:
    day = date(2026, 5, 4)
    bad_region = candidate(7, region="San Diego!!", email="leaky@secret.example")
    missing_name = {k: v for k, v in candidate(8).items() if k != "name"}
    result = land(db, day, [[candidate(6), bad_region, missing_name, "not-an-object"]])
    assert (result.rows, result.quarantined) == (1, 3)
    rows = db.execute(
        "select source_record_id, reason, payload_enc from app.quarantine "
        "where source = 'potential_contractors' and partition_date = %s order by quarantine_id",
        (day,),
    ).fetchall()
    reasons = [r[1] for r in rows]
    assert reasons[0].startswith("region: violates 'pattern'")
    assert "'name' is a required property" in reasons[1]
    assert "San Diego!!" not in " ".join(reasons) and "leaky@" not in " ".join(reasons)
    assert rows[0][0] == bad_region["candidate_id"]
    restored = json.loads(CIPHER.decrypt(rows[0][2], "app.quarantine.payload"))
    assert restored == bad_region


def test_rerun_replaces_the_partition_quarantine_too(db) -> None:
    day = date(2026, 5, 5)
    land(db, day, [[candidate(1, state="California")]])
    land(db, day, [[candidate(1)]])
    (left,) = db.execute(
        "select count(*) from app.quarantine where source = 'potential_contractors' and partition_date = %s", (day,)
    ).fetchone()
    assert left == 0


def test_a_failure_midway_keeps_the_previous_partition(db) -> None:
    day = date(2026, 5, 6)
    land(db, day, [[candidate(1), candidate(2)]])

    def broken_pages():
        yield [candidate(3)]
        raise ConnectionError("domain went away")

    with pytest.raises(ConnectionError):
        land(db, day, broken_pages())
    (count,) = db.execute(
        "select count(*) from raw.potential_contractors where partition_date = %s", (day,)
    ).fetchone()
    assert count == 2
