"""The sandbox over real HTTP: every GET path of the contract, pagination, auth and problem details."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from integrations.contracts import component_validator, load_openapi
from integrations.sandbox import RunningSandbox, SandboxConfig, start_in_thread

pytestmark = pytest.mark.integration

# Every GET path of domains.openapi.yaml: (scope, response component, query).
GET_PATHS = {
    "/auth/.well-known/jwks.json": (None, "Jwks", {}),
    "/users/search": ("users.read", "UserPage", {"business_name": "plumb"}),
    "/projects/analytics/trends": ("projects.read", "ProjectTrendPage", {}),
    "/projects/analytics/demand": ("projects.read", "SpecialtyDemandPage", {}),
    "/projects": ("projects.read", "ProjectPage", {"status": "open"}),
    "/projects/analytics/regional-needs": ("projects.read", "RegionalNeedPage", {}),
    "/labor-marketplace/analytics/coverage": ("labor.read", "CoveragePage", {}),
    "/labor-marketplace/analytics/regional-gaps": ("labor.read", "RegionalGapPage", {}),
    "/payment/analytics/average-project-value": ("payment.read", "AverageProjectValuePage", {}),
    "/payment/analytics/payment-trends": ("payment.read", "PaymentTrendPage", {}),
    "/social/network/contractors": ("social.read", "NetworkContractorPage", {}),
    "/social/connections/potential-contractors": ("social.read", "PotentialContractorPage", {}),
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_in_thread(SandboxConfig(seed=5, scale=600, auto_deliver=False)) as running:
        yield running


@pytest.fixture(scope="module")
def http(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=30) as client:
        yield client


def token(http: httpx.Client, scope: str, client_id: str = "ai-outreach", secret: str = "sandbox-secret") -> str:
    response = http.post("/auth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                              "client_secret": secret, "scope": scope})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def bearer(http: httpx.Client, scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(http, scope)}"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    component_validator("domains", "Problem").validate(body)
    assert body["type"] == f"https://errors.instabids.example/{code}"
    assert body["status"] == status
    return body


def test_every_get_path_of_the_contract_is_served() -> None:
    contract = {path for path, item in load_openapi("domains")["paths"].items() if "get" in item}
    served = set(GET_PATHS) | {"/users/{id}", "/payment/incentives/status/{id}"}
    assert contract == served


@pytest.mark.parametrize("path", sorted(GET_PATHS))
def test_get_paths_return_contract_valid_pages(http: httpx.Client, path: str) -> None:
    scope, component, query = GET_PATHS[path]
    headers = bearer(http, scope) if scope else {}
    response = http.get(path, params={**query, **({"limit": 1000} if scope else {})}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    component_validator("domains", component).validate(body)
    if scope:
        assert body["items"], f"{path} returned no items"


def test_a_user_is_found_by_id_email_and_phone(http: httpx.Client) -> None:
    headers = bearer(http, "users.read")
    some = http.get("/users/search", params={"business_name": "a", "limit": 5}, headers=headers).json()["items"][0]
    by_id = http.get(f"/users/{some['id']}", headers=headers)
    component_validator("domains", "User").validate(by_id.json())
    assert by_id.json() == some
    by_email = http.get("/users/search", params={"email": some["email"].upper()}, headers=headers).json()
    assert [u["id"] for u in by_email["items"]] == [some["id"]]
    if some["phone"]:
        by_phone = http.get("/users/search", params={"phone": some["phone"]}, headers=headers).json()
        assert some["id"] in [u["id"] for u in by_phone["items"]]


def test_registered_candidates_are_found_by_user_search(http: httpx.Client) -> None:
    truth = http.get("/sandbox/truth/entities", params={"limit": 1000}).json()["items"]
    registered = [e for e in truth if e["registered_user_id"]]
    assert registered
    headers = bearer(http, "users.read")
    found = http.get("/users/search", params={"business_name": registered[0]["base_name"]}, headers=headers).json()
    assert registered[0]["registered_user_id"] in [u["id"] for u in found["items"]]


def test_unknown_user_and_incentive_are_not_found(http: httpx.Client) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert_problem(http.get(f"/users/{missing}", headers=bearer(http, "users.read")), 404, "not_found")
    response = http.get(f"/payment/incentives/status/{missing}", headers=bearer(http, "payment.read"))
    assert_problem(response, 404, "not_found")


def test_search_without_a_filter_is_a_bad_request(http: httpx.Client) -> None:
    assert_problem(http.get("/users/search", headers=bearer(http, "users.read")), 400, "invalid_request")


def test_paging_walks_every_item_once(http: httpx.Client) -> None:
    headers = bearer(http, "projects.read")
    everything = http.get("/projects", params={"limit": 1000}, headers=headers).json()
    seen, params = [], {"limit": 37}
    while True:
        page = http.get("/projects", params=params, headers=headers).json()
        seen.extend(item["id"] for item in page["items"])
        if page["next_page_token"] is None:
            break
        params = {"limit": 37, "page_token": page["next_page_token"]}
    assert len(seen) == len(set(seen))
    if everything["next_page_token"] is None:
        assert seen == [item["id"] for item in everything["items"]]


def test_changing_parameters_while_paging_is_a_bad_request(http: httpx.Client) -> None:
    headers = bearer(http, "projects.read")
    first = http.get("/projects", params={"status": "open", "limit": 2}, headers=headers).json()
    assert first["next_page_token"]
    response = http.get("/projects", params={"status": "completed", "limit": 2,
                                             "page_token": first["next_page_token"]}, headers=headers)
    assert_problem(response, 400, "invalid_request")
    garbage = http.get("/projects", params={"page_token": "not-a-token"}, headers=headers)
    assert_problem(garbage, 400, "invalid_request")


@pytest.mark.parametrize("limit", ["0", "1001", "abc"])
def test_limit_outside_bounds_is_a_bad_request(http: httpx.Client, limit: str) -> None:
    response = http.get("/labor-marketplace/analytics/coverage", params={"limit": limit},
                        headers=bearer(http, "labor.read"))
    assert_problem(response, 400, "invalid_request")


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/projects", {"specialty": "astrology"}),
        ("/projects", {"status": "sleeping"}),
        ("/projects/analytics/trends", {"since": "2026-13-01"}),
        ("/projects/analytics/trends", {"since": "2026-03-10", "until": "2026-03-01"}),
        ("/projects/analytics/demand", {"as_of": "2026-03-01T00:00:00+02:00"}),
        ("/payment/analytics/average-project-value", {"region": "San Diego"}),
    ],
)
def test_invalid_query_parameters_are_bad_requests(http: httpx.Client, path: str, params: dict) -> None:
    scope = GET_PATHS[path][0]
    assert_problem(http.get(path, params=params, headers=bearer(http, scope)), 400, "invalid_request")


def test_filters_narrow_project_lists(http: httpx.Client) -> None:
    headers = bearer(http, "projects.read")
    items = http.get("/projects", params={"specialty": "plumbing", "region": "us-ca-los-angeles", "limit": 1000},
                     headers=headers).json()["items"]
    assert all(p["specialty"] == "plumbing" and p["region"] == "us-ca-los-angeles" for p in items)
    values = http.get("/payment/analytics/average-project-value", params={"specialty": "roofing"},
                      headers=bearer(http, "payment.read")).json()["items"]
    assert values and all(v["specialty"] == "roofing" for v in values)


def test_missing_token_is_unauthorized_with_a_challenge(http: httpx.Client) -> None:
    response = http.get("/projects")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_garbage_token_is_unauthorized(http: httpx.Client) -> None:
    assert_problem(http.get("/projects", headers={"Authorization": "Bearer x.y.z"}), 401, "unauthorized")


def test_token_of_another_service_is_unauthorized(http: httpx.Client) -> None:
    assert_problem(http.get("/projects", headers=bearer(http, "users.read")), 401, "unauthorized")


def test_token_without_the_scope_is_forbidden(http: httpx.Client) -> None:
    response = http.post("/payment/incentives/issue", json={}, headers=bearer(http, "payment.read"))
    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"grant_type": "client_credentials", "client_id": "ai-outreach", "client_secret": "nope",
          "scope": "users.read"}, 401, "invalid_client"),
        ({"grant_type": "client_credentials", "client_id": "ai-outreach", "client_secret": "sandbox-secret",
          "scope": "users.read projects.read"}, 400, "invalid_scope"),
        ({"grant_type": "authorization_code", "client_id": "ai-outreach", "client_secret": "sandbox-secret",
          "scope": "users.read"}, 400, "unsupported_grant_type"),
        ({"client_id": "ai-outreach", "client_secret": "sandbox-secret", "scope": "users.read"}, 400,
         "invalid_request"),
    ],
)
def test_token_errors_carry_rfc6749_codes(http: httpx.Client, form: dict, status: int, error: str) -> None:
    response = http.post("/auth/token", data=form)
    assert response.status_code == status
    body = response.json()
    component_validator("domains", "TokenProblem").validate(body)
    assert body["error"] == error


def test_tokens_are_rs256_jwts_verifiable_with_the_jwks(http: httpx.Client) -> None:
    from joserfc import jwt
    from joserfc.jwk import KeySet

    response = http.post("/auth/token", data={"grant_type": "client_credentials", "client_id": "ai-outreach",
                                              "client_secret": "sandbox-secret", "scope": "payment.read payment.write"})
    assert response.headers["cache-control"] == "no-store"
    component_validator("domains", "TokenResponse").validate(response.json())
    keys = KeySet.import_key_set(http.get("/auth/.well-known/jwks.json").json())
    decoded = jwt.decode(response.json()["access_token"], keys, algorithms=["RS256"])
    claims = decoded.claims
    assert claims["iss"] == "https://auth.instabids.example" and claims["aud"] == "payment"
    assert claims["sub"] == "ai-outreach" and claims["scope"] == "payment.read payment.write"
    assert claims["exp"] > claims["iat"] and decoded.header["kid"]


def test_the_analytics_client_gets_ai_outreach_tokens(http: httpx.Client) -> None:
    from joserfc import jwt
    from joserfc.jwk import KeySet

    issued = token(http, "outreach.read outreach.pii", "analytics", "analytics-secret")
    keys = KeySet.import_key_set(http.get("/auth/.well-known/jwks.json").json())
    assert jwt.decode(issued, keys).claims["aud"] == "ai-outreach"


def test_unknown_paths_are_problem_not_found(http: httpx.Client) -> None:
    assert_problem(http.get("/no/such/path"), 404, "not_found")


def test_truth_links_every_potential_contractor_to_an_entity(http: httpx.Client) -> None:
    records = http.get("/sandbox/truth/records", params={"source": "social", "limit": 1000}).json()["items"]
    candidates = http.get("/social/connections/potential-contractors", params={"limit": 1000},
                          headers=bearer(http, "social.read")).json()["items"]
    linked = {r["record_id"] for r in records}
    assert {c["candidate_id"] for c in candidates} <= linked
    entities = http.get("/sandbox/truth/entities", params={"limit": 1000}).json()["items"]
    assert {r["entity_id"] for r in records} <= {e["entity_id"] for e in entities}
    assert all(0 < e["p_respond"] <= 0.9 and 0 <= e["p_convert"] <= e["p_respond"] for e in entities)


def test_health_reports_the_world(http: httpx.Client) -> None:
    body = http.get("/sandbox/health").json()
    assert body["status"] == "ok" and body["seed"] == 5 and body["entities"] == 600
