"""Tokens: RS256, one service per token, audience and scope enforced."""

from __future__ import annotations

import base64
import time

import pytest

from integrations.sandbox.auth import DOMAIN_SCOPES, Authority, Client, TokenError
from integrations.sandbox.problems import ProblemError

FORM = {"grant_type": "client_credentials", "client_id": "ai-outreach", "client_secret": "s3cret"}


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority([Client("ai-outreach", "s3cret", DOMAIN_SCOPES)], ttl_seconds=600)


def test_a_token_carries_the_claims_of_one_service(authority: Authority) -> None:
    token = authority.issue({**FORM, "scope": "users.read users.write"})
    assert token["token_type"] == "Bearer" and token["expires_in"] == 600
    principal = authority.verify(token["access_token"], "user-management")
    assert principal.client_id == "ai-outreach"
    assert principal.scopes == {"users.read", "users.write"}


def test_scopes_of_two_services_in_one_request_are_invalid_scope(authority: Authority) -> None:
    with pytest.raises(TokenError) as caught:
        authority.issue({**FORM, "scope": "users.read messaging.send"})
    assert (caught.value.status, caught.value.error) == (400, "invalid_scope")


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({**FORM, "client_secret": "wrong", "scope": "users.read"}, 401, "invalid_client"),
        ({**FORM, "grant_type": "password", "scope": "users.read"}, 400, "unsupported_grant_type"),
        ({**FORM, "scope": ""}, 400, "invalid_request"),
        ({**FORM, "scope": "outreach.read"}, 400, "invalid_scope"),
        ({**FORM, "scope": "nope.read"}, 400, "invalid_scope"),
    ],
)
def test_token_request_errors_use_rfc6749_codes(authority: Authority, form: dict, status: int, error: str) -> None:
    with pytest.raises(TokenError) as caught:
        authority.issue(form)
    assert (caught.value.status, caught.value.error) == (status, error)


def test_basic_client_authentication_is_accepted(authority: Authority) -> None:
    basic = "Basic " + base64.b64encode(b"ai-outreach:s3cret").decode()
    token = authority.issue({"grant_type": "client_credentials", "scope": "social.read"}, basic)
    assert authority.verify(token["access_token"], "social").scopes == {"social.read"}


def test_an_expired_token_is_unauthorized(authority: Authority) -> None:
    token = authority.issue({**FORM, "scope": "users.read"}, now=time.time() - 3600)["access_token"]
    with pytest.raises(ProblemError) as caught:
        authority.verify(token, "user-management")
    assert caught.value.status == 401 and "expired" in (caught.value.detail or "")
    assert "WWW-Authenticate" in caught.value.headers


def test_a_token_for_another_audience_is_unauthorized(authority: Authority) -> None:
    token = authority.issue({**FORM, "scope": "messaging.send"})["access_token"]
    with pytest.raises(ProblemError) as caught:
        authority.require(f"Bearer {token}", "user-management", "users.read")
    assert caught.value.status == 401


def test_a_tampered_token_is_unauthorized(authority: Authority) -> None:
    token = authority.issue({**FORM, "scope": "users.read"})["access_token"]
    header, payload, signature = token.split(".")
    with pytest.raises(ProblemError) as caught:
        authority.verify(f"{header}.{payload}.{signature[::-1]}", "user-management")
    assert caught.value.status == 401


def test_a_missing_scope_is_forbidden(authority: Authority) -> None:
    token = authority.issue({**FORM, "scope": "users.read"})["access_token"]
    with pytest.raises(ProblemError) as caught:
        authority.require(f"Bearer {token}", "user-management", "users.write")
    assert (caught.value.status, caught.value.code) == (403, "forbidden")


def test_jwks_publishes_the_signing_key(authority: Authority) -> None:
    (key,) = authority.jwks()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
    assert "d" not in key
