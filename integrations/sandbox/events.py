"""Events the sandbox emits as the other domains: scheduling at sandbox times and the delivery record.

An event is created `scheduled` with a due time on the sandbox clock. When the clock reaches it, its side
effect runs (a bounce suppresses the address, an organic sign-up creates the user, an incentive changes
status...) and it becomes `pending`; the deliverer then POSTs it and marks it `delivered`, or retries it with
backoff until it gives up (`failed`). An effect may veto its event (`cancelled`), e.g. an organic sign-up of a
business that has registered through us in the meantime.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from integrations.sandbox.ids import iso

EVENT_SOURCES = {
    "UserCreatedEvent": "user-management",
    "MessageReceivedEvent": "messaging",
    "MessageStatusUpdatedEvent": "messaging",
    "ProjectCreatedEvent": "project-management",
    "SpecialtyDemandChangedEvent": "project-management",
    "ReferralCreatedEvent": "social",
    "VerificationCompletedEvent": "labor-marketplace",
    "PaymentIncentiveStatusEvent": "payment",
}
EVENTS_PATH = "/ai-outreach/events"
MESSAGES_PATH = "/ai-outreach/webhooks/messages/received"
VERIFICATION_PATH = "/ai-outreach/callbacks/verification-status"
DELIVERY_PATHS = {
    "MessageReceivedEvent": MESSAGES_PATH,
    "MessageStatusUpdatedEvent": MESSAGES_PATH,
    "VerificationCompletedEvent": VERIFICATION_PATH,
}
STATUSES = ("scheduled", "pending", "delivered", "failed", "cancelled")

Effect = Callable[[], bool]


def cloudevent(event_type: str, event_id: str, time: float, data: dict, subject: str | None) -> dict:
    event = {
        "specversion": "1.0",
        "id": event_id,
        "source": f"/instabids/{EVENT_SOURCES[event_type]}",
        "type": event_type,
        "time": iso(time),
        "datacontenttype": "application/json",
        "data": data,
    }
    if subject:
        event["subject"] = subject
    return event


@dataclass
class Emitted:
    seq: int
    event: dict
    due_at: float  # sandbox epoch seconds
    effect: Effect | None = None
    status: str = "scheduled"
    attempts: int = 0
    next_attempt: float = 0.0  # wall-clock monotonic seconds
    last_status_code: int | None = None
    last_error: str | None = None
    delivered_at: str | None = None

    @property
    def type(self) -> str:
        return self.event["type"]

    @property
    def service(self) -> str:
        return EVENT_SOURCES[self.type]

    @property
    def path(self) -> str:
        return DELIVERY_PATHS.get(self.type, EVENTS_PATH)

    def item(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "target_path": self.path,
            "due_at": iso(self.due_at),
            "status": self.status,
            "attempts": self.attempts,
            "last_status_code": self.last_status_code,
            "last_error": self.last_error,
            "delivered_at": self.delivered_at,
        }


@dataclass
class EventLog:
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _all: list[Emitted] = field(default_factory=list)
    _due: list[tuple[float, int]] = field(default_factory=list)
    _pending: dict[int, Emitted] = field(default_factory=dict)  # due and not yet delivered or given up

    def schedule(self, event_type: str, event_id: str, due_at: float, data: dict, subject: str | None = None,
                 effect: Effect | None = None) -> Emitted:
        with self._lock:
            emitted = Emitted(len(self._all), cloudevent(event_type, event_id, due_at, data, subject), due_at,
                              effect)
            self._all.append(emitted)
            heapq.heappush(self._due, (due_at, emitted.seq))
            return emitted

    def release(self, now: float) -> list[Emitted]:
        """Events whose time has come, in due order (their effects are the caller's to run)."""
        released = []
        with self._lock:
            while self._due and self._due[0][0] <= now:
                _, seq = heapq.heappop(self._due)
                released.append(self._all[seq])
        return released

    def activate(self, emitted: Emitted, keep: bool) -> None:
        """A released event becomes pending delivery, or cancelled when its effect vetoed it."""
        with self._lock:
            emitted.status = "pending" if keep else "cancelled"
            if keep:
                self._pending[emitted.seq] = emitted

    def settle(self, emitted: Emitted, status: str) -> None:
        """Delivered or failed for good: no longer pending."""
        with self._lock:
            emitted.status = status
            self._pending.pop(emitted.seq, None)

    def deliverable(self, wall_now: float, ignore_backoff: bool) -> list[Emitted]:
        with self._lock:
            return [e for e in self._pending.values() if ignore_backoff or e.next_attempt <= wall_now]

    def select(self, event_type: str | None = None, status: str | None = None) -> list[Emitted]:
        with self._lock:
            return [e for e in self._all if (event_type is None or e.type == event_type)
                    and (status is None or e.status == status)]

    def counts(self) -> dict[str, int]:
        with self._lock:
            counts = dict.fromkeys(STATUSES, 0)
            for emitted in self._all:
                counts[emitted.status] += 1
            return counts
