"""The dbt project as Dagster sees it: where it lives, how its manifest is prepared, how dbt connects.

The manifest (`dbt_project/target/manifest.json`) is prepared at build time (`python -m orchestration.dbt_project`,
called by the install step) because `dbt parse` takes seconds and a code location must load fast. Importing the
definitions only parses when the manifest is missing, so a fresh checkout still loads.

dbt reads its connection from `OUTREACH_DB_*` variables (see `dbt_project/profiles.yml`); `dbt_env` derives them
from the one setting the rest of the platform uses, `DATABASE_URL`.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from dagster_dbt import DbtCliResource, DbtProject
from filelock import FileLock

logger = logging.getLogger(__name__)

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
"""The one `DbtProject`: the `@dbt_assets` and the CLI resource both point at it."""

_POSTGRES_SCHEMES = ("postgres", "postgresql")
_DEFAULT_PORT = "5432"
_PARSE_LOCK_TIMEOUT_SECONDS = 120


def prepare_manifest() -> Path:
    """Run `dbt parse` into `dbt_project/target/` and return the manifest path (build-time preparation)."""
    _parse(only_if_missing=False)
    return dbt_project.manifest_path


def ensure_manifest() -> Path:
    """The manifest path, parsing once only if no manifest exists yet (a fresh checkout without the install step)."""
    if not dbt_project.manifest_path.exists():
        logger.warning(
            "dbt manifest missing at %s; running `dbt parse` once (prepare it at build time with "
            "`python -m orchestration.dbt_project`).",
            dbt_project.manifest_path,
        )
        _parse(only_if_missing=True)
    return dbt_project.manifest_path


def _parse(*, only_if_missing: bool) -> None:
    """`dbt parse` under a file lock, so processes importing the definitions together parse once.

    Not `dbt_project.preparer.prepare`: dagster-dbt's preparer builds its own CLI resource with the bare `dbt`
    executable, which fails when the virtualenv's `bin/` is not on PATH.
    """
    target_dir = dbt_project.project_dir / dbt_project.target_path
    target_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(target_dir / "manifest.json.lock", timeout=_PARSE_LOCK_TIMEOUT_SECONDS):
        if only_if_missing and dbt_project.manifest_path.exists():
            return
        dbt_resource().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()


def dbt_resource() -> DbtCliResource:
    """The dbt CLI resource for the project, using the `dbt` installed next to this Python.

    Resolving the executable from the interpreter keeps runs working when the virtualenv's `bin/` is not on PATH
    (e.g. `.venv/bin/dagster ...` without activating it).
    """
    beside_python = Path(sys.executable).parent / "dbt"
    executable = str(beside_python) if beside_python.exists() else "dbt"
    return DbtCliResource(project_dir=dbt_project, dbt_executable=executable)


def dbt_env(database_url: str) -> dict[str, str]:
    """Map a `postgresql://user:pass@host:port/db` URL to the variables `profiles.yml` reads.

    Percent-encoded user, password and database names are decoded (a password may contain `@`, `:` or `/`);
    SQLAlchemy-style schemes (`postgresql+psycopg://`) are accepted; a missing port means 5432; a `host` query
    parameter is used when the authority has none; `sslmode` is passed on when given.
    """
    parts = urlsplit(database_url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in _POSTGRES_SCHEMES:
        raise ValueError(f"DATABASE_URL must be a postgresql:// URL, got scheme {parts.scheme!r}")
    query = parse_qs(parts.query)
    host = parts.hostname or query.get("host", [""])[0]
    dbname = unquote(parts.path.lstrip("/"))
    if not host or not dbname:
        raise ValueError("DATABASE_URL needs a host and a database name (postgresql://user:pass@host:port/db)")
    env = {
        "OUTREACH_DB_HOST": host,
        "OUTREACH_DB_PORT": str(parts.port) if parts.port else _DEFAULT_PORT,
        "OUTREACH_DB_USER": unquote(parts.username) if parts.username else "postgres",
        "OUTREACH_DB_PASSWORD": unquote(parts.password) if parts.password else "",
        "OUTREACH_DB_NAME": dbname,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    if "sslmode" in query:
        env["OUTREACH_DB_SSLMODE"] = query["sslmode"][0]
    return env


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logger.info("dbt manifest prepared at %s", prepare_manifest())
