"""Shared fixtures: a real PostgreSQL (DATABASE_URL's server, or a throwaway embedded one) with a fresh,
migrated database for the session, and the sandbox of the other domains over real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

CONTRACTS_DIR = Path(__file__).resolve().parents[1] / "integrations" / "contracts"


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL on a running server: DATABASE_URL's, else a throwaway embedded server stopped at the end."""
    if url := os.environ.get("DATABASE_URL"):
        yield url
        return
    from outreach.storage.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg-state"))
    info = server.start()
    try:
        yield info.url
    finally:
        server.destroy()


def _with_database(server_url: str, name: str) -> str:
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def database_url(pg_server_url: str) -> Iterator[str]:
    """A fresh database, migrated to head, dropped after the session."""
    from outreach.storage.migrate import upgrade

    name = f"outreach_test_{uuid.uuid4().hex[:8]}"
    admin = _with_database(pg_server_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = _with_database(pg_server_url, name)
    upgrade(url)
    try:
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def db(database_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(database_url) as conn:
        yield conn


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory):
    """The sandbox of the other domains, served over HTTP on a free loopback port for the session."""
    from integrations.sandbox.config import SandboxConfig
    from integrations.sandbox.server import start_in_thread

    config = SandboxConfig(
        scale=300, seed=11, registry_dir=tmp_path_factory.mktemp("registries"), crawl_delay_seconds=0
    )
    with start_in_thread(config) as running:
        yield running


SESSION_KEYS = {}


def _session_keys() -> dict[str, str]:
    """One PII key and one blind-index key for the whole session: rows written by one test stay readable."""
    if not SESSION_KEYS:
        import base64
        import secrets

        from outreach.privacy.crypto import new_key_spec

        SESSION_KEYS["OUTREACH_PII_KEYS"] = new_key_spec("test")
        SESSION_KEYS["OUTREACH_BLIND_INDEX_KEY"] = base64.b64encode(secrets.token_bytes(32)).decode()
    return SESSION_KEYS


@pytest.fixture
def pipeline_env(monkeypatch, tmp_path, database_url: str, sandbox) -> dict[str, str]:
    """Environment of a pipeline run: the test database, the sandbox for every domain, a private state folder."""
    from outreach.settings import DOMAINS

    env = {
        "DATABASE_URL": database_url,
        "OUTREACH_STATE_DIR": str(tmp_path / "state"),
        **_session_keys(),
        **{f"INSTABIDS_{domain.upper()}_URL": sandbox.url for domain in DOMAINS},
        "INSTABIDS_EVENT_BUS_URL": f"{sandbox.url}/event-bus/events",
        "OUTREACH_DIRECTORY_URL": f"{sandbox.url}/directory/",
        "OUTREACH_LICENSE_REGISTRY_DIR": str(sandbox.sandbox.config.registry_dir),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env
