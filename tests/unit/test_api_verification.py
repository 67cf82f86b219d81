"""Signature verification of deliveries and the JWKS cache of the token verifier, without a server."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from joserfc.jwk import RSAKey
from standardwebhooks import Webhook

from integrations.api.auth import JwksCache
from integrations.api.problems import ProblemError
from integrations.api.webhooks import SignatureVerifier
from integrations.contracts.dev_secrets import default_webhook_secret

SECRETS = {"/instabids/messaging": default_webhook_secret("MESSAGING"),
           "/instabids/payment": default_webhook_secret("PAYMENT")}
BODY = b'{"hello":"world"}'


def headers(secret: str, body: bytes = BODY, at: datetime | None = None, message_id: str = "msg_1") -> dict:
    moment = at or datetime.now(tz=UTC)
    return {"webhook-id": message_id, "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": Webhook(secret).sign(message_id, moment, body.decode())}


def refusal(body: bytes, given: dict) -> str:
    with pytest.raises(ProblemError) as caught:
        SignatureVerifier(SECRETS).verify(body, given)
    assert (caught.value.status, caught.value.code) == (401, "invalid_signature")
    return caught.value.detail or ""


def test_the_signature_covers_the_signing_domain_only() -> None:
    signature = SignatureVerifier(SECRETS).verify(BODY, headers(SECRETS["/instabids/payment"]))
    assert signature.covers("/instabids/payment")
    assert not signature.covers("/instabids/messaging")
    assert not signature.covers("/instabids/unknown")


def test_any_matching_entry_passes_and_junk_entries_are_ignored() -> None:
    given = headers(SECRETS["/instabids/messaging"])
    given["webhook-signature"] = "v1,not-base64!! v2,abc v1,QUJD " + given["webhook-signature"] + " garbage"
    assert SignatureVerifier(SECRETS).verify(BODY, given).covers("/instabids/messaging")


def test_a_tampered_body_is_refused() -> None:
    refusal(b'{"hello":"there"}', headers(SECRETS["/instabids/messaging"]))


def test_an_unknown_secret_is_refused() -> None:
    refusal(BODY, headers(default_webhook_secret("SOMEONE_ELSE")))


@pytest.mark.parametrize("shift", [timedelta(minutes=-5, seconds=-30), timedelta(minutes=5, seconds=30)])
def test_timestamps_outside_five_minutes_are_refused(shift) -> None:
    assert "tolerance" in refusal(BODY, headers(SECRETS["/instabids/messaging"], at=datetime.now(tz=UTC) + shift))


@pytest.mark.parametrize("change", [{"webhook-timestamp": "1e9"}, {"webhook-timestamp": "nan"},
                                    {"webhook-signature": "v1"}, {"webhook-signature": ""}, {"webhook-id": ""}])
def test_malformed_headers_are_refused(change) -> None:
    refusal(BODY, {**headers(SECRETS["/instabids/messaging"]), **change})


def test_a_body_that_is_not_utf8_is_refused() -> None:
    refusal(b"\xff\xfe", headers(SECRETS["/instabids/messaging"]))


# -- JWKS cache ---------------------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def jwks_server(documents: list[dict]) -> tuple[httpx.AsyncClient, list[int]]:
    """A client whose JWKS endpoint answers the documents in turn; `calls` counts requests."""
    calls: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, json=documents[min(len(calls), len(documents)) - 1])

    return httpx.AsyncClient(transport=httpx.MockTransport(answer)), calls


def jwk(key: RSAKey, **extra) -> dict:
    return {**key.as_dict(private=False), **extra}


def test_keys_are_cached_and_an_unknown_kid_refreshes_at_most_once_per_interval() -> None:
    old = RSAKey.generate_key(2048, private=True, auto_kid=True)
    new = RSAKey.generate_key(2048, private=True, auto_kid=True)
    client, calls = jwks_server([{"keys": [jwk(old)]}, {"keys": [jwk(old), jwk(new)]}])
    clock = Clock()
    cache = JwksCache("http://issuer/jwks", client, min_refresh_seconds=10, clock=clock)

    async def scenario() -> None:
        assert (await cache.key(old.kid)) is not None
        assert (await cache.key(old.kid)) is not None
        assert len(calls) == 1
        assert await cache.key("forged") is None
        assert await cache.key("forged-again") is None
        assert len(calls) == 1  # within the interval: no new fetch
        clock.now += 11
        assert (await cache.key(new.kid)) is not None  # the issuer rotated: found after one refresh
        assert len(calls) == 2

    asyncio.run(scenario())


@pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning")
def test_only_rsa_signing_keys_of_2048_bits_are_kept() -> None:
    good = RSAKey.generate_key(2048, private=True, auto_kid=True)
    small = RSAKey.generate_key(1024, private=True, auto_kid=True)
    document = {"keys": [jwk(good), jwk(small), {**jwk(good), "kid": "enc", "use": "enc"},
                         {**jwk(good), "kid": "hs", "alg": "HS256"}, {"kty": "oct", "kid": "sym", "k": "c2VjcmV0"},
                         "junk"]}
    client, _ = jwks_server([document])
    cache = JwksCache("http://issuer/jwks", client)

    async def scenario() -> list:
        return [await cache.key(kid) is not None for kid in (good.kid, small.kid, "enc", "hs", "sym")]

    assert asyncio.run(scenario()) == [True, False, False, False, False]


def test_an_unreachable_issuer_keeps_the_known_keys() -> None:
    key = RSAKey.generate_key(2048, private=True, auto_kid=True)
    state = {"up": True}

    def answer(request: httpx.Request) -> httpx.Response:
        if not state["up"]:
            raise httpx.ConnectError("down")
        return httpx.Response(200, content=json.dumps({"keys": [jwk(key)]}))

    clock = Clock()
    cache = JwksCache("http://issuer/jwks", httpx.AsyncClient(transport=httpx.MockTransport(answer)),
                      max_age_seconds=60, clock=clock)

    async def scenario() -> bool:
        await cache.key(key.kid)
        state["up"] = False
        clock.now += 120  # stale: a refresh is attempted and fails
        return await cache.key(key.kid) is not None

    assert asyncio.run(scenario())
