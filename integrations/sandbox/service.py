"""The running sandbox: the world, the mutable state and the machinery around them, behind one lock.

`Sandbox` is what route handlers talk to. Handlers run in uvicorn's thread pool, so every read-modify-write
of shared state happens under `Sandbox.lock` (an RLock); the generated world itself is immutable. A
background thread advances time-driven work: it processes sandbox days as the clock enters them, releases
events whose time has come (running their side effects) and delivers pending events.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from integrations.sandbox.auth import DOMAIN_SCOPES, SERVICE_SCOPES, Authority, Client
from integrations.sandbox.bus import EventBus
from integrations.sandbox.calls import CallLog
from integrations.sandbox.clock import SandboxClock
from integrations.sandbox.config import SandboxConfig
from integrations.sandbox.delivery import Deliverer
from integrations.sandbox.events import EventLog
from integrations.sandbox.faults import Faults
from integrations.sandbox.idempotency import IdempotencyStore
from integrations.sandbox.market import day_start
from integrations.sandbox.pagination import Pager
from integrations.sandbox.ratelimit import MessageWindow, TokenBuckets
from integrations.sandbox.reactions import Reactions
from integrations.sandbox.registries import write_files
from integrations.sandbox.state import Runtime
from integrations.sandbox.world import World

TICK_SECONDS = 0.2


class Sandbox:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.clock = SandboxClock(config.clock_start)
        started = self.clock.timestamp()
        anchor = config.anchor or self.clock.now().date()
        self.world = World(config.seed, config.scale, anchor, config.daily_churn, config.churn_days)
        self.runtime = Runtime(self.world)
        self.events = EventLog()
        self.reactions = Reactions(self.world, self.runtime, self.events)
        self.authority = Authority(
            [
                Client(config.client_id, config.client_secret, DOMAIN_SCOPES),
                Client(config.analytics_client_id, config.analytics_client_secret,
                       frozenset(SERVICE_SCOPES["ai-outreach"])),
            ],
            config.token_ttl_seconds,
        )
        self.pager = Pager(hashlib.sha256(f"pager:{config.seed}".encode()).digest())
        self.idempotency = IdempotencyStore()
        self.calls = CallLog()
        self.buckets = TokenBuckets(config.rate_limit_per_second)
        self.messaging_window = MessageWindow(config.messaging_rate_limit_per_minute)
        self.faults = Faults(config.seed, config.failure_rate, config.latency_ms)
        self.webhook_url: str | None = config.webhook_url
        self.deliverer = Deliverer(self.events, config.webhook_secret, lambda: self.webhook_url,
                                   config.delivery_timeout_seconds, config.max_delivery_attempts)
        self.bus = EventBus(config.event_bus_secret, self._on_bus_event, self.clock.timestamp)
        self.robots_violations = 0
        self.registry_files = (
            write_files(config.registry_dir, self.world.registry_rows, self.registry_meta())
            if config.registry_dir else []
        )
        self._processed_day = self.clock.now().date()
        self.reactions.schedule_day(self._processed_day, after=started)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def registry_meta(self) -> dict[str, Any]:
        return {"seed": self.config.seed, "scale": self.config.scale, "anchor": self.world.anchor.isoformat(),
                "generated_by": "instabids-sandbox"}

    # ----- time -----
    def tick(self) -> None:
        """Enter new sandbox days and release due events (running their effects), up to sandbox-now."""
        with self.lock:
            now = self.clock.timestamp()
            today = datetime.fromtimestamp(now, tz=UTC).date()
            while self._processed_day < today:
                self._processed_day += timedelta(days=1)
                self.reactions.schedule_day(self._processed_day, after=day_start(self._processed_day) - 1)
            for emitted in self.events.release(now):
                self.events.activate(emitted, emitted.effect() if emitted.effect else True)

    def flush(self) -> dict[str, Any]:
        """Deliver everything due now, synchronously (ignoring retry backoff)."""
        self.tick()
        result = self.deliverer.deliver(ignore_backoff=True)
        return {**result, "statuses": self.events.counts(), "now": self.clock.now()}

    def _on_bus_event(self, event: dict) -> None:
        if event["type"] == "ContractorReadyForVerificationEvent":
            with self.lock:
                self.reactions.on_verification_request(event["id"], event["data"], self.clock.timestamp())

    # ----- background work -----
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sandbox-events", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            self.tick()
            if self.config.auto_deliver:
                self.deliverer.deliver()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.deliverer.close()

    # ----- run-time settings -----
    def settings(self) -> dict[str, Any]:
        return {
            "failure_rate": self.faults.failure_rate,
            "latency_ms": self.faults.latency_ms,
            "rate_limit_per_second": self.buckets.rate,
            "messaging_rate_limit_per_minute": self.messaging_window.limit,
            "webhook_url": self.webhook_url,
        }

    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        self.faults.set(changes.get("failure_rate"), changes.get("latency_ms"))
        if changes.get("rate_limit_per_second") is not None:
            self.buckets.set_rate(float(changes["rate_limit_per_second"]))
        if changes.get("messaging_rate_limit_per_minute") is not None:
            self.messaging_window.set_limit(int(changes["messaging_rate_limit_per_minute"]))
        if "webhook_url" in changes:
            self.webhook_url = changes["webhook_url"]
        return self.settings()
