"""Dagster's instance folder (DAGSTER_HOME): run, event-log and schedule storage on the project's PostgreSQL.

The folder lives in the state folder and its `dagster.yaml` is rewritten whenever a command resolves the
database, so it always points at the server in use (the embedded server may change port between starts).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml


def dagster_home(state_dir: Path) -> Path:
    return state_dir / "dagster_home"


def write_dagster_yaml(state_dir: Path, dagster_url: str) -> Path:
    """Write `dagster.yaml` for a PostgreSQL URL; returns the DAGSTER_HOME folder."""
    parts = urlsplit(dagster_url)
    postgres_db = {
        "username": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
        "hostname": parts.hostname or "127.0.0.1",
        "db_name": parts.path.lstrip("/"),
        "port": parts.port or 5432,
        # Without it SQLAlchemy 2 picks psycopg 3 and Dagster's `NOTIFY run_events, $1` fails.
        "scheme": "postgresql+psycopg2",
    }
    config = {
        "storage": {"postgres": {"postgres_db": postgres_db}},
        "telemetry": {"enabled": False},
        "run_queue": {"max_concurrent_runs": 4},
    }
    home = dagster_home(state_dir)
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return home
