"""One place for configuration: environment variables, with the local defaults of a fresh machine.

Every other module receives what it needs as arguments; only faces (CLI, Dagster resources, API) build a
`Settings`. When a domain URL is unset, the local sandbox's URL (recorded by `outreach sandbox start` under the
state directory) is used, so a fresh machine needs no configuration at all.

Secrets are `SecretStr`, so printing or logging the settings (repr, `model_dump_json`) shows `**********`; only
the code that uses one reads it, with `get_secret_value()`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DOMAINS = ("user_management", "project_management", "messaging", "labor_marketplace", "payment", "social")


class Settings(BaseSettings):
    """Runtime configuration, read from the environment (no prefix: the variable names are the contract's)."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    state_dir: Path = Field(default_factory=lambda: Path.cwd() / ".outreach", alias="OUTREACH_STATE_DIR")

    instabids_user_management_url: str | None = Field(default=None, alias="INSTABIDS_USER_MANAGEMENT_URL")
    instabids_project_management_url: str | None = Field(default=None, alias="INSTABIDS_PROJECT_MANAGEMENT_URL")
    instabids_messaging_url: str | None = Field(default=None, alias="INSTABIDS_MESSAGING_URL")
    instabids_labor_marketplace_url: str | None = Field(default=None, alias="INSTABIDS_LABOR_MARKETPLACE_URL")
    instabids_payment_url: str | None = Field(default=None, alias="INSTABIDS_PAYMENT_URL")
    instabids_social_url: str | None = Field(default=None, alias="INSTABIDS_SOCIAL_URL")
    instabids_event_bus_url: str | None = Field(default=None, alias="INSTABIDS_EVENT_BUS_URL")

    client_id: str = Field(default="ai-outreach", alias="INSTABIDS_CLIENT_ID")
    client_secret: SecretStr = Field(default=SecretStr("sandbox-secret"), alias="INSTABIDS_CLIENT_SECRET")
    http_timeout_seconds: float = Field(default=10.0, alias="INSTABIDS_HTTP_TIMEOUT")
    http_max_attempts: int = Field(default=6, alias="INSTABIDS_HTTP_MAX_ATTEMPTS")

    event_bus_secret: SecretStr | None = Field(default=None, alias="INSTABIDS_EVENT_BUS_SECRET")

    license_registry_dir: Path | None = Field(default=None, alias="OUTREACH_LICENSE_REGISTRY_DIR")
    directory_url: str | None = Field(default=None, alias="OUTREACH_DIRECTORY_URL")
    directory_max_requests_per_second: float = Field(default=10.0, alias="OUTREACH_DIRECTORY_MAX_RPS")

    # Privacy (docs/privacy.md): retention periods in days, and the batch size of key rotation.
    retention_prospect_days: int = Field(default=548, ge=1, alias="OUTREACH_RETENTION_PROSPECT_DAYS")
    retention_raw_days: int = Field(default=90, ge=1, alias="OUTREACH_RETENTION_RAW_DAYS")
    retention_dagster_run_days: int = Field(default=90, ge=1, alias="OUTREACH_RETENTION_DAGSTER_RUN_DAYS")
    pii_rotation_batch_size: int = Field(default=1000, ge=1, alias="OUTREACH_PII_ROTATION_BATCH_SIZE")

    # Observability (docs/observability.md): the OTel variables keep their standard names.
    log_level: str | None = Field(default=None, alias="OUTREACH_LOG_LEVEL")  # unset: each face its default
    log_format: str = Field(default="json", alias="OUTREACH_LOG_FORMAT")
    traces_exporter: str = Field(default="none", alias="OTEL_TRACES_EXPORTER")
    metrics_exporter: str = Field(default="none", alias="OTEL_METRICS_EXPORTER")
    service_name: str | None = Field(default=None, alias="OTEL_SERVICE_NAME")

    @property
    def sandbox_state_file(self) -> Path:
        return self.state_dir / "sandbox.json"

    @cached_property
    def local_sandbox_url(self) -> str | None:
        """URL of the sandbox started by `outreach sandbox start`, if one is recorded."""
        try:
            return json.loads(self.sandbox_state_file.read_text())["url"]
        except (OSError, ValueError, KeyError):
            return None

    def domain_url(self, domain: str) -> str:
        """Base URL of one InstaBids domain: its variable, else the local sandbox."""
        if domain not in DOMAINS:
            raise ValueError(f"unknown domain {domain!r}; expected one of {', '.join(DOMAINS)}")
        url = getattr(self, f"instabids_{domain}_url") or self.local_sandbox_url
        if not url:
            raise RuntimeError(
                f"INSTABIDS_{domain.upper()}_URL is not set and no local sandbox is running "
                "(start one with `outreach sandbox start`)."
            )
        return url.rstrip("/")

    def event_bus_url(self) -> str:
        """Where published events go: INSTABIDS_EVENT_BUS_URL, else the local sandbox's bus."""
        if self.instabids_event_bus_url:
            return self.instabids_event_bus_url
        if not self.local_sandbox_url:
            raise RuntimeError("INSTABIDS_EVENT_BUS_URL is not set and no local sandbox is running.")
        return f"{self.local_sandbox_url.rstrip('/')}/event-bus/events"

    def event_bus_signing_secret(self) -> str:
        """Secret our published events are signed with (the local sandbox's development one when unset)."""
        from integrations.contracts.dev_secrets import default_webhook_secret

        if self.event_bus_secret is not None and self.event_bus_secret.get_secret_value():
            return self.event_bus_secret.get_secret_value()
        return default_webhook_secret("EVENT_BUS")

    def web_directory_url(self) -> str:
        """The web directory crawled for prospects: OUTREACH_DIRECTORY_URL, else the local sandbox's."""
        if self.directory_url:
            return self.directory_url
        if not self.local_sandbox_url:
            raise RuntimeError("OUTREACH_DIRECTORY_URL is not set and no local sandbox is running.")
        return f"{self.local_sandbox_url.rstrip('/')}/directory/"

    @property
    def registry_dir(self) -> Path:
        """Folder of public license-registry files read by discovery (the sandbox writes samples here)."""
        return self.license_registry_dir or self.state_dir / "registries"


def get_settings() -> Settings:
    return Settings()


@contextmanager
def environment_overrides(overrides: Mapping[str, str]) -> Iterator[None]:
    """The process environment with `overrides` for the block, restored afterwards.

    For what reads configuration from the environment itself rather than from arguments: `Settings`, the Dagster
    resources, a dbt invocation (`DbtCliResource.cli` has no `env` argument: it copies `os.environ` into the dbt
    subprocess) and child processes."""
    previous = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
