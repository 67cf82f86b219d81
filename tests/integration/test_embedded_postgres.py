"""The embedded server: started on demand, reused while it runs, stopped and restarted with its data."""

import os
import subprocess
import sys

import psycopg
import pytest

from outreach.storage.embedded import EmbeddedPostgres, find_bin_dir

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(find_bin_dir() is None, reason="needs PostgreSQL server binaries"),
]


@pytest.fixture
def server(tmp_path):
    embedded = EmbeddedPostgres(tmp_path / "state")
    yield embedded
    embedded.destroy()


def test_start_creates_the_app_database_on_loopback(server) -> None:
    info = server.start()
    assert info.url.startswith("postgresql://postgres@127.0.0.1:")
    with psycopg.connect(info.url) as conn:
        assert conn.execute("select current_database()").fetchone() == ("outreach",)
        assert conn.execute("show listen_addresses").fetchone()[0] == "127.0.0.1"


def test_a_second_start_reuses_the_running_server(server) -> None:
    assert server.start() == server.start()


def test_data_survives_a_stop_and_start(server) -> None:
    info = server.start()
    with psycopg.connect(info.url) as conn:
        conn.execute("create table kept (v int)")
        conn.execute("insert into kept values (7)")
    assert server.stop() is True
    assert server.is_running() is False
    assert server.stop() is False
    info = server.start()
    with psycopg.connect(info.url) as conn:
        assert conn.execute("select v from kept").fetchone() == (7,)


def test_cli_db_url_prints_the_url_last_and_stop_stops_it(tmp_path) -> None:
    env = {"OUTREACH_STATE_DIR": str(tmp_path / "cli-state"), "PATH": os.environ["PATH"]}
    run = [sys.executable, "-m", "outreach.cli", "db"]
    try:
        out = subprocess.run([*run, "url"], env=env, capture_output=True, text=True, check=True).stdout
        url = out.strip().splitlines()[-1]
        assert url.startswith("postgresql://")
        with psycopg.connect(url) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        stopped = subprocess.run([*run, "stop"], env=env, capture_output=True, text=True, check=True).stdout
        assert "stopped" in stopped
    finally:
        EmbeddedPostgres(tmp_path / "cli-state").destroy()


def test_cli_uses_database_url_when_set(database_url, tmp_path) -> None:
    env = {"OUTREACH_STATE_DIR": str(tmp_path), "DATABASE_URL": database_url, "PATH": os.environ["PATH"]}
    out = subprocess.run(
        [sys.executable, "-m", "outreach.cli", "db", "url"], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == database_url
    assert not (tmp_path / "postgres.json").exists()
