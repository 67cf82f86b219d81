"""OAuth2 client-credentials tokens for the domain calls: one per service audience, cached and shared.

The contract wants the scopes of one service per token (its `aud` is that service), so each audience has its own
token, asked with all of that service's scopes we use. Tokens are re-fetched shortly before they expire, and when
a domain refuses one (`invalidate`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from integrations.instabids.http import DomainHttp
from integrations.instabids.wire import TokenResponse

SERVICE_SCOPES: dict[str, tuple[str, ...]] = {
    "user-management": ("users.read", "users.write"),
    "project-management": ("projects.read",),
    "messaging": ("messaging.send",),
    "labor-marketplace": ("labor.read",),
    "payment": ("payment.read", "payment.write"),
    "social": ("social.read",),
}


def audience_for(domain: str) -> str:
    """The token audience of a domain key: the service name, `user_management` → `user-management`."""
    audience = domain.replace("_", "-")
    if audience not in SERVICE_SCOPES:
        raise ValueError(f"unknown domain {domain!r}")
    return audience


@dataclass
class _CachedToken:
    access_token: str
    refresh_at: float


class TokenProvider:
    """Fetches tokens from `POST /auth/token` (User Management) and caches them per audience.

    Thread-safe: callers of one audience wait for a single fetch instead of each asking for a token.
    """

    def __init__(
        self,
        http: DomainHttp,
        client_id: str,
        client_secret: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        refresh_margin: float = 60.0,
    ) -> None:
        self._http = http
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._refresh_margin = refresh_margin
        self._cache: dict[str, _CachedToken] = {}
        self._locks = {audience: threading.Lock() for audience in SERVICE_SCOPES}

    def for_audience(self, audience: str) -> AudienceTokens:
        if audience not in SERVICE_SCOPES:
            raise ValueError(f"unknown audience {audience!r}")
        return AudienceTokens(self, audience)

    def token(self, audience: str) -> str:
        with self._locks[audience]:
            cached = self._cache.get(audience)
            if cached is None or self._clock() >= cached.refresh_at:
                cached = self._cache[audience] = self._fetch(audience)
            return cached.access_token

    def invalidate(self, audience: str, token: str) -> None:
        """Forget a refused token, unless another thread has already replaced it."""
        with self._locks[audience]:
            cached = self._cache.get(audience)
            if cached is not None and cached.access_token == token:
                del self._cache[audience]

    def _fetch(self, audience: str) -> _CachedToken:
        requested_at = self._clock()
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "scope": " ".join(SERVICE_SCOPES[audience]),
        }
        issued = TokenResponse.model_validate(self._http.request("POST", "/auth/token", form=form).json())
        margin = min(self._refresh_margin, issued.expires_in / 2)
        return _CachedToken(issued.access_token, requested_at + issued.expires_in - margin)


@dataclass(frozen=True)
class AudienceTokens:
    """The tokens of one audience, as the HTTP layer of that domain asks for them."""

    provider: TokenProvider
    audience: str

    def get(self) -> str:
        return self.provider.token(self.audience)

    def invalidate(self, token: str) -> None:
        self.provider.invalidate(self.audience, token)
