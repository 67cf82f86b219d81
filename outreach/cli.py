"""The `outreach` command: the one face that may call every part (imported lazily, so `outreach db url` is fast).

Groups: `db` (embedded PostgreSQL and migrations), `sandbox` (the local stand-in of the other domains),
`up`/`down` (the local stack in the background), `materialize` (the daily pipeline for one day), `demo`, `ui`.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import click

from outreach.commands import model as model_commands
from outreach.commands import privacy as privacy_commands
from outreach.commands import simulate as simulate_commands

DEFAULT_SCALE = 2000
DEFAULT_SEED = 42


def _settings():
    from outreach.settings import Settings

    return Settings()


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group()
def main() -> None:
    """InstaBids Outreach: discover, enrich, score, contact and convert contractor prospects."""
    from outreach.observability import configure_observability

    configure_observability("outreach-cli", default_level="WARNING")  # the terminal stays for the commands' output


# --- db ---------------------------------------------------------------------------------------------
@main.group()
def db() -> None:
    """The PostgreSQL server: DATABASE_URL if set, else the project's embedded server."""


@db.command("start")
def db_start() -> None:
    """Start the embedded server (no-op with DATABASE_URL) and print its URL on the last line."""
    from outreach.storage.database import database_url
    from outreach.storage.embedded import EmbeddedPostgresError

    settings = _settings()
    try:
        url = database_url(settings, start=True)
    except EmbeddedPostgresError as exc:
        _fail(str(exc))
    click.echo("using DATABASE_URL" if settings.database_url else f"embedded PostgreSQL running ({settings.state_dir})")
    click.echo(url)


@db.command("stop")
def db_stop() -> None:
    """Stop the embedded server."""
    from outreach.storage.embedded import EmbeddedPostgres

    settings = _settings()
    if settings.database_url:
        click.echo("DATABASE_URL is set: nothing of ours to stop")
        return
    stopped = EmbeddedPostgres(settings.state_dir).stop()
    click.echo("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")


@db.command("url")
def db_url() -> None:
    """Print the database URL (last line of output), starting the embedded server if needed."""
    from outreach.storage.database import database_url
    from outreach.storage.embedded import EmbeddedPostgresError

    try:
        click.echo(database_url(_settings(), start=True))
    except EmbeddedPostgresError as exc:
        _fail(str(exc))


@db.command("migrate")
def db_migrate() -> None:
    """Apply the app schema (Alembic) to the database."""
    from outreach.storage.database import database_url
    from outreach.storage.migrate import current_revision, upgrade

    url = database_url(_settings(), start=True)
    upgrade(url)
    click.echo(f"schema at revision {current_revision(url)}")


# --- sandbox ----------------------------------------------------------------------------------------
@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=0, show_default=True, help="0 = a free port")
@click.option("--seed", default=DEFAULT_SEED, show_default=True)
@click.option("--scale", default=DEFAULT_SCALE, show_default=True, help="candidate contractor businesses")
@click.option("--failure-rate", default=0.0, show_default=True, help="share of requests answered 503")
@click.option("--latency-ms", default=0, show_default=True, help="delay added to every request")
@click.option("--rate-limit", default=None, type=float, help="requests per second per client and domain")
@click.option("--messaging-rate-limit", default=None, type=int, help="messages per minute per client")
@click.option("--webhook-url", default=None, help="base URL of our API, where consumed events are delivered")
@click.option("--registry-dir", default=None, type=click.Path(path_type=Path), help="where license files go")
@click.option("--crawl-delay", "crawl_delay_seconds", default=1, show_default=True, help="robots.txt Crawl-delay")
@click.option("--ready-file", default=None, type=click.Path(path_type=Path), help="JSON written once listening")
def sandbox(**options) -> None:
    """Serve the other InstaBids domains' APIs (the contract) with deterministic synthetic data."""
    from integrations.sandbox.config import SandboxConfig
    from integrations.sandbox.server import serve

    ready_file = options.pop("ready_file")
    overrides = {
        "rate_limit_per_second": options.pop("rate_limit"),
        "messaging_rate_limit_per_minute": options.pop("messaging_rate_limit"),
    }
    config = SandboxConfig(**options, **{k: v for k, v in overrides.items() if v is not None})
    serve(config, ready_file=ready_file)


# --- local stack ------------------------------------------------------------------------------------
def _bring_up(scale: int | None, seed: int) -> tuple[str, str]:
    """Start the database and the sandbox, migrate; returns (database URL, sandbox URL).

    `scale=None` keeps whatever sandbox already runs (starting one of the default scale if none does)."""
    from outreach.local_stack import point_sandbox_at, running_sandbox, start_api, start_sandbox
    from outreach.storage.dagster_instance import write_dagster_yaml
    from outreach.storage.database import dagster_database_url

    settings = _settings()
    url = _bring_up_database()
    home = write_dagster_yaml(settings.state_dir, dagster_database_url(url))
    sandbox_process = (scale is None and running_sandbox(settings)) or start_sandbox(
        settings, scale=scale or DEFAULT_SCALE, seed=seed
    )
    api_url = start_api(settings, int(os.environ.get("OUTREACH_API_PORT", "8600")))
    point_sandbox_at(sandbox_process.url, api_url)
    os.environ["DAGSTER_HOME"] = str(home)
    return url, sandbox_process.url


