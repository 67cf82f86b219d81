"""The sandbox clock: wall clock plus an offset that only moves forward.

Scheduled reactions (deliveries, replies, sign-ups, verifications) and daily market events happen at sandbox
times, so a test advances the clock instead of sleeping. Tokens, signatures and rate limits stay on the wall
clock: a receiver checks `webhook-timestamp` against its own time, not ours.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class SandboxClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0 if start is None else start.timestamp() - time.time()

    def timestamp(self) -> float:
        with self._lock:
            return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), tz=UTC)

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()

    def set(self, moment: datetime) -> datetime:
        with self._lock:
            target = moment.timestamp() - time.time()
            if target < self._offset:
                raise ValueError("the sandbox clock only moves forward")
            self._offset = target
        return self.now()
