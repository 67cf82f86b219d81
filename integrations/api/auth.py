"""Bearer JWTs of User Management: RS256 only, keys from its JWKS by `kid`, `iss`/`aud`/`exp`/`nbf` checked with a
small leeway, scopes from the space-separated `scope` claim.

Why it is this strict: the algorithm is pinned before any key is touched (so `none`, or HS256 "signed" with the
public key, never reach a verifier), a token must name its key, and only RSA signing keys of at least 2048 bits
from the issuer's JWKS are used. The JWKS is cached and refreshed when it ages or when a token names a key we do
not know (the issuer rotated), at most once per `min_refresh_seconds`, so a flood of forged `kid`s cannot turn us
into a load generator against the issuer.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError
from joserfc.jwk import RSAKey

from integrations.api.problems import ProblemError, service_unavailable

log = logging.getLogger(__name__)

ALGORITHM = "RS256"
MAX_TOKEN_BYTES = 8192
MIN_RSA_BITS = 2048
READ, PII, ADMIN = "outreach.read", "outreach.pii", "outreach.admin"


@dataclass(frozen=True)
class Principal:
    """Who calls: the token's subject and scopes."""

    subject: str
    scopes: frozenset[str]


def unauthorized(detail: str, realm: str = "ai-outreach", *, token_given: bool = True) -> ProblemError:
    challenge = f'Bearer realm="{realm}"'
    if token_given:
        challenge += f', error="invalid_token", error_description="{detail}"'
    return ProblemError(401, "unauthorized", detail, headers={"WWW-Authenticate": challenge})


class JwksCache:
    """The issuer's signing keys by `kid`, fetched lazily and refreshed with a floor between attempts."""

    def __init__(self, url: str, client: httpx.AsyncClient, *, max_age_seconds: float = 600.0,
                 min_refresh_seconds: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._url, self._client = url, client
        self._max_age, self._min_refresh, self._clock = max_age_seconds, min_refresh_seconds, clock
        self._keys: dict[str, RSAKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()

    @property
    def has_keys(self) -> bool:
        return bool(self._keys)

    async def key(self, kid: str) -> RSAKey | None:
        """The key named `kid`, refreshing the set first when it is stale or does not know `kid`."""
        stale = self._fetched_at is None or self._clock() - self._fetched_at > self._max_age
        if (kid not in self._keys or stale) and self._may_attempt():
            async with self._lock:
                if self._may_attempt():  # another request may have refreshed while we waited
                    await self._refresh()
        return self._keys.get(kid)

    def _may_attempt(self) -> bool:
        return self._attempted_at is None or self._clock() - self._attempted_at >= self._min_refresh

    async def _refresh(self) -> None:
        self._attempted_at = self._clock()
        try:
            response = await self._client.get(self._url)
            response.raise_for_status()
            keys = _signing_keys(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("JWKS refresh failed (%s); keeping %d known key(s)", type(exc).__name__, len(self._keys))
            return
        self._keys, self._fetched_at = keys, self._clock()


def _signing_keys(document: Any) -> dict[str, RSAKey]:
    """The usable keys of a JWKS document: RSA, for signatures, RS256 (or unspecified), 2048 bits or more."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")
    keys: dict[str, RSAKey] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("use", "sig") != "sig" or entry.get("alg", ALGORITHM) != ALGORITHM:
            continue
        public = {k: entry[k] for k in ("kty", "kid", "n", "e") if k in entry}
        try:
            key = RSAKey.import_key(public)
        except (JoseError, ValueError, TypeError):
            continue
        if key.raw_value.key_size >= MIN_RSA_BITS:
            keys[entry["kid"]] = key
    return keys


def _header(token: str) -> dict[str, Any]:
    """The unverified JOSE header, only to pick the algorithm and the key."""
    segment = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise unauthorized("malformed token") from exc
    if not isinstance(header, dict):
        raise unauthorized("malformed token")
    return header


def _claim_failure(exc: JoseError) -> str:
    if isinstance(exc, ExpiredTokenError):
        return "token expired"
    if isinstance(exc, MissingClaimError):
        return f"token lacks a required claim ({exc.claim})"
    if isinstance(exc, InvalidClaimError):
        return {"iss": "wrong issuer", "aud": "wrong audience", "nbf": "token not yet valid",
                "iat": "token issued in the future"}.get(exc.claim, f"invalid claim {exc.claim}")
    return "invalid claims"


class TokenVerifier:
    """Turns an `Authorization` header into a `Principal`, or a 401 problem (503 when no key can be had)."""

    def __init__(self, jwks: JwksCache, *, issuer: str, audience: str, leeway_seconds: int) -> None:
        self._jwks = jwks
        self._issuer, self._audience, self._leeway = issuer, audience, leeway_seconds

    async def principal(self, authorization: str | None) -> Principal:
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise unauthorized("a bearer token is required", token_given=False)
        if len(token) > MAX_TOKEN_BYTES or token.count(".") != 2:
            raise unauthorized("malformed token")
        header = _header(token)
        if header.get("alg") != ALGORITHM:
            raise unauthorized("only RS256 tokens are accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise unauthorized("token names no key (kid)")
        key = await self._jwks.key(kid)
        if key is None:
            if not self._jwks.has_keys:
                raise service_unavailable("the token issuer's keys cannot be fetched; retry later", 5)
            raise unauthorized("unknown key id")
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM]).claims
        except (JoseError, ValueError, TypeError) as exc:
            raise unauthorized("bad signature or malformed token") from exc
        registry = jwt.JWTClaimsRegistry(
            leeway=self._leeway,
            iss={"essential": True, "value": self._issuer},
            aud={"essential": True, "value": self._audience},
            exp={"essential": True},
            sub={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise unauthorized(_claim_failure(exc)) from exc
        return Principal(claims["sub"], _scopes(claims.get("scope")))


def _scopes(claim: Any) -> frozenset[str]:
    if isinstance(claim, str):
        return frozenset(claim.split())
    return frozenset()


def require(scope: str) -> Callable[[Request], Any]:
    """A FastAPI dependency: the caller's `Principal`, 401 without a valid token, 403 without `scope`."""

    async def dependency(request: Request) -> Principal:
        verifier: TokenVerifier = request.app.state.api.tokens
        principal = await verifier.principal(request.headers.get("authorization"))
        if scope not in principal.scopes:
            raise ProblemError(403, "forbidden", f"the token lacks scope {scope}", headers={
                "WWW-Authenticate": f'Bearer realm="ai-outreach", error="insufficient_scope", scope="{scope}"'})
        return principal

    return dependency


Reader = Annotated[Principal, Depends(require(READ))]
"""A caller with `outreach.read`."""
Admin = Annotated[Principal, Depends(require(ADMIN))]
"""A caller with `outreach.admin`."""
