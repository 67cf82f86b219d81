"""The InstaBids domain clients, built from the settings (the adapter itself takes plain arguments)."""

from __future__ import annotations

from integrations.instabids import InstaBidsClients
from outreach.settings import DOMAINS, Settings


def build_clients(settings: Settings) -> InstaBidsClients:
    """Clients for every domain: base URLs (or the local sandbox's), credentials, timeout and attempts."""
    return InstaBidsClients.build(
        {domain: settings.domain_url(domain) for domain in DOMAINS},
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        timeout=settings.http_timeout_seconds,
        max_attempts=settings.http_max_attempts,
    )
