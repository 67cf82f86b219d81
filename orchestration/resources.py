"""Dagster resources: thin faces over the core's settings, database, PII cipher and domain clients."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from outreach.settings import Settings
from outreach.storage.database import connect, database_url


class PostgresResource(ConfigurableResource):
    """The app database: `database_url` if configured, else DATABASE_URL or the embedded server."""

    database_url: str | None = None

    def url(self) -> str:
        return self.database_url or database_url(Settings())

    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection]:
        with connect(self.url()) as conn:
            yield conn


class PiiResource(ConfigurableResource):
    """The cipher for contact data (keys from OUTREACH_PII_KEYS or the local key file)."""

    def cipher(self):
        from outreach.privacy.crypto import load_cipher

        return load_cipher(Settings().state_dir)


class InstaBidsResource(ConfigurableResource):
    """The other domains' HTTP clients, built once per run from the settings and closed after it."""

    _clients: object = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        from outreach.domain_clients import build_clients

        self._clients = build_clients(Settings())

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._clients is not None:
            self._clients.close()

    @property
    def clients(self):
        """The InstaBidsClients bundle (one client per domain) of this run."""
        return self._clients

    def fetch_pages(self, domain: str, path: str, params: dict[str, str]) -> Iterator[list[dict]]:
        return self._clients.iter_pages(domain, path, params)