@main.command()
@click.option("--scale", default=DEFAULT_SCALE, show_default=True)
@click.option("--seed", default=DEFAULT_SEED, show_default=True)
def up(scale: int, seed: int) -> None:
    """Start the local stack in the background: database (migrated) and sandbox."""
    url, sandbox_url = _bring_up(scale, seed)
    click.echo(f"database: {url}\nsandbox:  {sandbox_url}")


@main.command()
def down() -> None:
    """Stop the background API, the sandbox and the embedded database."""
    from outreach.local_stack import stop_api, stop_sandbox
    from outreach.storage.embedded import EmbeddedPostgres

    settings = _settings()
    click.echo("API stopped" if stop_api(settings) else "API was not running")
    click.echo("sandbox stopped" if stop_sandbox(settings) else "sandbox was not running")
    if not settings.database_url:
        stopped = EmbeddedPostgres(settings.state_dir).stop()
        click.echo("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")


def _parse_day(value: str | None) -> date:
    return date.fromisoformat(value) if value else datetime.now(UTC).date()


def _materialize(partition_date: date) -> bool:
    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.jobs import DAILY_PIPELINE

    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def(DAILY_PIPELINE).execute_in_process(
            partition_key=partition_date.isoformat(),
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
    return result.success


@main.command()
@click.option("--date", "day", default=None, help="partition day YYYY-MM-DD (default: today, UTC)")
@click.option("--scale", default=DEFAULT_SCALE, show_default=True)
@click.option("--seed", default=DEFAULT_SEED, show_default=True)
def materialize(day: str | None, scale: int, seed: int) -> None:
    """Materialize the whole asset graph for one day (starting the local stack if needed)."""
    _bring_up(scale, seed)
    partition_date = _parse_day(day)
    if not _materialize(partition_date):
        _fail(f"the daily pipeline failed for {partition_date}; see `make ui` for the run")
    click.echo(f"materialized {partition_date}")


@main.command()
@click.option("--date", "day", default=None, help="partition day YYYY-MM-DD (default: today, UTC)")
@click.option("--scale", default=DEFAULT_SCALE, show_default=True)
@click.option("--seed", default=DEFAULT_SEED, show_default=True)
def demo(day: str | None, scale: int, seed: int) -> None:
    """Start everything, materialize today's partition of the whole graph and print what landed."""
    from outreach.storage.database import connect
    from outreach.summary import format_counts, partition_counts

    started = time.monotonic()
    url, sandbox_url = _bring_up(scale, seed)
    partition_date = _parse_day(day)
    click.echo(f"stack up in {time.monotonic() - started:.1f} s (sandbox {sandbox_url}, scale {scale:,})")
    ok = _materialize(partition_date)
    _exchange_events(sandbox_url)
    with connect(url) as conn:
        counts = partition_counts(conn, partition_date)
    click.echo(f"\n{format_counts(counts)}\n")
    click.echo(f"daily pipeline for {partition_date}: {'succeeded' if ok else 'FAILED'} "
               f"in {time.monotonic() - started:.1f} s")
    click.echo(
        "next: `make ui` (Dagster UI on http://127.0.0.1:3000), "
        f"`psql {url}` (schemas raw, app, staging), `make stop` when done"
    )
    if not ok:
        sys.exit(1)


def _exchange_events(sandbox_url: str) -> None:
    """Let the sandbox deliver what is due to our API, handle the inbox once and relay the outbox once."""
    import httpx

    from outreach.domain_clients import build_clients
    from outreach.events.handlers import handler_context, handlers
    from outreach.events.processing import process_pending
    from outreach.events.relay import relay_pending
    from outreach.storage.database import connect

    settings = _settings()
    flushed = httpx.post(f"{sandbox_url}/sandbox/events/flush", timeout=60).json()
    with connect(_bring_up_database()) as conn, build_clients(settings) as clients, httpx.Client(timeout=10) as http:
        handled = process_pending(conn, handlers(), handler_context(settings, datetime.now(UTC), clients))
        relayed = relay_pending(conn, http, settings.event_bus_url(), settings.event_bus_signing_secret(),
                                datetime.now(UTC))
    click.echo(f"events: sandbox delivered {flushed.get('delivered', 0)}, inbox handled {handled.processed}, "
               f"outbox relayed {relayed.delivered}")


@main.command()
@click.option("--port", default=3000, show_default=True)
def ui(port: int) -> None:
    """Open the Dagster UI on the same database (`dagster dev -w workspace.yaml`)."""
    _bring_up(None, DEFAULT_SEED)
    dagster = str(Path(sys.executable).with_name("dagster"))
    os.execv(dagster, [dagster, "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)])


@main.command()
@click.option("--campaign", "campaign_id", required=True, help="campaign id (see campaigns/*.yaml)")
@click.option("--date", "day", default=None, help="batch day YYYY-MM-DD (default: today, UTC)")
def send(campaign_id: str, day: str | None) -> None:
    """Run one outreach batch of a campaign, with the same code as the Dagster job."""
    from outreach.campaigns.daily import run_campaign
    from outreach.campaigns.seed import seed_campaigns
    from outreach.domain_clients import build_clients
    from outreach.privacy.crypto import load_blind_indexer, load_cipher
    from outreach.storage.database import connect

    settings = _settings()
    with connect(_bring_up_database()) as conn, build_clients(settings) as clients:
        seed_campaigns(conn)
        conn.commit()
        result = run_campaign(conn, clients, campaign_id, _parse_day(day), load_cipher(settings.state_dir),
                              load_blind_indexer(settings.state_dir))
    click.echo(result.summary())


# --- entity resolution ---------------------------------------------------------------------------------
@main.command()
@click.option("--input", "input_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "output_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
def resolve(input_path: Path, output_path: Path) -> None:
    """Cluster records of the same business: CSV `record_id,business_name,contact_name,street,city,state,
    postal_code,phone,email` in, `record_id,cluster_id` out (every record once)."""
    from outreach.resolution.csv_io import InputFormatError, resolve_csv

    try:
        count = resolve_csv(input_path, output_path)
    except InputFormatError as exc:
        _fail(str(exc))
    click.echo(f"{count} records clustered into {output_path}")


# --- inbound API and events -------------------------------------------------------------------------------
@main.command()
@click.option("--host", envvar="OUTREACH_API_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="OUTREACH_API_PORT", default=8600, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the AI Outreach API (the ai-outreach contract) on HOST:PORT."""
    from integrations.api.server import serve as serve_api

    _bring_up_database()
    serve_api(host, port)


def _bring_up_database() -> str:
    from outreach.storage.database import database_url
    from outreach.storage.migrate import upgrade

    url = database_url(_settings(), start=True)
    upgrade(url)
    os.environ["DATABASE_URL"] = url
    return url


@main.group()
def events() -> None:
    """The inbox of consumed events: process, dead letters, redrive, replay."""


@events.command("process")
def events_process() -> None:
    """Handle every pending inbox event once (the same code the sensors' runs use)."""
    from outreach.domain_clients import build_clients
    from outreach.events.handlers import handler_context, handlers
    from outreach.events.processing import process_pending
    from outreach.storage.database import connect

    url = _bring_up_database()
    settings = _settings()
    with connect(url) as conn, build_clients(settings) as clients:
        result = process_pending(conn, handlers(), handler_context(settings, datetime.now(UTC), clients))
    click.echo(f"processed {result.processed}, retrying {result.retrying}, dead-lettered {result.dead}")


@events.command("dead-letters")
def events_dead_letters() -> None:
    """List dead-lettered events (ids, type, attempts, last error; never their data)."""
    from outreach.events.processing import dead_letters
    from outreach.storage.database import connect

    with connect(_bring_up_database()) as conn:
        rows = dead_letters(conn)
    for row in rows:
        click.echo(f"{row['inbox_id']}\t{row['type']}\t{row['source']}\t{row['event_id']}\t"
                   f"attempts={row['attempts']}\t{row['last_error']}")
    click.echo(f"{len(rows)} dead letters")


@events.command("redrive")
@click.argument("inbox_id", required=False, type=int)
def events_redrive(inbox_id: int | None) -> None:
    """Queue a dead-lettered event again (all of them without an id)."""
    from outreach.events.processing import redrive
    from outreach.storage.database import connect

    with connect(_bring_up_database()) as conn:
        count = redrive(conn, inbox_id)
    click.echo(f"{count} events queued again")


@events.command("replay")
@click.option("--since", required=True, help="RFC 3339 time or YYYY-MM-DD")
def events_replay(since: str) -> None:
    """Re-handle every processed event received since SINCE; handlers are idempotent, so twice changes nothing."""
    from outreach.events.processing import replay
    from outreach.storage.database import connect

    moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    with connect(_bring_up_database()) as conn:
        count = replay(conn, moment)
    click.echo(f"{count} events queued for replay; run `outreach events process`")


@main.command()
def relay() -> None:
    """Deliver pending published events (the outbox) to the event bus once."""
    import httpx

    from outreach.events.relay import relay_pending
    from outreach.storage.database import connect

    settings = _settings()
    with connect(_bring_up_database()) as conn, httpx.Client(timeout=10) as client:
        result = relay_pending(conn, client, settings.event_bus_url(), settings.event_bus_signing_secret(),
                               datetime.now(UTC))
    click.echo(f"delivered {result.delivered}, retrying {result.retrying}, dead-lettered {result.dead}")


main.add_command(model_commands.model)
main.add_command(simulate_commands.simulate)
main.add_command(privacy_commands.privacy)


if __name__ == "__main__":
    main()
