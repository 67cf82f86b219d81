"""Data-subject requests end to end: recorded by the API, fulfilled by one run (function, CLI or Dagster job),
reported by the API in the contract's shape, audited; erasure leaves only blind indexes on the suppression list."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, date, datetime

import psycopg
import pytest
from click.testing import CliRunner
from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context
from fixtures.api_server import sandbox_token
from fixtures.privacy_world import as_typed, seed_person

from integrations.contracts import component_validator
from outreach.consent.suppression import contact_indexes, suppress, suppressed_prospects
from outreach.discovery.records import CandidateRecord
from outreach.enrichment.enrich import enrich
from outreach.events.inbox import DATA_CONTEXT
from outreach.privacy.dsar import process_pending
from outreach.prospects import source_records

pytestmark = pytest.mark.integration

PRIVACY = "/ai-outreach/privacy/requests"


@pytest.fixture(scope="module")
def admin(sandbox) -> dict[str, str]:
    return {"authorization": f"Bearer {sandbox_token(sandbox.url, 'outreach.admin')}"}


@pytest.fixture
def conn(api):
    with psycopg.connect(api.database_url) as connection:
        yield connection


@pytest.fixture
def keys_env(api, monkeypatch, tmp_path) -> None:
    """The environment of a job or CLI run reading the API's data: same database, same keys."""
    (kid, key), = api.cipher.keys.items()
    monkeypatch.setenv("DATABASE_URL", api.database_url)
    monkeypatch.setenv("OUTREACH_PII_KEYS", f"{kid}:{base64.b64encode(key).decode()}")
    monkeypatch.setenv("OUTREACH_BLIND_INDEX_KEY", base64.b64encode(api.indexer.key).decode())
    monkeypatch.setenv("OUTREACH_STATE_DIR", str(tmp_path / "state"))


