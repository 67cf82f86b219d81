"""Key rotation over a real database: every encrypted column moves to the new key in committed batches, an
interrupted run resumes, a finished one has nothing left to do, and blind indexes never change."""

from __future__ import annotations

import base64
import json
import secrets

import psycopg
import pytest
from click.testing import CliRunner
from fixtures.api_server import fresh_database
from fixtures.privacy_world import seed_person

from outreach.privacy.crypto import BlindIndexer, PiiCipher, new_key_spec
from outreach.privacy.rotation import encrypted_columns, keys_in_use, rotate_keys
from outreach.prospects.source_records import load_all

pytestmark = pytest.mark.integration

OLD = new_key_spec("k1")
NEW = new_key_spec("k2")


@pytest.fixture(scope="module")
def seeded(pg_server_url):
    """A database of its own (rotation touches every table) with two people written under the old key."""
    indexer = BlindIndexer(secrets.token_bytes(32))
    with fresh_database(pg_server_url) as url, psycopg.connect(url) as conn:
        old = PiiCipher.from_spec(OLD)
        seed_person(conn, old, indexer, email="maria@cruzplumbing.com", phone="+16195550142")
        seed_person(conn, old, indexer, email="ed@evergreen.com", phone="+12065550100", contact_name="Ed Green")
        yield url, indexer


def _indexes(conn) -> list[tuple]:
    return conn.execute("select prospect_id, email_bidx, phone_bidx from app.prospects order by 1").fetchall()


def test_rotation_is_resumable_complete_and_idempotent(seeded) -> None:
    url, _ = seeded
    rotated = PiiCipher.from_spec(f"{NEW},{OLD}")
    with psycopg.connect(url, autocommit=True) as conn:
        before = keys_in_use(conn)
        indexes = _indexes(conn)
        assert set(before) == {"k1"}

        interrupted = rotate_keys(conn, rotated, batch_size=2, max_batches=1)
        assert (interrupted.finished, interrupted.total) == (False, 2)
        assert keys_in_use(conn) == {"k1": before["k1"] - 2, "k2": 2}

        rest = rotate_keys(conn, rotated, batch_size=2)
        assert rest.finished
        assert interrupted.total + rest.total == before["k1"]
        assert rest.remaining == {"k2": before["k1"]}

        again = rotate_keys(conn, rotated, batch_size=2)
        assert (again.total, again.remaining) == (0, {"k2": before["k1"]})

        # the old key can go: the new one alone reads everything, blind indexes are untouched
        only_new = PiiCipher.from_spec(NEW)
        emails = sorted(r.enriched.email.value for r in load_all(conn, only_new))
        assert emails == ["ed@evergreen.com", "maria@cruzplumbing.com"]
        assert _indexes(conn) == indexes
        audit = conn.execute("select details from app.audit_log where action = 'rotate_keys' "
                             "order by audit_id").fetchall()
        assert [row[0]["finished"] for row in audit] == [False, True, True]


def test_every_encrypted_column_of_the_schema_is_covered(seeded) -> None:
    url, _ = seeded
    with psycopg.connect(url) as conn:
        names = {c.name for c in encrypted_columns(conn)}
    assert {"app.prospects.email_enc", "app.source_records.phone_enc", "raw.candidate_records.contact_name_enc",
            "raw.potential_contractors.email_enc", "app.inbox_events.data_enc", "app.quarantine.payload_enc",
            "app.outreach_messages.payload_enc", "app.privacy_requests.export_enc"} <= names


def test_the_cli_rotates_with_the_keys_of_the_environment(seeded, monkeypatch, tmp_path) -> None:
    from outreach.cli import main

    url, indexer = seeded
    newest = new_key_spec("k3")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("OUTREACH_PII_KEYS", f"{newest},{NEW},{OLD}")
    monkeypatch.setenv("OUTREACH_BLIND_INDEX_KEY", base64.b64encode(indexer.key).decode())
    monkeypatch.setenv("OUTREACH_STATE_DIR", str(tmp_path))

    result = CliRunner().invoke(main, ["privacy", "rotate-keys", "--batch-size", "3"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["finished"] and set(report["remaining_by_kid"]) == {"k3"}
    status = json.loads(CliRunner().invoke(main, ["privacy", "keys"]).output)
    assert (status["active"], status["in_use"], status["unknown"]) == ("k3", report["remaining_by_kid"], [])


def test_the_cli_refuses_a_blind_index_key_equal_to_an_encryption_key(seeded, monkeypatch, tmp_path) -> None:
    from outreach.cli import main

    url, _ = seeded
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("OUTREACH_PII_KEYS", OLD)
    monkeypatch.setenv("OUTREACH_BLIND_INDEX_KEY", OLD.split(":", 1)[1])
    monkeypatch.setenv("OUTREACH_STATE_DIR", str(tmp_path))

    result = CliRunner().invoke(main, ["privacy", "rotate-keys"])

    assert result.exit_code != 0
    assert "must differ" in str(result.exception)
