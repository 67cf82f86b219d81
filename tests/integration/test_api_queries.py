"""Prospect search (filters, blind-index lookups, masking, audit, keyset pages, SQL injection), the analytics
endpoints over the marts, privacy requests with Idempotency-Key, health and the served contract."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import psycopg
import pytest
from fixtures.api_server import fresh_database, running_api, sandbox_token
from fixtures.campaign_activity import (
    CAMPAIGN_A,
    CAMPAIGN_B,
    DAYS_TO_CONVERT_P1,
    EXPECTED_CAMPAIGN_DAYS,
    build_app_marts,
    seed_campaign_activity,
)

from integrations.contracts import component_validator

pytestmark = pytest.mark.integration

SEARCH = "/ai-outreach/prospects/search"
ANALYTICS = "/ai-outreach/campaigns/analytics"
CONVERSION = "/ai-outreach/prospects/conversion-metrics"
PRIVACY = "/ai-outreach/privacy/requests"

PROSPECTS = [
    # business, contact, email, phone, specialties, region, status, score
    ("Cruz Plumbing", "Maria Cruz", "maria@cruzplumbing.com", "+16195550142", ["plumbing"], "us-ca-san-diego",
     "scored", 0.91),
    ("Bright Sparks Electric", "Tom Lee", "tom@brightsparks.com", "+12065550199", ["electrical"], "us-wa-seattle",
     "scored", 0.42),
    ("Evergreen Roofing", "Ana Silva", "ana@evergreenroof.com", "+12065550100", ["roofing", "carpentry"],
     "us-wa-seattle", "enriched", None),
    ("O'Brien; DROP TABLE app.prospects;--", "Sean O'Brien", None, "+15125550111", ["handyman"], "us-tx-austin",
     "discovered", None),
]


@pytest.fixture(scope="module")
def api(api):
    """The API of tests/integration/conftest.py, with this module's prospects in its database."""
    _seed(api)
    return api


@pytest.fixture(scope="module")
def tokens(sandbox) -> dict[str, dict[str, str]]:
    def bearer(scopes: str) -> dict[str, str]:
        return {"authorization": f"Bearer {sandbox_token(sandbox.url, scopes)}"}

    return {"read": bearer("outreach.read"), "pii": bearer("outreach.read outreach.pii"),
            "admin": bearer("outreach.admin")}


CAMPAIGN_ID = "0c000000-0000-4000-8000-000000000000"


def _seed(api) -> None:
    with psycopg.connect(api.database_url) as conn:
        conn.execute("insert into app.campaigns (campaign_id, title, status, channels, send_time, daily_cap, "
                     "definition, definition_sha256) values (%s, 'Spring', 'active', '{email}', '09:00', 100, "
                     "'{}', 'x')", (CAMPAIGN_ID,))
        for business, contact, email, phone, specialties, region, status, score in PROSPECTS:
            prospect_id = str(uuid.uuid4())
            conn.execute(
                "insert into app.prospects (prospect_id, status, business_name, contact_name_enc, email_enc, "
                "phone_enc, email_bidx, phone_bidx, city, state, region, specialties, discovered_at) "
                "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '2025-03-01T10:00:00Z')",
                (prospect_id, status, business, api.cipher.encrypt(contact, "app.prospects.contact_name"),
                 api.cipher.encrypt(email, "app.prospects.email"), api.cipher.encrypt(phone, "app.prospects.phone"),
                 api.indexer.index("email", email), api.indexer.index("phone", phone),
                 region.split("-", 2)[2].title(), region.split("-")[1].upper(), region, specialties),
            )
            if score is not None:
                conn.execute("insert into app.prospect_scores (prospect_id, score, model_version, scorer, "
                             "scored_on, scored_at) values (%s, %s, 'm1', 'model', '2025-03-02', "
                             "'2025-03-02T00:00:00Z')", (prospect_id, score))
            if business == "Cruz Plumbing":
                conn.execute("insert into app.outreach_messages (idempotency_key, prospect_id, campaign_id, step, "
                             "channel, variant, template_id, composer, status, batch_date, scheduled_at, sent_at) "
                             "values ('k1', %s, %s, 0, 'email', 'a', 't', 'template', 'sent', '2025-03-03', "
                             "'2025-03-03T09:00:00Z', '2025-03-03T09:00:05Z')", (prospect_id, CAMPAIGN_ID))


