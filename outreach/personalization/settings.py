"""Configuration of message personalization: the language model, its prices, the sender and unsubscribe links.

Read from the environment by the faces (CLI, Dagster resources, API), like `outreach.settings.Settings`:

| variable | default |
|---|---|
| `OPENAI_API_KEY` | unset → no model: every message is the deterministic template |
| `OPENAI_BASE_URL` | unset → the openai package's default (api.openai.com); any OpenAI-compatible server works |
| `OUTREACH_LLM_MODEL` | `gpt-4o-mini` |
| `OUTREACH_LLM_TIMEOUT` / `OUTREACH_LLM_MAX_ATTEMPTS` | 20 s / 2 |
| `OUTREACH_LLM_BREAKER_FAIL_MAX` / `OUTREACH_LLM_BREAKER_RESET_SECONDS` | 5 failed calls open the circuit / for 60 s |
| `OUTREACH_LLM_PRICE_PROMPT_PER_1K` / `OUTREACH_LLM_PRICE_COMPLETION_PER_1K` | USD per 1,000 tokens: 0.00015 / 0.0006 |
| `OUTREACH_SENDER_NAME` / `OUTREACH_SENDER_LEGAL_NAME` | `InstaBids` / `InstaBids, Inc.` |
| `OUTREACH_SENDER_POSTAL_ADDRESS` | a placeholder address: set the real one (CAN-SPAM) in production |
| `OUTREACH_UNSUBSCRIBE_BASE_URL` | `https://outreach.instabids.example/u/` |
| `OUTREACH_UNSUBSCRIBE_MAILTO` | `unsubscribe@outreach.instabids.example` |
| `OUTREACH_UNSUBSCRIBE_KEY` | a fixed development key, DEV ONLY (see below) |
| `OUTREACH_PRIVACY_URL` | `https://outreach.instabids.example/privacy` |

The default unsubscribe key is public (it is in this file), so anyone could forge unsubscribe tokens with it: set
`OUTREACH_UNSUBSCRIBE_KEY` to a random secret of at least 32 characters anywhere real, and keep it, since changing it
invalidates every unsubscribe link already sent.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from outreach.templates.compliance import Sender

if TYPE_CHECKING:
    from integrations.llm import LlmClient

logger = logging.getLogger(__name__)

DEV_UNSUBSCRIBE_KEY = "dev-only-unsubscribe-key-do-not-use-in-production"
DEV_POSTAL_ADDRESS = "InstaBids, Inc., 100 Example Street, Suite 200, San Diego, CA 92101, USA"


class PersonalizationSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    openai_api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    llm_model: str = Field(default="gpt-4o-mini", alias="OUTREACH_LLM_MODEL")
    llm_timeout_seconds: float = Field(default=20.0, gt=0, alias="OUTREACH_LLM_TIMEOUT")
    llm_max_attempts: int = Field(default=2, ge=1, le=2, alias="OUTREACH_LLM_MAX_ATTEMPTS")
    llm_breaker_fail_max: int = Field(default=5, ge=1, alias="OUTREACH_LLM_BREAKER_FAIL_MAX")
    llm_breaker_reset_seconds: float = Field(default=60.0, gt=0, alias="OUTREACH_LLM_BREAKER_RESET_SECONDS")
    llm_price_prompt_per_1k: Decimal = Field(default=Decimal("0.00015"), ge=0, alias="OUTREACH_LLM_PRICE_PROMPT_PER_1K")
    llm_price_completion_per_1k: Decimal = Field(
        default=Decimal("0.0006"), ge=0, alias="OUTREACH_LLM_PRICE_COMPLETION_PER_1K"
    )

    sender_name: str = Field(default="InstaBids", alias="OUTREACH_SENDER_NAME")
    sender_legal_name: str = Field(default="InstaBids, Inc.", alias="OUTREACH_SENDER_LEGAL_NAME")
    sender_postal_address: str = Field(default=DEV_POSTAL_ADDRESS, alias="OUTREACH_SENDER_POSTAL_ADDRESS")
    unsubscribe_base_url: str = Field(
        default="https://outreach.instabids.example/u/", alias="OUTREACH_UNSUBSCRIBE_BASE_URL"
    )
    unsubscribe_mailto: str = Field(
        default="unsubscribe@outreach.instabids.example", alias="OUTREACH_UNSUBSCRIBE_MAILTO"
    )
    unsubscribe_key: SecretStr = Field(default=SecretStr(DEV_UNSUBSCRIBE_KEY), alias="OUTREACH_UNSUBSCRIBE_KEY")
    privacy_url: str = Field(default="https://outreach.instabids.example/privacy", alias="OUTREACH_PRIVACY_URL")

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_api_key and self.openai_api_key.get_secret_value())

    @property
    def using_dev_unsubscribe_key(self) -> bool:
        return self.unsubscribe_key.get_secret_value() == DEV_UNSUBSCRIBE_KEY

    def unsubscribe_key_bytes(self) -> bytes:
        return self.unsubscribe_key.get_secret_value().encode("utf-8")

    def sender(self) -> Sender:
        if self.using_dev_unsubscribe_key:
            logger.warning("OUTREACH_UNSUBSCRIBE_KEY is unset: using the development key (not for real sends)")
        return Sender(
            name=self.sender_name,
            legal_name=self.sender_legal_name,
            postal_address=self.sender_postal_address,
            unsubscribe_base_url=self.unsubscribe_base_url,
            unsubscribe_mailto=self.unsubscribe_mailto,
            unsubscribe_key=self.unsubscribe_key_bytes(),
            privacy_url=self.privacy_url,
        )

    def llm_client(self) -> LlmClient | None:
        """The model client, or None when no API key is set (then every message is the template)."""
        if not self.llm_configured or self.openai_api_key is None:
            return None
        from integrations.llm import LlmClient

        return LlmClient(
            self.openai_base_url,
            self.openai_api_key.get_secret_value(),
            self.llm_model,
            self.llm_timeout_seconds,
            max_attempts=self.llm_max_attempts,
            breaker_fail_max=self.llm_breaker_fail_max,
            breaker_reset_seconds=self.llm_breaker_reset_seconds,
        )
