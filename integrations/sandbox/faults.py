"""Failure injection: a share of domain API requests answered 503 and a fixed added latency, both changeable
at run time. Decisions come from an RNG seeded with the sandbox seed (the sequence is reproducible; which
request gets which draw depends on arrival order)."""

from __future__ import annotations

import random
import threading


class Faults:
    def __init__(self, seed: int, failure_rate: float, latency_ms: int) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(f"{seed}:faults")
        self.failure_rate = failure_rate
        self.latency_ms = latency_ms

    def set(self, failure_rate: float | None = None, latency_ms: int | None = None) -> None:
        with self._lock:
            if failure_rate is not None:
                self.failure_rate = failure_rate
            if latency_ms is not None:
                self.latency_ms = latency_ms

    def should_fail(self) -> bool:
        with self._lock:
            return self.failure_rate > 0 and self._rng.random() < self.failure_rate
