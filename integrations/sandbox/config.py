"""Sandbox configuration: one dataclass whose fields match the `outreach sandbox` CLI flags (`--rate-limit` and
`--messaging-rate-limit` set `rate_limit_per_second` and `messaging_rate_limit_per_minute`).

Secrets follow the production variable names, so the same environment configures our API and the sandbox:
`INSTABIDS_WEBHOOK_SECRET_<SERVICE>` signs what a domain delivers to us, `INSTABIDS_EVENT_BUS_SECRET`
verifies what we publish to the bus. Unset, both sides fall back to `default_webhook_secret(...)`, a public,
deterministic development secret, so a fresh machine needs no configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from integrations.contracts.dev_secrets import default_webhook_secret

WEBHOOK_SERVICES = (
    "MESSAGING", "USER_MANAGEMENT", "PROJECT_MANAGEMENT", "SOCIAL", "LABOR_MARKETPLACE", "PAYMENT",
)


def _webhook_secrets_from_env() -> dict[str, str]:
    return {
        service: os.environ.get(f"INSTABIDS_WEBHOOK_SECRET_{service}") or default_webhook_secret(service)
        for service in WEBHOOK_SERVICES
    }


def _event_bus_secret_from_env() -> str:
    return os.environ.get("INSTABIDS_EVENT_BUS_SECRET") or default_webhook_secret("EVENT_BUS")


@dataclass
class SandboxConfig:
    """How to run the sandbox. `port=0` picks a free port; `webhook_url=None` keeps events undelivered."""

    host: str = "127.0.0.1"
    port: int = 0
    seed: int = 42
    scale: int = 2000  # candidate contractor businesses
    daily_churn: float = 0.0  # share of discovery records new or changed per day of churn (incremental-day bench)
    churn_days: int = 0  # days of churn in the served world: the sources as they are this many days after the anchor
    failure_rate: float = 0.0  # share of domain API requests answered 503 (Retry-After: 1)
    latency_ms: int = 0  # delay added to every domain API request
    rate_limit_per_second: float = 200.0  # per client and domain (token bucket, burst = 2 s worth); --rate-limit
    messaging_rate_limit_per_minute: int = 6000  # messages per client; --messaging-rate-limit
    webhook_url: str | None = None  # base URL of our API, e.g. http://127.0.0.1:8600
    registry_dir: Path | None = None  # where to write the license-registry files; None = don't write
    crawl_delay_seconds: int = 1  # robots.txt Crawl-delay of the web directory; --crawl-delay
    client_id: str = "ai-outreach"
    client_secret: str = "sandbox-secret"
    analytics_client_id: str = "analytics"
    analytics_client_secret: str = "analytics-secret"
    webhook_secrets: dict[str, str] = field(default_factory=_webhook_secrets_from_env)
    event_bus_secret: str = field(default_factory=_event_bus_secret_from_env)
    token_ttl_seconds: int = 3600
    clock_start: datetime | None = None  # the sandbox clock's initial time; None = the wall clock
    anchor: date | None = None  # the world's anchor day; None = the sandbox clock's date at start
    auto_deliver: bool = True  # background delivery loop; off = only POST /sandbox/events/flush delivers
    delivery_timeout_seconds: float = 5.0
    max_delivery_attempts: int = 8

    def __post_init__(self) -> None:
        if self.registry_dir is not None:
            self.registry_dir = Path(self.registry_dir)
        if not 0.0 <= self.failure_rate <= 1.0:
            raise ValueError("failure_rate must be within 0..1")
        if self.scale < 1:
            raise ValueError("scale must be at least 1")
        if not 0.0 <= self.daily_churn <= 1.0 or self.churn_days < 0:
            raise ValueError("daily_churn must be within 0..1 and churn_days at least 0")

    def webhook_secret(self, service: str) -> str:
        """Secret of a sending domain, by contract service name (`user-management`) or env name."""
        key = service.upper().replace("-", "_")
        return self.webhook_secrets.get(key) or default_webhook_secret(key)
