"""OAuth2 client credentials with RS256 JWTs, as User Management issues them.

One token covers the scopes of one service, and its `aud` is that service: a messaging token is rejected by
User Management (401), a token without the needed scope gets 403. The RSA key is generated at start-up; the
JWKS endpoint publishes it by `kid`, so our API verifies the tokens the same way it would in production.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Mapping
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from integrations.sandbox.problems import ProblemError

ISSUER = "https://auth.instabids.example"
SERVICE_SCOPES: dict[str, tuple[str, ...]] = {
    "user-management": ("users.read", "users.write"),
    "project-management": ("projects.read",),
    "messaging": ("messaging.send",),
    "labor-marketplace": ("labor.read",),
    "payment": ("payment.read", "payment.write"),
    "social": ("social.read",),
    "ai-outreach": ("outreach.read", "outreach.pii", "outreach.admin"),
}
SCOPE_SERVICE = {scope: service for service, scopes in SERVICE_SCOPES.items() for scope in scopes}
DOMAIN_SCOPES = frozenset(s for svc, scopes in SERVICE_SCOPES.items() if svc != "ai-outreach" for s in scopes)


@dataclass(frozen=True)
class Client:
    client_id: str
    secret: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's subject, audience and scopes."""

    client_id: str
    service: str
    scopes: frozenset[str]


class TokenError(Exception):
    """A token request failure with its RFC 6749 §5.2 `error` code."""

    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail


def _unauthorized(detail: str, service: str) -> ProblemError:
    challenge = f'Bearer realm="{service}", error="invalid_token", error_description="{detail}"'
    return ProblemError(401, "unauthorized", detail, headers={"WWW-Authenticate": challenge})


class Authority:
    def __init__(self, clients: list[Client], ttl_seconds: int) -> None:
        self.clients = {c.client_id: c for c in clients}
        self.ttl = ttl_seconds
        self.key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, private=True,
                                       auto_kid=True)

    def jwks(self) -> dict:
        return {"keys": [self.key.as_dict(private=False)]}

    def issue(self, form: Mapping[str, str], authorization: str | None = None, now: float | None = None) -> dict:
        """Validate a client-credentials request and return the TokenResponse."""
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise TokenError(401, "invalid_client", "malformed Basic credentials") from exc
        grant = form.get("grant_type")
        if not grant:
            raise TokenError(400, "invalid_request", "grant_type is required")
        if grant != "client_credentials":
            raise TokenError(400, "unsupported_grant_type", "only client_credentials is supported")
        if not client_id or not secret:
            raise TokenError(400, "invalid_request", "client_id and client_secret are required")
        client = self.clients.get(client_id)
        if client is None or client.secret != secret:
            raise TokenError(401, "invalid_client", "unknown client or wrong secret")
        scope_text = (form.get("scope") or "").strip()
        if not scope_text:
            raise TokenError(400, "invalid_request", "scope is required")
        scopes = scope_text.split()
        unknown = [s for s in scopes if s not in SCOPE_SERVICE]
        if unknown:
            raise TokenError(400, "invalid_scope", f"unknown scope(s): {' '.join(unknown)}")
        services = {SCOPE_SERVICE[s] for s in scopes}
        if len(services) != 1:
            raise TokenError(400, "invalid_scope", "request the scopes of one service per token")
        denied = [s for s in scopes if s not in client.scopes]
        if denied:
            raise TokenError(400, "invalid_scope", f"client may not request: {' '.join(denied)}")
        issued = int(now if now is not None else time.time())
        claims = {"iss": ISSUER, "aud": services.pop(), "sub": client_id, "scope": " ".join(dict.fromkeys(scopes)),
                  "iat": issued, "exp": issued + self.ttl}
        token = jwt.encode({"alg": "RS256", "kid": self.key.kid, "typ": "JWT"}, claims, self.key)
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.ttl}

    def verify(self, token: str, service: str, now: float | None = None) -> Principal:
        """The token's principal for `service`; 401 if malformed, badly signed, expired or for another aud."""
        try:
            decoded = jwt.decode(token, self.key, algorithms=["RS256"])
        except (JoseError, ValueError) as exc:
            raise _unauthorized("malformed token or bad signature", service) from exc
        claims, header = decoded.claims, decoded.header
        if header.get("kid") != self.key.kid:
            raise _unauthorized("unknown key id", service)
        if claims.get("iss") != ISSUER:
            raise _unauthorized("wrong issuer", service)
        current = now if now is not None else time.time()
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= current:
            raise _unauthorized("token expired", service)
        if claims.get("aud") != service:
            raise _unauthorized(f"token audience is not {service}", service)
        return Principal(str(claims.get("sub")), service, frozenset(str(claims.get("scope", "")).split()))

    def require(self, authorization: str | None, service: str, scope: str) -> Principal:
        """Check an `Authorization` header for `service` and `scope` (401 / 403 problems)."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise _unauthorized("missing bearer token", service)
        principal = self.verify(authorization[7:].strip(), service)
        if scope not in principal.scopes:
            raise ProblemError(403, "forbidden", f"token lacks scope {scope}")
        return principal
