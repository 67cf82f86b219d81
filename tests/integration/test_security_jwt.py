"""JWT attacks against every scope-protected operation of the contract: each forgery is a 401 problem naming the
check that stopped it (so removing that one check makes its case fail, even where a later layer would also refuse),
and a valid token without the operation's scope is a 403.

`test_api_auth.py` holds the behaviour of the verifier on one route; this module sweeps the routes the contract
protects, read from the contract itself so a new protected operation is covered without editing the test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from integrations.api.auth import ADMIN, PII, READ
from integrations.contracts import load_openapi

pytestmark = pytest.mark.integration

ISSUER = "https://auth.instabids.example"
ALL_SCOPES = f"{READ} {PII} {ADMIN}"


def protected_operations() -> list[tuple[str, str, str]]:
    """(method, path template, required scope) of every operation the contract guards with oauth2."""
    operations = []
    for path, item in load_openapi("ai-outreach")["paths"].items():
        for method, operation in item.items():
            for requirement in operation.get("security", []):
                for scope in requirement.get("oauth2", []):
                    operations.append((method.upper(), path, scope))
    return operations


OPERATIONS = protected_operations()
OPERATION_IDS = [f"{method} {path.removeprefix('/ai-outreach/')}" for method, path, _ in OPERATIONS]


def test_the_contract_protects_reads_and_privacy_requests() -> None:
    assert {(method, scope) for method, _, scope in OPERATIONS} == {("GET", READ), ("POST", ADMIN), ("GET", ADMIN)}
    assert len(OPERATIONS) == 5


@pytest.fixture(scope="module")
def issuer_key(sandbox) -> RSAKey:
    return sandbox.sandbox.authority.key


def claims(**changes) -> dict:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": "ai-outreach", "sub": "security-test", "scope": ALL_SCOPES, "iat": now,
            "exp": now + 600}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rs256(key: RSAKey, header: dict | None = None, **changes) -> str:
    return jwt.encode({"alg": "RS256", "kid": key.kid, **(header or {})}, claims(**changes), key)


def unsigned(issuer: RSAKey) -> str:
    header = b64(json.dumps({"alg": "none", "kid": issuer.kid}).encode())
    return f"{header}.{b64(json.dumps(claims()).encode())}."


def hs256_with_public_key(issuer: RSAKey) -> str:
    """The classic key-confusion forgery: HMAC keyed with the issuer's public key, which anyone can fetch."""
    header = b64(json.dumps({"alg": "HS256", "kid": issuer.kid, "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims()).encode())
    signature = hmac.new(issuer.as_pem(private=False), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def embedded_jwk(issuer: RSAKey) -> str:
    """Signed by the attacker's key, which the header carries itself (`jwk`) along with the issuer's `kid`."""
    foreign = RSAKey.generate_key(2048, private=True)
    return rs256(foreign, {"kid": issuer.kid, "jwk": foreign.as_dict(private=False)})


FORGERIES: dict[str, tuple[Callable[[RSAKey], str], str]] = {
    "alg-none": (unsigned, "only RS256 tokens are accepted"),
    "hs256-public-key": (hs256_with_public_key, "only RS256 tokens are accepted"),
    "expired": (lambda k: rs256(k, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600), "token expired"),
    "nbf-future": (lambda k: rs256(k, nbf=int(time.time()) + 600), "token not yet valid"),
    "wrong-iss": (lambda k: rs256(k, iss="https://evil.example"), "wrong issuer"),
    "wrong-aud": (lambda k: rs256(k, aud="messaging"), "wrong audience"),
    "unknown-kid": (lambda k: rs256(k, {"kid": "rotated-away"}), "unknown key id"),
    "foreign-key-own-kid": (lambda _: rs256(RSAKey.generate_key(2048, private=True), {"kid": "attacker"}),
                            "unknown key id"),
    "foreign-key-issuer-kid": (lambda k: rs256(RSAKey.generate_key(2048, private=True), {"kid": k.kid}),
                               "bad signature"),
    "embedded-jwk": (embedded_jwk, "bad signature"),
    "no-kid": (lambda k: jwt.encode({"alg": "RS256"}, claims(), k), "token names no key"),
}


def call(client, method: str, path: str, token: str | None):
    path = path.replace("{id}", str(uuid.uuid4()))
    headers = {"authorization": f"Bearer {token}"} if token is not None else {}
    if method == "POST":
        headers["idempotency-key"] = str(uuid.uuid4())
        return client.post(path, headers=headers, json={"kind": "access", "email": "someone@example.com"})
    return client.get(path, headers=headers)


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["type"], body["status"]) == (f"https://errors.instabids.example/{code}", status)
    return body


@pytest.mark.parametrize("forgery", FORGERIES, ids=list(FORGERIES))
def test_a_forged_token_is_refused_on_every_protected_operation(client, issuer_key, forgery) -> None:
    make, reason = FORGERIES[forgery]
    token = make(issuer_key)
    for method, path, _ in OPERATIONS:
        body = assert_problem(call(client, method, path, token), 401, "unauthorized")
        assert reason in body["detail"], (method, path, body)


def test_the_same_claims_properly_signed_pass_authentication(client, issuer_key) -> None:
    """The control for the forgeries: only the forged part made them fail."""
    for method, path, _ in OPERATIONS:
        assert call(client, method, path, rs256(issuer_key)).status_code not in (401, 403), (method, path)


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS, ids=OPERATION_IDS)
def test_a_token_without_the_operations_scope_is_forbidden(client, issuer_key, method, path, scope) -> None:
    others = " ".join(s for s in ALL_SCOPES.split() if s != scope)
    response = call(client, method, path, rs256(issuer_key, scope=others))
    body = assert_problem(response, 403, "forbidden")
    assert scope in body["detail"]
    assert f'error="insufficient_scope", scope="{scope}"' in response.headers["www-authenticate"]


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS, ids=OPERATION_IDS)
def test_no_token_is_a_challenge(client, method, path, scope) -> None:
    response = call(client, method, path, None)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == 'Bearer realm="ai-outreach"'
