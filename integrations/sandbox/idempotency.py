"""`Idempotency-Key` semantics: same key + same body → the original response; same key + other body → 422.

Keys are scoped per client and per key space (`messaging` is one space shared by the single-send endpoints
and the per-message keys of `/messages/bulk`). Nothing expires while the process lives (the contract asks
for at least 24 h). Callers hold the sandbox lock around check-then-store, so concurrent retries of one key
cannot both execute.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from integrations.sandbox.problems import ProblemError, bad_request

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    fingerprint: str
    status: int
    body: Any


def fingerprint(payload: Any) -> str:
    """Digest of a JSON payload that ignores key order and whitespace."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def require_key(value: str | None) -> str:
    if value is None or not value.strip():
        raise bad_request("the Idempotency-Key header is required on writes")
    if len(value) > MAX_KEY_LENGTH:
        raise bad_request(f"Idempotency-Key is longer than {MAX_KEY_LENGTH} characters")
    return value


def reused(key: str, headers: dict[str, str] | None = None) -> ProblemError:
    return ProblemError(422, "idempotency_key_reused",
                        f"Idempotency-Key {key!r} was already used with a different body", headers=headers)


class IdempotencyStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._responses: dict[tuple[str, str, str], StoredResponse] = {}

    def get(self, client_id: str, space: str, key: str) -> StoredResponse | None:
        with self._lock:
            return self._responses.get((client_id, space, key))

    def put(self, client_id: str, space: str, key: str, stored: StoredResponse) -> None:
        with self._lock:
            self._responses[(client_id, space, key)] = stored

    def __len__(self) -> int:
        with self._lock:
            return len(self._responses)
