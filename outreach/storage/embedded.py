"""An embedded PostgreSQL server of the project's own, for machines where DATABASE_URL is unset.

It runs the PostgreSQL binaries the machine has (Debian's `/usr/lib/postgresql/<v>/bin`, or `initdb` on PATH,
or the folder in `OUTREACH_PG_BIN`), listens on 127.0.0.1 on a free port, and survives between commands until
`outreach db stop`. PostgreSQL refuses to run as root, so as root it runs as the `postgres` OS user; that user
must be able to reach the data folder, which a checkout under a mode-700 home is not. The cluster therefore lives
under the system temp folder, named after the state folder, and only a pointer (`postgres.json`) is kept in the
state folder (`.outreach/`).
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

APP_DATABASE = "outreach"
SUPERUSER = "postgres"

NO_BINARIES_HELP = (
    "No PostgreSQL server binaries were found (looked for initdb in $OUTREACH_PG_BIN, "
    "/usr/lib/postgresql/*/bin and PATH). Either install them (Debian/Ubuntu: `apt-get install postgresql`; "
    "macOS: `brew install postgresql@16`) or point DATABASE_URL at a PostgreSQL server you already have."
)


class EmbeddedPostgresError(RuntimeError):
    """The embedded server cannot be found, started or reached; the message says what to do."""


@dataclass(frozen=True)
class ServerInfo:
    data_dir: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{APP_DATABASE}"

    @property
    def admin_url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"


def find_bin_dir() -> Path | None:
    """The folder holding initdb/pg_ctl, newest major version first."""
    if override := os.environ.get("OUTREACH_PG_BIN"):
        return Path(override)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for bin_dir in candidates:
        if (bin_dir / "initdb").exists():
            return bin_dir
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class EmbeddedPostgres:
    """Start, stop and locate the project's own PostgreSQL server for one state folder."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir.resolve()
        self.pointer = self.state_dir / "postgres.json"
        digest = hashlib.sha1(str(self.state_dir).encode()).hexdigest()[:12]
        self.data_dir = Path(tempfile.gettempdir()) / f"outreach-pg-{digest}" / "data"

    # --- running commands as a user PostgreSQL accepts -------------------------------------------------
    @staticmethod
    def _as_root() -> bool:
        return os.geteuid() == 0

    def _run(self, bin_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(bin_dir / args[0]), *args[1:]]
        if self._as_root():
            runuser = shutil.which("runuser", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin") or "runuser"
            command = [runuser, "-u", SUPERUSER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    def _prepare_data_dir(self) -> None:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if self._as_root():
            user = pwd.getpwnam(SUPERUSER)
            os.chown(self.data_dir.parent, user.pw_uid, user.pw_gid)

    # --- state ---------------------------------------------------------------------------------------
    def info(self) -> ServerInfo | None:
        try:
            raw = json.loads(self.pointer.read_text())
            return ServerInfo(Path(raw["data_dir"]), int(raw["port"]))
        except (OSError, ValueError, KeyError):
            return None

    def is_running(self) -> bool:
        info = self.info()
        if info is None:
            return False
        try:
            with psycopg.connect(info.admin_url, connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    # --- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> ServerInfo:
        """Start the server (initializing it the first time) and create the app database."""
        if self.is_running():
            info = self.info()
            assert info is not None
            return info
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise EmbeddedPostgresError(NO_BINARIES_HELP)
        self._prepare_data_dir()
        if not (self.data_dir / "PG_VERSION").exists():
            result = self._run(
                bin_dir, "initdb", "-D", str(self.data_dir), "-U", SUPERUSER,
                "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
            )
            if result.returncode != 0:
                raise EmbeddedPostgresError(f"initdb failed:\n{result.stderr.strip()}")
        previous = self.info()
        port = previous.port if previous and _port_is_free(previous.port) else _free_port()
        log_file = self.data_dir.parent / "server.log"
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {self.data_dir}"
        result = self._run(
            bin_dir, "pg_ctl", "-D", str(self.data_dir), "-l", str(log_file), "-w", "-o", options, "start"
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(
                f"pg_ctl start failed ({result.stderr.strip() or result.stdout.strip()}); see {log_file}"
            )
        info = ServerInfo(self.data_dir, port)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.pointer.write_text(json.dumps({"data_dir": str(self.data_dir), "port": port, "url": info.url}))
        ensure_database(info.url, APP_DATABASE)
        return info

    def stop(self) -> bool:
        """Stop the server if it runs; True when one was stopped."""
        if not self.is_running():
            return False
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise EmbeddedPostgresError(NO_BINARIES_HELP)
        result = self._run(bin_dir, "pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"pg_ctl stop failed: {result.stderr.strip()}")
        return True

    def destroy(self) -> None:
        """Stop and delete the cluster (used by throwaway test servers)."""
        self.stop()
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)
        self.pointer.unlink(missing_ok=True)


def ensure_database(server_url: str, database: str) -> None:
    """Create `database` on the server of `server_url` if it does not exist."""
    admin_url = server_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'create database "{database}"')
