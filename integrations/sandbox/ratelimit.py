"""Rate limits on the wall clock: a token bucket per client and domain, and Messaging's per-minute message
window, whose state is reported in `RateLimit-Limit` / `RateLimit-Remaining` / `RateLimit-Reset`."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


class TokenBuckets:
    """`rate` requests per second with a burst of two seconds' worth (at least one request)."""

    def __init__(self, rate: float) -> None:
        self._lock = threading.Lock()
        self._rate = rate
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}

    @property
    def rate(self) -> float:
        return self._rate

    def set_rate(self, rate: float) -> None:
        with self._lock:
            self._rate = rate
            self._buckets.clear()

    def take(self, client: str, domain: str) -> int | None:
        """None when allowed, else the whole seconds to wait (Retry-After)."""
        with self._lock:
            capacity = max(1.0, 2 * self._rate)
            now = time.monotonic()
            tokens, last = self._buckets.get((client, domain), (capacity, now))
            tokens = min(capacity, tokens + (now - last) * self._rate)
            if tokens >= 1.0:
                self._buckets[(client, domain)] = (tokens - 1.0, now)
                return None
            self._buckets[(client, domain)] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self._rate)) if self._rate > 0 else 60


@dataclass(frozen=True)
class WindowState:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window resets

    def headers(self) -> dict[str, str]:
        return {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.remaining),
                "RateLimit-Reset": str(self.reset)}


class MessageWindow:
    """Fixed one-minute windows per client, counted in messages."""

    WINDOW_SECONDS = 60

    def __init__(self, per_minute: int) -> None:
        self._lock = threading.Lock()
        self._limit = per_minute
        self._windows: dict[str, tuple[float, int]] = {}

    @property
    def limit(self) -> int:
        return self._limit

    def set_limit(self, per_minute: int) -> None:
        with self._lock:
            self._limit = per_minute

    def consume(self, client: str, count: int) -> WindowState:
        """Take `count` messages if they all fit, else nothing (a bulk is refused whole)."""
        with self._lock:
            now = time.monotonic()
            start, used = self._windows.get(client, (now, 0))
            if now - start >= self.WINDOW_SECONDS:
                start, used = now, 0
            allowed = used + count <= self._limit
            if allowed:
                used += count
            self._windows[client] = (start, used)
            reset = max(1, math.ceil(start + self.WINDOW_SECONDS - now))
            return WindowState(allowed, self._limit, max(0, self._limit - used), reset)