def search(client, headers, **query):
    response = client.get(SEARCH, params=query, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert component_validator("ai-outreach", "ProspectPage").is_valid(body)
    return body


def audit_rows(api) -> list[tuple]:
    with psycopg.connect(api.database_url) as conn:
        query = "select actor, purpose, subject_ids, fields from app.audit_log order by audit_id"
        return conn.execute(query).fetchall()


def test_results_are_ordered_by_latest_score_then_id_with_masked_contacts(client, tokens) -> None:
    items = search(client, tokens["read"])["items"]
    assert [i["business_name"] for i in items[:2]] == ["Cruz Plumbing", "Bright Sparks Electric"]
    assert [i["score"] for i in items] == [0.91, 0.42, None, None]
    assert items[0]["score_model_version"] == "m1"
    assert items[0]["email"] == "m***@cruzplumbing.com"
    assert items[0]["phone"] == "+1******0142"
    assert items[0]["contact_name"] == "Maria Cruz"
    assert items[0]["created_at"] == "2025-03-01T10:00:00Z"
    assert items[0]["last_contacted_at"] == "2025-03-03T09:00:05Z"
    assert items[1]["last_contacted_at"] is None


def test_outreach_pii_unmasks_and_is_audited(api, client, tokens) -> None:
    before = len(audit_rows(api))
    items = search(client, tokens["pii"], region="us-ca-san-diego")["items"]
    assert (items[0]["email"], items[0]["phone"]) == ("maria@cruzplumbing.com", "+16195550142")
    rows = audit_rows(api)[before:]
    assert rows == [("analytics", f"GET {SEARCH}", [items[0]["prospect_id"]], ["email", "phone"])]


def test_masked_reads_are_not_audited(api, client, tokens) -> None:
    before = len(audit_rows(api))
    search(client, tokens["read"])
    assert len(audit_rows(api)) == before


@pytest.mark.parametrize(("query", "expected"), [
    ({"email": "MARIA@CruzPlumbing.com"}, ["Cruz Plumbing"]),
    ({"phone": "+12065550100"}, ["Evergreen Roofing"]),
    ({"q": "silva"}, ["Evergreen Roofing"]),
    ({"q": "SPARKS"}, ["Bright Sparks Electric"]),
    ({"specialty": "carpentry"}, ["Evergreen Roofing"]),
    ({"region": "us-wa-seattle", "min_score": "0.4"}, ["Bright Sparks Electric"]),
    ({"status": "discovered"}, ["O'Brien; DROP TABLE app.prospects;--"]),
    ({"min_score": "0.95"}, []),
])
def test_filters(client, tokens, query, expected) -> None:
    assert [i["business_name"] for i in search(client, tokens["read"], **query)["items"]] == expected


def test_pages_follow_each_other_and_are_bound_to_the_query(client, tokens) -> None:
    seen, token = [], None
    while True:
        page = search(client, tokens["read"], limit=1, **({"page_token": token} if token else {}))
        seen += [i["business_name"] for i in page["items"]]
        token = page["next_page_token"]
        if token is None:
            break
    assert len(seen) == 4 and len(set(seen)) == 4
    first = search(client, tokens["read"], limit=1)
    changed = client.get(SEARCH, params={"limit": 1, "page_token": first["next_page_token"], "q": "a"},
                         headers=tokens["read"])
    assert changed.status_code == 400
    forged = client.get(SEARCH, params={"page_token": first["next_page_token"][:-2] + "AA"}, headers=tokens["read"])
    assert forged.status_code == 400


INJECTIONS = ["' OR '1'='1", "'; DROP TABLE app.prospects; --", "\\x00", "%", "_", "\u0000", "1) or (1=1",
              "us-ca-san-diego' --", "0.5; select pg_sleep(5)", "NaN", "-1e309", "a" * 5000]


@pytest.mark.parametrize("name", ["q", "email", "phone", "specialty", "region", "status", "min_score", "limit",
                                  "page_token"])
def test_injection_strings_in_every_parameter_are_harmless(api, client, tokens, name) -> None:
    for value in INJECTIONS:
        response = client.get(SEARCH, params={name: value}, headers=tokens["read"])
        assert response.status_code in (200, 400), (name, value, response.text)
        if response.status_code == 200:
            assert response.json()["items"] == [] or name == "q"
        else:
            assert response.headers["content-type"] == "application/problem+json"
    with psycopg.connect(api.database_url) as conn:
        assert conn.execute("select count(*) from app.prospects").fetchone()[0] == len(PROSPECTS)


def test_invalid_parameters_are_a_problem(client, tokens) -> None:
    for query in ({"limit": "0"}, {"limit": "1001"}, {"min_score": "2"}, {"specialty": "astrology"},
                  {"email": "not-an-email"}, {"q": ""}):
        response = client.get(SEARCH, params=query, headers=tokens["read"])
        assert response.status_code == 400, query
        assert response.json()["status"] == 400


# -- analytics ---------------------------------------------------------------------------------------------------


def test_analytics_are_empty_until_the_marts_exist(client, tokens) -> None:
    assert client.get(ANALYTICS, headers=tokens["read"]).json() == {"items": [], "next_page_token": None}
    answer = client.get(CONVERSION, params={"group_by": "specialty"}, headers=tokens["read"])
    assert answer.json() == {"items": [], "next_page_token": None}


def test_analytics_validate_their_parameters(client, tokens) -> None:
    for path, query in ((CONVERSION, {}), (CONVERSION, {"group_by": "planet"}), (ANALYTICS, {"campaign_id": "1"}),
                        (ANALYTICS, {"from": "yesterday"}), (ANALYTICS, {"to": "2025-02-30T00:00:00Z"})):
        assert client.get(path, params=query, headers=tokens["read"]).status_code == 400, (path, query)
    assert client.get(ANALYTICS).status_code == 401
    empty_window = {"from": "2025-03-02T00:00:00Z", "to": "2025-03-01T00:00:00Z"}
    assert client.get(ANALYTICS, params=empty_window, headers=tokens["read"]).json()["items"] == []


def test_analytics_read_the_marts(api, client, tokens) -> None:
    campaign_a, campaign_b = "0a000000-0000-4000-8000-000000000000", "0b000000-0000-4000-8000-000000000000"
    with psycopg.connect(api.database_url) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute(
            "create table marts.campaign_performance_daily (campaign_id uuid, campaign_name text, channel text, "
            "campaign_started_at timestamptz, activity_date date, prospects_targeted bigint, sent bigint, "
            "delivered bigint, bounced bigint, opened bigint, responded bigint, interested bigint, opted_out bigint, "
            "converted bigint, verified bigint, cost_cents bigint, currency text)"
        )
        for campaign, day, sent in ((campaign_a, "2025-03-01", 10), (campaign_a, "2025-03-02", 5),
                                    (campaign_b, "2025-03-02", 4)):
            conn.execute("insert into marts.campaign_performance_daily values (%s, 'Spring', 'email', "
                         "'2025-03-01T08:00:00Z', %s, 100, %s, %s, 1, 3, 2, 1, 0, 1, 0, 250, 'USD')",
                         (campaign, day, sent, sent - 1))
        conn.execute(
            "create table marts.prospect_conversion_metrics (prospect_id uuid, prospect_created_at timestamptz, "
            "dimension text, group_value text, is_contacted boolean, is_converted boolean, days_to_convert float8)"
        )
        for group, converted, days in (("plumbing", True, 4.0), ("plumbing", True, 6.0), ("plumbing", False, None),
                                       ("roofing", False, None)):
            conn.execute("insert into marts.prospect_conversion_metrics values (gen_random_uuid(), "
                         "'2025-03-01T00:00:00Z', 'specialty', %s, true, %s, %s)", (group, converted, days))
    query = {"from": "2025-03-01T00:00:00Z", "to": "2025-03-02T12:00:00Z", "limit": 1}
    first = client.get(ANALYTICS, params=query, headers=tokens["read"]).json()
    assert component_validator("ai-outreach", "CampaignAnalyticsPage").is_valid(first)
    row = first["items"][0]
    assert (row["campaign_id"], row["sent"], row["delivered"], row["responded"]) == (campaign_a, 15, 13, 4)
    assert row["response_rate"] == pytest.approx(4 / 13)
    assert row["window_start"] == "2025-03-01T00:00:00Z"
    second = client.get(ANALYTICS, params={**query, "page_token": first["next_page_token"]}, headers=tokens["read"])
    assert [r["campaign_id"] for r in second.json()["items"]] == [campaign_b]
    assert second.json()["next_page_token"] is None
    metrics = client.get(CONVERSION, params={"group_by": "specialty"}, headers=tokens["read"]).json()
    assert component_validator("ai-outreach", "ConversionMetricPage").is_valid(metrics)
    assert metrics["items"][0] == {"group": "plumbing", "prospects": 3, "contacted": 3, "converted": 2,
                                   "conversion_rate": pytest.approx(2 / 3), "median_days_to_convert": 5.0}


@pytest.fixture(scope="module")
def marts_client(pg_server_url, sandbox, tmp_path_factory):
    """The API on a database of its own where dbt built the real marts from a hand-worked week of outreach."""
    with fresh_database(pg_server_url) as url:
        with psycopg.connect(url) as conn:
            seed_campaign_activity(conn)
        build_app_marts(url, tmp_path_factory.mktemp("dbt"))
        with running_api(url, sandbox.url) as running, running.client() as http:
            yield http


def _window_sums(campaign: str, first_day: str, last_day: str) -> tuple[int, ...]:
    days = [values for (c, day), values in EXPECTED_CAMPAIGN_DAYS.items()
            if c == campaign and first_day <= day <= last_day]
    return tuple(sum(column) for column in zip(*days, strict=True))


def test_campaign_analytics_answer_the_figures_of_the_dbt_built_mart(marts_client, tokens) -> None:
    window = {"from": "2025-03-04T00:00:00Z", "to": "2025-03-06T15:00:00Z"}  # the days 03-04 .. 03-06
    body = marts_client.get(ANALYTICS, params=window, headers=tokens["read"]).json()
    assert component_validator("ai-outreach", "CampaignAnalyticsPage").is_valid(body)
    a, b = body["items"]
    sent, delivered, bounced, opened, responded, interested, opted_out, converted, verified, cost = _window_sums(
        CAMPAIGN_A, "2025-03-04", "2025-03-06")[1:]
    assert (a["campaign_id"], a["name"], a["channel"], a["prospects_targeted"]) == (CAMPAIGN_A, "Spring email",
                                                                                    "email", 4)
    assert (a["sent"], a["delivered"], a["bounced"], a["opened"], a["responded"], a["interested"], a["opted_out"],
            a["converted"], a["verified"], a["cost_cents"]) == (sent, delivered, bounced, opened, responded,
                                                                interested, opted_out, converted, verified, cost)
    assert (a["converted"], a["opened"], a["cost_cents"], a["currency"]) == (1, 1, 500, "USD")
    assert (b["campaign_id"], b["sent"], b["responded"], b["opted_out"]) == (CAMPAIGN_B, 1, 1, 1)
    assert b["response_rate"] == 1.0

    whole = marts_client.get(ANALYTICS, params={"campaign_id": CAMPAIGN_A, "to": "2025-03-08T00:00:00Z"},
                             headers=tokens["read"]).json()["items"][0]
    assert whole["window_start"] == "2025-03-03T18:00:00Z"  # the campaign's start
    assert (whole["sent"], whole["delivered"], whole["responded"], whole["converted"], whole["verified"],
            whole["cost_cents"]) == (3, 2, 1, 1, 1, 700)
    assert whole["conversion_rate"] == pytest.approx(1 / 3)
    assert whole["response_rate"] == pytest.approx(1 / 2)


def test_conversion_metrics_answer_the_figures_of_the_dbt_built_mart(marts_client, tokens) -> None:
    def metrics(group_by: str) -> dict[str, dict]:
        body = marts_client.get(CONVERSION, params={"group_by": group_by}, headers=tokens["read"]).json()
        assert component_validator("ai-outreach", "ConversionMetricPage").is_valid(body)
        return {item.pop("group"): item for item in body["items"]}

    specialties = metrics("specialty")
    assert specialties["plumbing"] == {"prospects": 3, "contacted": 2, "converted": 1,
                                       "conversion_rate": pytest.approx(1 / 2),
                                       "median_days_to_convert": pytest.approx(DAYS_TO_CONVERT_P1)}
    assert specialties["roofing"]["converted"] == 0 and specialties["roofing"]["median_days_to_convert"] is None
    campaigns = metrics("campaign")
    assert {group: (m["prospects"], m["contacted"], m["converted"]) for group, m in campaigns.items()} == {
        CAMPAIGN_A: (4, 3, 1), CAMPAIGN_B: (1, 1, 0)}
    assert {group: m["contacted"] for group, m in metrics("channel").items()} == {"email": 3, "sms": 2}
    assert set(metrics("region")) == {"us-ca-san-diego", "us-tx-austin", "us-wa-seattle"}


# -- privacy requests --------------------------------------------------------------------------------------------


def test_a_privacy_request_is_recorded_and_replayed_per_idempotency_key(api, client, tokens) -> None:
    headers = {**tokens["admin"], "Idempotency-Key": str(uuid.uuid4())}
    body = {"kind": "erasure", "email": "Maria@CruzPlumbing.com"}
    created = client.post(PRIVACY, json=body, headers=headers)
    assert created.status_code == 202
    assert created.json()["status"] == "received"
    assert component_validator("ai-outreach", "PrivacyRequestAccepted").is_valid(created.json())
    replay = client.post(PRIVACY, json=body, headers=headers)
    assert (replay.status_code, replay.json()) == (202, created.json())
    reused = client.post(PRIVACY, json={"kind": "access", "phone": "+16195550142"}, headers=headers)
    assert reused.status_code == 422
    assert reused.json()["type"] == "https://errors.instabids.example/idempotency_key_reused"
    request_id = created.json()["request_id"]
    fetched = client.get(f"{PRIVACY}/{request_id}", headers=tokens["admin"])
    assert fetched.json() == {"request_id": request_id, "kind": "erasure", "status": "received",
                              "completed_at": None, "export": None}
    with psycopg.connect(api.database_url) as conn:
        email_enc, email_bidx, count = conn.execute(
            "select email_enc, email_bidx, (select count(*) from app.privacy_requests) from app.privacy_requests "
            "where request_id = %s", (request_id,)).fetchone()
    assert b"maria" not in bytes(email_enc).lower()
    assert bytes(email_bidx) == api.indexer.index("email", "maria@cruzplumbing.com")
    assert count == 1


def test_concurrent_retries_create_one_privacy_request(api, tokens) -> None:
    from concurrent.futures import ThreadPoolExecutor

    headers = {**tokens["admin"], "Idempotency-Key": str(uuid.uuid4())}

    def create(_: int):
        with api.client() as http:
            return http.post(PRIVACY, json={"kind": "access", "phone": "+16195550142"}, headers=headers)

    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(create, range(3)))
    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["request_id"] for a in answers}) == 1


