"""The contract's pagination: `limit` (1..1000, default 100) and an opaque `page_token`.

A token carries the keyset position after the last item (so pages stay stable while rows are added) and the
snapshot the first page resolved (e.g. the default `to` = request time), and it is bound to the path and the other
query parameters: changing them while paging is a 400. Tokens are HMAC-signed so a client cannot forge a position
or a snapshot; the key is derived from a server secret every worker shares.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from integrations.api.problems import bad_request

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_TOKEN_CHARS = 4096
_UNBOUND = ("limit", "page_token")


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: `after` = the last key of the previous page (None on the first page)."""

    after: list[Any] | None
    snapshot: dict[str, Any] = field(default_factory=dict)


class PageTokens:
    def __init__(self, key: bytes) -> None:
        self._key = key

    @staticmethod
    def _binding(request: Request) -> str:
        params = sorted((k, v) for k, v in request.query_params.multi_items() if k not in _UNBOUND)
        return hashlib.sha256(json.dumps([request.url.path, params]).encode()).hexdigest()[:32]

    def _sign(self, payload: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self._key, payload, hashlib.sha256).digest()[:18]).decode()

    def open(self, request: Request, page_token: str | None, snapshot: dict[str, Any]) -> Cursor:
        """The cursor of this request: a first page gets `snapshot`, a later one the snapshot of its token."""
        if page_token is None:
            return Cursor(None, snapshot)
        if len(page_token) > MAX_TOKEN_CHARS:
            raise bad_request("page_token is not valid")
        try:
            body, signature = page_token.split(".", 1)
            payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            if not hmac.compare_digest(signature, self._sign(payload)):
                raise ValueError("bad signature")
            state = json.loads(payload)
        except (ValueError, TypeError, binascii.Error) as exc:
            raise bad_request("page_token is not valid") from exc
        if state.get("b") != self._binding(request):
            raise bad_request("query parameters changed while paging: start again without page_token")
        return Cursor(state["a"], state["s"])

    def next_token(self, request: Request, cursor: Cursor, last_key: list[Any]) -> str:
        payload = json.dumps({"b": self._binding(request), "a": last_key, "s": cursor.snapshot},
                             separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + self._sign(payload)
