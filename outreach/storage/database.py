"""Which PostgreSQL server the project uses, and connections to it.

`DATABASE_URL` wins; without it the embedded server of the state folder is used (and started on demand by the
commands that need it). Dagster's instance storage lives on the same server, in its own database when the server
lets us create one, else in the app database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
import sqlalchemy as sa

from outreach.settings import Settings
from outreach.storage.embedded import EmbeddedPostgres, ensure_database

DAGSTER_DATABASE = "dagster"


class DatabaseNotRunning(RuntimeError):
    """DATABASE_URL is unset and the embedded server is not running."""


def database_url(settings: Settings, *, start: bool = False) -> str:
    """The app database URL (`postgresql://...`), starting the embedded server when asked."""
    if settings.database_url:
        return settings.database_url
    embedded = EmbeddedPostgres(settings.state_dir)
    if start:
        return embedded.start().url
    if not embedded.is_running():
        raise DatabaseNotRunning(
            "DATABASE_URL is not set and the embedded PostgreSQL is not running: run `outreach db start`."
        )
    info = embedded.info()
    assert info is not None
    return info.url


def dagster_database_url(app_url: str) -> str:
    """Database for Dagster's instance storage: `dagster` on the same server, or the app database itself."""
    parts = urlsplit(app_url)
    try:
        ensure_database(app_url, DAGSTER_DATABASE)
    except psycopg.Error:
        return app_url
    return urlunsplit(parts._replace(path=f"/{DAGSTER_DATABASE}"))


def sqlalchemy_url(url: str, driver: str = "psycopg") -> str:
    """`postgresql://` → `postgresql+<driver>://` (SQLAlchemy would otherwise guess the driver)."""
    scheme, rest = url.split("://", 1)
    return f"{scheme.split('+')[0]}+{driver}://{rest}"


def create_engine(url: str) -> sa.Engine:
    return sa.create_engine(sqlalchemy_url(url), pool_pre_ping=True)


@contextmanager
def connect(url: str, *, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    """A psycopg 3 connection (used for COPY and plain SQL); commits on success, rolls back on error."""
    with psycopg.connect(url, autocommit=autocommit) as conn:
        yield conn