@pytest.mark.parametrize(("headers", "body", "status"), [
    ({}, {"kind": "access", "email": "a@b.example"}, 400),
    ({"Idempotency-Key": "k1"}, {"kind": "access"}, 400),
    ({"Idempotency-Key": "k2"}, {"kind": "delete", "email": "a@b.example"}, 400),
    ({"Idempotency-Key": "k3"}, {"kind": "access", "phone": "12345"}, 400),
    ({"Idempotency-Key": "k4"}, {"kind": "access", "email": "a@b.example", "extra": 1}, 400),
    ({"Idempotency-Key": "k5"}, {"kind": "access", "email": "\ud800@b.example"}, 400),
    ({"Idempotency-Key": "k6"}, {"kind": "access", "email": "a@b.example", "pad": "x" * (1024 * 1024)}, 413),
])
def test_invalid_privacy_requests_are_refused(client, tokens, headers, body, status) -> None:
    response = client.post(PRIVACY, content=json.dumps(body),  # ASCII-escaped, so a lone surrogate travels
                           headers={**tokens["admin"], **headers, "content-type": "application/json"})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_privacy_requests_need_outreach_admin(client, tokens) -> None:
    response = client.post(PRIVACY, json={"kind": "access", "email": "a@b.example"},
                           headers={**tokens["read"], "Idempotency-Key": "x"})
    assert response.status_code == 403
    assert client.get(f"{PRIVACY}/{uuid.uuid4()}").status_code == 401


