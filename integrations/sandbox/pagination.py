"""Contract pagination: `limit` (1..1000, default 100) and an opaque, signed `page_token` bound to the other
query parameters and to the snapshot the first page resolved (e.g. the default `as_of`), so later pages read
the same snapshot even when the sandbox clock moves, and changed parameters are a 400."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from integrations.sandbox.problems import bad_request

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class Cursor:
    limit: int
    offset: int
    context: dict[str, Any]  # the snapshot (resolved defaults) every page of this listing uses
    binding: str


class Pager:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, payload: bytes) -> str:
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()[:24]

    @staticmethod
    def _binding(query: Mapping[str, str], path: str) -> str:
        params = sorted((k, v) for k, v in query.items() if k not in ("limit", "page_token"))
        return hashlib.sha256(json.dumps([path, params]).encode()).hexdigest()[:24]

    def open(self, query: Mapping[str, str], path: str,
             context: Callable[[], dict[str, Any]] | None = None) -> Cursor:
        """Parse `limit`/`page_token`; `context` resolves the snapshot for a first page."""
        raw_limit = query.get("limit")
        limit = DEFAULT_LIMIT
        if raw_limit is not None:
            if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
                raise bad_request(f"limit must be an integer within 1..{MAX_LIMIT}")
            limit = int(raw_limit)
        binding = self._binding(query, path)
        token = query.get("page_token")
        if token is None:
            return Cursor(limit, 0, context() if context else {}, binding)
        try:
            body, signature = token.rsplit(".", 1)
            payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            if not hmac.compare_digest(signature, self._sign(payload)):
                raise ValueError("bad signature")
            state = json.loads(payload)
        except ValueError as exc:
            raise bad_request("page_token is not valid") from exc
        if state.get("b") != binding:
            raise bad_request("query parameters changed while paging: start again without page_token")
        return Cursor(limit, int(state["o"]), state.get("c", {}), binding)

    def token(self, cursor: Cursor, offset: int) -> str:
        payload = json.dumps({"o": offset, "b": cursor.binding, "c": cursor.context}, separators=(",", ":"))
        body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return f"{body}.{self._sign(payload.encode())}"

    def page(self, items: Sequence[Any], cursor: Cursor, render: Callable[[Any], Any] = lambda x: x) -> dict:
        """Slice a fully computed, stably ordered listing."""
        end = cursor.offset + cursor.limit
        chunk = [render(item) for item in items[cursor.offset : end]]
        return {"items": chunk, "next_page_token": self.token(cursor, end) if end < len(items) else None}

    def page_filtered(self, base: Sequence[Any], keep: Callable[[Any], bool], cursor: Cursor,
                      render: Callable[[Any], Any] = lambda x: x) -> dict:
        """Page over `base` keeping only items that pass `keep`; the token remembers the base position, so
        items that drop out between pages (e.g. a candidate who registered) never shift later pages."""
        chunk: list[Any] = []
        position = cursor.offset
        while position < len(base) and len(chunk) < cursor.limit:
            if keep(base[position]):
                chunk.append(render(base[position]))
            position += 1
        more = any(keep(item) for item in islice(base, position, None))
        return {"items": chunk, "next_page_token": self.token(cursor, position) if more else None}