def request(client, admin, kind: str, **subject: str) -> str:
    response = client.post(PRIVACY, json={"kind": kind, **subject},
                           headers={**admin, "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 202
    return response.json()["request_id"]


def test_access_exports_every_record_about_the_subject(api, client, admin, conn) -> None:
    maria = seed_person(conn, api.cipher, api.indexer, email="maria@cruzplumbing.com", phone="+16195550142")
    other = seed_person(conn, api.cipher, api.indexer, email="ed@evergreen.com", phone="+12065550100",
                        contact_name="Ed Green", business_name="Evergreen Roofing")
    request_id = request(client, admin, "access", email="Maria@CruzPlumbing.com")

    outcomes = process_pending(conn, api.cipher, api.indexer)

    assert [(o.request_id, o.kind) for o in outcomes] == [(request_id, "access")]
    answer = client.get(f"{PRIVACY}/{request_id}", headers=admin).json()
    assert component_validator("ai-outreach", "PrivacyRequest").is_valid(answer)
    assert answer["status"] == "completed"
    export = answer["export"]
    assert export["subject"] == {"email": "Maria@CruzPlumbing.com", "phone": None}
    by_type: dict[str, list[dict]] = {}
    for record in export["records"]:
        by_type.setdefault(record["record_type"], []).append(record)
    assert {"prospect", "source_record", "score", "message", "raw_candidate_records", "received_event",
            "quarantined_record"} <= set(by_type)
    (prospect,) = by_type["prospect"]
    # found by email, the prospect's phone is theirs too and shown in clear, as stored for them
    assert (prospect["data"]["email"], prospect["data"]["phone"]) == (maria.email, maria.phone)
    assert prospect["record_id"] == maria.prospect_id
    assert by_type["quarantined_record"][0]["data"]["payload"]["phone"] == "(619) 555-0142"
    assert by_type["received_event"][0]["data"]["data"]["from"] == maria.email.upper()
    assert other.prospect_id not in json.dumps(export)
    assert "ed@evergreen.com" not in json.dumps(export)


def test_fulfilment_and_the_export_read_are_audited(api, client, admin, conn) -> None:
    seed_person(conn, api.cipher, api.indexer, email="ann@annsroofs.com", phone="+16195550177")
    request_id = request(client, admin, "access", phone="+16195550177")
    process_pending(conn, api.cipher, api.indexer)
    client.get(f"{PRIVACY}/{request_id}", headers=admin)

    rows = conn.execute("select actor, action, purpose, subject_kind, subject_ids from app.audit_log "
                        "where %s = any(subject_ids) order by audit_id", (request_id,)).fetchall()
    actions = [(action, subject_kind) for _, action, _, subject_kind, _ in rows]
    assert ("dsar_access", "privacy_request") in actions
    assert ("read_pii", "app.privacy_requests") in actions  # the job reading the request's contact
    api_read = rows[-1]
    assert (api_read[1], api_read[2], api_read[4]) == ("read_pii", f"GET {PRIVACY}/{{id}}", [request_id])
    assert api_read[0] != rows[0][0]  # the admin client, not the job


def test_erasure_leaves_only_blind_indexes_on_the_suppression_list(api, client, admin, conn, keys_env) -> None:
    from outreach.cli import main

    carol = seed_person(conn, api.cipher, api.indexer, email="carol@cpipes.com", phone="+16195550999",
                        contact_name="Carol Pipes", business_name="C Pipes")
    bystander = seed_person(conn, api.cipher, api.indexer, email="dan@dansdrains.com", phone="+16195550888",
                            contact_name="Dan Drain", business_name="Dan's Drains")
    earlier = request(client, admin, "access", email="carol@cpipes.com")
    process_pending(conn, api.cipher, api.indexer)
    erasure = request(client, admin, "erasure", phone="+16195550999")

    result = CliRunner().invoke(main, ["privacy", "process"])

    assert result.exit_code == 0, result.output
    assert f"{erasure} erasure completed" in result.output
    for table, where in (("app.prospects", "prospect_id = %s"), ("app.prospect_scores", "prospect_id = %s"),
                         ("app.outreach_messages", "prospect_id = %s"), ("app.source_records", "prospect_id = %s"),
                         ("raw.candidate_records", "source_record_id = %s"),
                         ("app.quarantine", "source_record_id = %s")):
        key = carol.source_record_id if table in ("raw.candidate_records", "app.quarantine") else carol.prospect_id
        assert conn.execute(f"select count(*) from {table} where {where}", (key,)).fetchone()[0] == 0, table
    data = [json.loads(api.cipher.decrypt(blob, DATA_CONTEXT)) for (blob,) in conn.execute(
        "select data_enc from app.inbox_events where subject = %s", (carol.prospect_id,))]
    assert data == [{"erased": True}]  # the event id stays known (a redelivery is still a duplicate)
    suppressed = conn.execute("select contact_kind, contact_bidx, prospect_id from app.suppressions "
                              "where reason = 'erasure' and contact_bidx = any(%s)",
                              ([api.indexer.index("email", carol.email), api.indexer.index("phone", carol.phone)],)
                              ).fetchall()
    assert sorted(kind for kind, _, _ in suppressed) == ["email", "phone"]
    assert all(prospect_id is None for _, _, prospect_id in suppressed)
    shredded = conn.execute("select request_id::text, status, email_enc, phone_enc, export_enc "
                            "from app.privacy_requests where request_id = any(%s::uuid[]) order by created_at",
                            ([earlier, erasure],)).fetchall()
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in shredded] == [
        (earlier, "completed", None, None, None), (erasure, "completed", None, None, None)]
    assert conn.execute("select count(*) from app.prospects where prospect_id = %s",
                        (bystander.prospect_id,)).fetchone()[0] == 1
    # rediscovered later under a new id: still never contacted
    again = seed_person(conn, api.cipher, api.indexer, email="carol@cpipes.com", phone="+16195550111")
    assert suppressed_prospects(conn, [again.prospect_id, bystander.prospect_id]) == {again.prospect_id}


def test_the_sensor_launches_one_job_run_that_completes_every_request(api, client, admin, conn, keys_env) -> None:
    from orchestration.privacy import privacy_requests_job, privacy_requests_sensor
    from orchestration.resources import PiiResource, PostgresResource

    seed_person(conn, api.cipher, api.indexer, email="eve@evesheating.com", phone="+16195550333")
    first = request(client, admin, "access", email="eve@evesheating.com")
    second = request(client, admin, "erasure", email="eve@evesheating.com")
    with DagsterInstance.ephemeral() as instance:
        tick = privacy_requests_sensor(build_sensor_context(instance=instance))
        assert isinstance(tick, RunRequest)

        result = privacy_requests_job.execute_in_process(
            instance=instance, resources={"postgres": PostgresResource(database_url=api.database_url),
                                          "pii": PiiResource()})

        assert result.success
        assert isinstance(privacy_requests_sensor(build_sensor_context(instance=instance)), SkipReason)
    statuses = conn.execute("select request_id::text, status from app.privacy_requests where request_id = "
                            "any(%s::uuid[]) order by created_at", ([first, second],)).fetchall()
    assert statuses == [(first, "completed"), (second, "completed")]
    actors = {actor for (actor,) in conn.execute(
        "select actor from app.audit_log where action like 'dsar_%%' and subject_ids && %s::text[]",
        ([first, second],))}
    assert actors == {f"dagster:privacy_requests:{result.run_id}"}


def test_admins_query_the_audit_log_by_action_subject_and_time(api, client, admin, conn, keys_env) -> None:
    from outreach.cli import main

    seed_person(conn, api.cipher, api.indexer, email="fay@faysfences.com", phone="+16195550444")
    request_id = request(client, admin, "erasure", email="fay@faysfences.com")
    CliRunner().invoke(main, ["privacy", "process"])

    by_subject = CliRunner().invoke(main, ["privacy", "audit", "--subject", request_id, "--since", "2026-01-01"])
    future = CliRunner().invoke(main, ["privacy", "audit", "--subject", request_id, "--since", "2999-01-01"])

    assert by_subject.exit_code == 0, by_subject.output
    rows = [json.loads(line) for line in by_subject.output.splitlines()]
    assert [r["action"] for r in rows] == ["dsar_erasure", "read_pii"]  # newest first
    assert rows[0]["details"]["records"]["prospect"] == 1
    assert rows[1]["purpose"] == f"privacy request {request_id} (erasure)"
    assert future.output == ""


def test_an_erased_subject_sent_again_by_a_source_is_not_stored(api, client, admin, conn) -> None:
    erin = seed_person(conn, api.cipher, api.indexer, email="erin@epipes.com", phone="+16195550777",
                       contact_name="Erin Pipes", business_name="E Pipes")
    suppress(conn, contact_indexes(api.indexer, erin.email, None), "opt_out")  # opted out before asking for erasure
    conn.commit()
    request(client, admin, "erasure", email=erin.email)
    process_pending(conn, api.cipher, api.indexer)
    conn.commit()

    day = date(2026, 6, 1)
    fetched = datetime(2026, 6, 1, 8, tzinfo=UTC)
    common = {"fetched_at": fetched, "street": "5 Oak Ave", "city": "San Diego", "state": "CA", "postal_code": "92101",
              "specialty_hints": ("plumbing",)}
    again = enrich(CandidateRecord(source="directory", source_record_id="dl-erin", business_name="E Pipes LLC",
                                   contact_name="Erin P.", phone=as_typed(erin.phone), email=None, **common), day)
    other = enrich(CandidateRecord(source="directory", source_record_id="dl-fay", business_name="Fay Faucets",
                                   contact_name="Fay Faucet", phone="(619) 555-0666", email="fay@faucets.com",
                                   **common), day)

    kept, skipped = source_records.without_erased(conn, [again, other], api.indexer)

    assert kept == [other] and skipped == 1
    reasons = conn.execute("select contact_kind, reason from app.suppressions where contact_bidx = any(%s)",
                           ([api.indexer.index("email", erin.email), api.indexer.index("phone", erin.phone)],))
    assert sorted(reasons.fetchall()) == [("email", "erasure"), ("phone", "erasure")]
