"""SQL-injection strings in every query parameter of every read operation of the contract (read from the contract,
so a new parameter is covered), in the privacy request id and in the Idempotency-Key: never a 5xx, never a row
that the literal value would not select, and every table still intact afterwards."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import psycopg
import pytest
from fixtures.api_server import sandbox_token

from integrations.contracts import load_openapi

pytestmark = pytest.mark.integration

INJECTIONS = [
    "' OR '1'='1", "' OR 1=1 --", "\" OR \"\"=\"", "'; DROP TABLE app.prospects; --", "1; DELETE FROM app.audit_log",
    "') UNION SELECT prospect_id::text, business_name FROM app.prospects --", "%", "_", "%' --", "\\", "\\'",
    "' AND pg_sleep(5) IS NULL --", "$1", "$$; DROP SCHEMA marts CASCADE; $$", "'::regclass", "\u0000", "nul\x00byte",
    "NaN", "-1e309", "1e309", "0x7fffffff", "-1", "00000000-0000-0000-0000-000000000000' OR '1'='1",
    "plumbing' OR specialty LIKE '%", "us-ca-san-diego'--", "a" * 5000, "\u202e\u0027 or 1=1",
]
TABLES = ("app.prospects", "app.prospect_scores", "app.audit_log", "app.privacy_requests",
          "marts.campaign_performance_daily", "marts.prospect_conversion_metrics")


def query_parameters() -> list[tuple[str, str]]:
    """(path, query parameter) of every GET operation of the contract."""
    document = load_openapi("ai-outreach")
    shared = document["components"]["parameters"]
    found = []
    for path, item in document["paths"].items():
        for parameter in item.get("get", {}).get("parameters", []):
            if "$ref" in parameter:
                parameter = shared[parameter["$ref"].rsplit("/", 1)[1]]
            if parameter["in"] == "query":
                found.append((path, parameter["name"]))
    return found


PARAMETERS = query_parameters()


def test_every_read_operation_has_its_parameters_swept() -> None:
    assert {path.rsplit("/", 1)[1] for path, _ in PARAMETERS} == {"search", "analytics", "conversion-metrics"}
    assert len(PARAMETERS) == 19


@pytest.fixture(scope="module")
def api(api):
    """The API with a prospect, a score and both marts holding rows, none of which any injection string names."""
    with psycopg.connect(api.database_url) as conn:
        prospect = str(uuid.uuid4())
        conn.execute("insert into app.prospects (prospect_id, status, business_name, city, state, region, "
                     "specialties, discovered_at) values (%s, 'scored', 'Harbor Tile', 'Seattle', 'WA', "
                     "'us-wa-seattle', '{tile}', '2025-03-01T10:00:00Z')", (prospect,))
        conn.execute("insert into app.prospect_scores (prospect_id, score, model_version, scorer, scored_on, "
                     "scored_at) values (%s, 0.7, 'm1', 'model', '2025-03-02', '2025-03-02T00:00:00Z')", (prospect,))
        conn.execute("create schema if not exists marts")
        conn.execute("create table marts.campaign_performance_daily as select gen_random_uuid() as campaign_id, "
                     "'Spring'::text as campaign_name, 'email'::text as channel, now() as campaign_started_at, "
                     "current_date as activity_date, 10::bigint as prospects_targeted, " +
                     ", ".join(f"1::bigint as {c}" for c in ("sent", "delivered", "bounced", "opened", "responded",
                                                             "interested", "opted_out", "converted", "verified",
                                                             "cost_cents")) + ", 'USD'::text as currency")
        conn.execute("create table marts.prospect_conversion_metrics as select %s::uuid as prospect_id, "
                     "now() - interval '1 day' as prospect_created_at, 'specialty'::text as dimension, "
                     "'tile'::text as group_value, true as is_contacted, false as is_converted, "
                     "null::float8 as days_to_convert", (prospect,))
    return api


def counts(api) -> dict[str, int]:
    with psycopg.connect(api.database_url) as conn:
        return {table: conn.execute(f"select count(*) from {table}").fetchone()[0] for table in TABLES}


@pytest.fixture(scope="module")
def headers(sandbox) -> dict[str, str]:
    return {"authorization": f"Bearer {sandbox_token(sandbox.url, 'outreach.read outreach.admin')}"}


def assert_harmless(response, what) -> None:
    assert response.status_code in (200, 400, 404), (what, response.status_code, response.text)
    if response.status_code == 200:
        assert response.json()["items"] == [], what
    else:
        assert response.headers["content-type"] == "application/problem+json", what


@pytest.mark.parametrize(("path", "name"), PARAMETERS, ids=[f"{p.rsplit('/', 1)[1]}-{n}" for p, n in PARAMETERS])
def test_injection_strings_in_a_query_parameter_are_harmless(api, client, headers, path, name) -> None:
    before = counts(api)
    required = {"group_by": "specialty"} if path.endswith("conversion-metrics") and name != "group_by" else {}
    for value in INJECTIONS:
        response = client.get(path, params={**required, name: value}, headers=headers)
        assert_harmless(response, (name, value))
    assert counts(api) == before


def test_injection_strings_in_the_privacy_request_id_and_idempotency_key_are_harmless(api, client, headers) -> None:
    before = counts(api)
    for value in INJECTIONS:
        response = client.get(f"/ai-outreach/privacy/requests/{quote(value, safe='')}", headers=headers)
        assert response.status_code in (400, 404), (value, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        if "\x00" in value or len(value) > 255:
            continue  # not a header value an HTTP client can send; refused before reaching us
        response = client.post("/ai-outreach/privacy/requests", headers={**headers, "idempotency-key": value.encode()},
                               json={"kind": "access", "email": "nobody@example.com"})
        assert response.status_code < 500, (value, response.text)
    after = counts(api)
    assert {t: n for t, n in after.items() if t != "app.privacy_requests"} == \
        {t: n for t, n in before.items() if t != "app.privacy_requests"}