@pytest.mark.parametrize("request_id", [str(uuid.uuid4()), "not-a-uuid", "' or 1=1 --"])
def test_an_unknown_privacy_request_is_not_found(client, tokens, request_id) -> None:
    response = client.get(f"{PRIVACY}/{request_id}", headers=tokens["admin"])
    assert response.status_code == 404
    assert response.json()["type"] == "https://errors.instabids.example/not_found"


# -- health, documents, unknown paths ----------------------------------------------------------------------------


def test_health(client) -> None:
    assert client.get("/ai-outreach/healthz").json() == {"status": "ok"}
    assert client.get("/ai-outreach/readyz").json() == {"status": "ok", "checks": {"postgres": "ok"}}


def test_readiness_fails_without_the_database(sandbox) -> None:
    from fixtures.api_server import running_api as start

    with start("postgresql://nobody@127.0.0.1:1/none", sandbox.url) as down, down.client() as http:
        response = http.get("/ai-outreach/readyz")
        assert (response.status_code, response.json()["status"]) == (503, "unavailable")
        assert http.get("/ai-outreach/healthz").status_code == 200


def test_the_contract_is_served_with_its_docs(client) -> None:
    document = client.get("/ai-outreach/openapi.json").json()
    assert document["info"]["title"] == "AI Outreach API"
    assert "/ai-outreach/prospects/search" in document["paths"]
    assert "./events/" not in client.get("/ai-outreach/openapi.json").text
    docs = client.get("/ai-outreach/docs")
    assert docs.status_code == 200 and "/ai-outreach/openapi.json" in docs.text


def test_a_problem_names_the_path_as_a_uri_reference(client, tokens) -> None:
    response = client.get(f"{PRIVACY}/%C2%84", headers=tokens["admin"])
    assert response.json()["instance"] == f"{PRIVACY}/%C2%84"
    assert component_validator("ai-outreach", "Problem").is_valid(response.json())


def test_unknown_paths_and_methods_are_problems(client) -> None:
    missing = client.get("/ai-outreach/nothing-here")
    assert (missing.status_code, missing.headers["content-type"]) == (404, "application/problem+json")
    wrong_method = client.delete("/ai-outreach/healthz")
    assert (wrong_method.status_code, wrong_method.json()["type"]) == (
        405, "https://errors.instabids.example/method_not_allowed")


def test_timestamps_are_rendered_in_utc() -> None:
    from integrations.api.queries import iso

    assert iso(datetime(2025, 3, 1, 10, 0, tzinfo=UTC)) == "2025-03-01T10:00:00Z"
