"""The writes the sandbox received, attempts included: (method, path, Idempotency-Key) -> count.

Idempotency keys make a repeated write harmless, so the domains' state cannot tell "called once" from "called
twice and deduplicated"; this log can, for tests that promise no duplicate calls. Reset only with the process.
"""

from __future__ import annotations

import threading
from collections import Counter

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CallLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[tuple[str, str, str | None]] = Counter()

    def record(self, method: str, path: str, idempotency_key: str | None) -> None:
        if method in WRITE_METHODS:
            with self._lock:
                self._calls[(method, path, idempotency_key)] += 1

    def count(self, path: str, idempotency_key: str | None, method: str = "POST") -> int:
        with self._lock:
            return self._calls[(method, path, idempotency_key)]
