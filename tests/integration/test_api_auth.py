"""Bearer JWTs: only RS256 tokens signed by a key of the issuer's JWKS, for our audience, in their validity window,
with the needed scope, are let through; every classic forgery is a 401 (a missing scope a 403)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from fixtures.api_server import sandbox_token
from joserfc import jwt
from joserfc.jwk import RSAKey

pytestmark = pytest.mark.integration

SEARCH = "/ai-outreach/prospects/search"
PRIVACY = "/ai-outreach/privacy/requests/00000000-0000-4000-8000-000000000000"
ISSUER = "https://auth.instabids.example"


@pytest.fixture(scope="module")
def issuer_key(sandbox) -> RSAKey:
    return sandbox.sandbox.authority.key


def claims(**changes) -> dict:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": "ai-outreach", "sub": "analytics", "scope": "outreach.read outreach.pii",
            "iat": now, "exp": now + 600}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def signed(key: RSAKey, kid: str | None = None, **changes) -> str:
    return jwt.encode({"alg": "RS256", "kid": kid or key.kid}, claims(**changes), key)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def get(client, token: str | None, path: str = SEARCH):
    headers = {"authorization": f"Bearer {token}"} if token is not None else {}
    return client.get(path, headers=headers)


def assert_unauthorized(response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "https://errors.instabids.example/unauthorized"
    assert response.headers["www-authenticate"].startswith('Bearer realm="ai-outreach"')


def test_a_sandbox_token_is_accepted(client, sandbox) -> None:
    response = get(client, sandbox_token(sandbox.url, "outreach.read"))
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_page_token": None}


def test_a_token_just_past_exp_is_accepted_within_the_leeway(client, issuer_key) -> None:
    assert get(client, signed(issuer_key, exp=int(time.time()) - 5)).status_code == 200


def test_no_token_is_refused(client) -> None:
    assert_unauthorized(get(client, None))
    assert_unauthorized(client.get(SEARCH, headers={"authorization": "Basic YW5hbHl0aWNzOnNlY3JldA=="}))


def test_alg_none_is_refused(client, issuer_key) -> None:
    header = b64(json.dumps({"alg": "none", "kid": issuer_key.kid}).encode())
    assert_unauthorized(get(client, f"{header}.{b64(json.dumps(claims()).encode())}."))


def test_hs256_signed_with_the_public_key_is_refused(client, issuer_key) -> None:
    public_pem = issuer_key.as_pem(private=False)
    header = b64(json.dumps({"alg": "HS256", "kid": issuer_key.kid, "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims()).encode())
    signature = b64(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    assert_unauthorized(get(client, f"{header}.{payload}.{signature}"))


def test_an_expired_token_is_refused(client, issuer_key) -> None:
    assert_unauthorized(get(client, signed(issuer_key, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)))


def test_a_token_not_yet_valid_is_refused(client, issuer_key) -> None:
    assert_unauthorized(get(client, signed(issuer_key, nbf=int(time.time()) + 600)))


@pytest.mark.parametrize("changes", [{"iss": "https://evil.example"}, {"aud": "messaging"}, {"iss": None},
                                     {"aud": None}, {"exp": None}], ids=["iss", "aud", "no-iss", "no-aud", "no-exp"])
def test_a_wrong_or_missing_registered_claim_is_refused(client, issuer_key, changes) -> None:
    assert_unauthorized(get(client, signed(issuer_key, **changes)))


def test_an_unknown_kid_is_refused(client, issuer_key) -> None:
    assert_unauthorized(get(client, signed(issuer_key, kid="no-such-key")))


def test_a_foreign_key_claiming_the_issuers_kid_is_refused(client, issuer_key) -> None:
    foreign = RSAKey.generate_key(2048, private=True)
    assert_unauthorized(get(client, signed(foreign, kid=issuer_key.kid)))


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "x" * 9000, "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"])
def test_malformed_tokens_are_refused(client, token) -> None:
    assert_unauthorized(get(client, token))


def test_a_missing_scope_is_forbidden(client, sandbox) -> None:
    pii_only = get(client, sandbox_token(sandbox.url, "outreach.pii"))
    assert pii_only.status_code == 403
    assert pii_only.json()["type"] == "https://errors.instabids.example/forbidden"
    read_only = get(client, sandbox_token(sandbox.url, "outreach.read"), PRIVACY)
    assert read_only.status_code == 403
