"""Configuration of the inbound API (`outreach serve`), read from the environment.

Names are the contract's and the deployment's: `OUTREACH_API_HOST` / `OUTREACH_API_PORT` say where to listen,
`INSTABIDS_USER_MANAGEMENT_URL` where the JWKS of the token issuer lives, `INSTABIDS_WEBHOOK_SECRET_<SERVICE>`
the Standard Webhooks secret of each sending domain. A secret left unset falls back to the local sandbox's
public development secret (`integrations.contracts.dev_secrets`), so the local stack verifies out of the box;
**production must set every one of them** from its secret store (a warning is logged at start-up otherwise).
Secrets are `SecretStr`, so they never show up in a repr or a log line.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from integrations.contracts.dev_secrets import default_webhook_secret

WEBHOOK_SERVICES = ("MESSAGING", "USER_MANAGEMENT", "PROJECT_MANAGEMENT", "SOCIAL", "LABOR_MARKETPLACE", "PAYMENT")
"""The sending domains, as they appear in `INSTABIDS_WEBHOOK_SECRET_<SERVICE>`."""

JWKS_PATH = "/auth/.well-known/jwks.json"


def service_source(service: str) -> str:
    """`USER_MANAGEMENT` → the CloudEvent source `/instabids/user-management`."""
    return "/instabids/" + service.lower().replace("_", "-")


class ApiConfig(BaseSettings):
    """Everything `create_app` and `serve` need besides the database URL and the PII keys."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    host: str = Field(default="127.0.0.1", alias="OUTREACH_API_HOST")
    port: int = Field(default=8600, ge=0, le=65535, alias="OUTREACH_API_PORT")
    workers: int = Field(default=2, ge=1, alias="OUTREACH_API_WORKERS")
    db_pool_size: int = Field(default=10, ge=1, alias="OUTREACH_API_DB_POOL_SIZE")

    user_management_url: str | None = Field(default=None, alias="INSTABIDS_USER_MANAGEMENT_URL")
    jwt_issuer: str = Field(default="https://auth.instabids.example", alias="OUTREACH_API_JWT_ISSUER")
    jwt_audience: str = Field(default="ai-outreach", alias="OUTREACH_API_JWT_AUDIENCE")
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=300, alias="OUTREACH_API_JWT_LEEWAY")

    webhook_secret_messaging: SecretStr | None = Field(default=None, alias="INSTABIDS_WEBHOOK_SECRET_MESSAGING")
    webhook_secret_user_management: SecretStr | None = Field(
        default=None, alias="INSTABIDS_WEBHOOK_SECRET_USER_MANAGEMENT"
    )
    webhook_secret_project_management: SecretStr | None = Field(
        default=None, alias="INSTABIDS_WEBHOOK_SECRET_PROJECT_MANAGEMENT"
    )
    webhook_secret_social: SecretStr | None = Field(default=None, alias="INSTABIDS_WEBHOOK_SECRET_SOCIAL")
    webhook_secret_labor_marketplace: SecretStr | None = Field(
        default=None, alias="INSTABIDS_WEBHOOK_SECRET_LABOR_MARKETPLACE"
    )
    webhook_secret_payment: SecretStr | None = Field(default=None, alias="INSTABIDS_WEBHOOK_SECRET_PAYMENT")

    def webhook_secrets(self) -> dict[str, str]:
        """Secret of each sending domain, keyed by its CloudEvent source (`/instabids/messaging`)."""
        secrets: dict[str, str] = {}
        for service in WEBHOOK_SERVICES:
            configured: SecretStr | None = getattr(self, f"webhook_secret_{service.lower()}")
            secret = configured.get_secret_value() if configured else default_webhook_secret(service)
            secrets[service_source(service)] = secret
        return secrets

    def services_on_development_secrets(self) -> list[str]:
        """Sending domains without a configured secret (verified with the public development one)."""
        return [s for s in WEBHOOK_SERVICES if getattr(self, f"webhook_secret_{s.lower()}") is None]

    def jwks_url(self) -> str:
        """The issuer's JWKS: `INSTABIDS_USER_MANAGEMENT_URL`, else the local sandbox started by `outreach up`."""
        base = self.user_management_url
        if not base:
            from outreach.settings import Settings

            base = Settings().domain_url("user_management")
        return base.rstrip("/") + JWKS_PATH
