"""`outreach simulate`: N simulated days of the real pipeline against a sandbox, then the evaluate JSON.

Everything runs on a stack of its own, so a simulation never touches the checkout's data: a fresh database on the
server (`DATABASE_URL`'s, else the embedded one), a private state folder (PII keys, license files), a sandbox on a
free port in this process with its clock starting `--days` days ago and only delivering when asked, and our API
(`outreach serve`, one worker) on a free port receiving the sandbox's webhooks.

Each day materializes the Dagster daily pipeline job in process (an ephemeral instance), and each Monday the weekly
retrain job: the simulation exercises the very asset graph production runs - dbt marts, Great Expectations gates,
the scoring asset and the promotion-gate asset check - rather than a second wiring of the same steps
(`outreach.simulation.loop` documents the day). The simulation also seeds its own broad campaign
(`outreach/simulation/campaign.yaml`, daily cap = `--daily-cap`, default scale / 25) beside the repository's
campaigns, so first contacts spread over the whole population and the simulated weeks.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click

CAMPAIGN_FILE = Path(__file__).resolve().parents[1] / "simulation" / "campaign.yaml"
CONTACTS_SPREAD_DAYS = 25
"""Default daily cap of the simulation campaign: the population reached in about this many days."""
SANDBOX_RATE_LIMIT = 10_000.0
SLOWEST_STEPS = 4
"""Steps reported per run (stderr): where a simulated day's time goes."""


@contextmanager
def _fresh_database(server_url: str, keep: bool) -> Iterator[str]:
    """A new migrated database `outreach_sim_<hex>` on the server; dropped afterwards unless `keep`."""
    import psycopg

    from outreach.storage.embedded import ensure_database
    from outreach.storage.migrate import upgrade

    name = f"outreach_sim_{uuid.uuid4().hex[:8]}"
    ensure_database(server_url, name)
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        if not keep:
            with psycopg.connect(server_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
                conn.execute(f'drop database if exists "{name}" with (force)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DagsterPipeline:
    """The simulation's `Pipeline`: the Dagster jobs materialized in process on one ephemeral instance.

    A day materializes the part of the daily pipeline the loop runs through - everything upstream of the outreach
    batches and of the registration check: ingest, discovery, enrichment, resolution, the dbt models under the
    demand mart, scoring and the batches. The analytics marts built from our own tables (campaign performance,
    funnels) feed no decision of the loop and are left out: on the 2-core machine they took half of a day's time.
    """

    def __init__(self) -> None:
        from dagster import AssetSelection, DagsterInstance

        from orchestration.assets.outreach import outreach_batches
        from orchestration.assets.prospects import prospect_registrations
        from orchestration.definitions import defs

        self._instance = DagsterInstance.ephemeral()
        loop = AssetSelection.assets(outreach_batches, prospect_registrations).upstream()
        self._loop_assets = list(loop.resolve(defs.resolve_asset_graph()))

    def _execute(self, job_name: str, partition_key: str, asset_selection: list | None = None) -> bool:
        from orchestration.definitions import defs

        result = defs.resolve_job_def(job_name).execute_in_process(
            partition_key=partition_key, instance=self._instance, raise_on_error=False, asset_selection=asset_selection,
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
        if not result.success:
            failed = [event.step_key for event in result.all_events if event.is_step_failure]
            click.echo(f"  {job_name} {partition_key} failed at {', '.join(failed) or '?'}", err=True)
        steps = sorted(((event.step_success_data.duration_ms / 1000, event.step_key) for event in result.all_events
                        if event.is_step_success), reverse=True)[:SLOWEST_STEPS]
        click.echo(f"  {job_name} {partition_key} slowest steps: "
                   + ", ".join(f"{key} {seconds:.0f} s" for seconds, key in steps), err=True)
        return result.success

    def run_day(self, day: date) -> bool:
        from orchestration.jobs import DAILY_PIPELINE

        return self._execute(DAILY_PIPELINE, day.isoformat(), self._loop_assets)

    def retrain_week(self, week_start: date) -> bool:
        from orchestration.jobs import WEEKLY_RETRAIN

        return self._execute(WEEKLY_RETRAIN, week_start.isoformat())


def _seed_simulation_campaign(database_url: str, daily_cap: int) -> None:
    from outreach.campaigns.models import load_campaign_file
    from outreach.campaigns.seed import seed_campaigns
    from outreach.storage.database import connect

    campaign = load_campaign_file(CAMPAIGN_FILE).model_copy(update={"daily_cap": daily_cap})
    with connect(database_url) as conn:
        seed_campaigns(conn, [campaign])


def _echo_day(r) -> None:
    """One progress line per simulated day (stderr)."""
    retrained = f", retrained week {r.retrained_week}" if r.retrained_week else ""
    click.echo(f"  {r.day} pipeline {'ok' if r.pipeline_ok else 'FAILED'}{retrained}: {r.contacted} contacted, "
               f"{r.converted} converted, events {r.events_handled}, production {r.production_version or 'heuristic'} "
               f"({r.wall_seconds} s)", err=True)


def run_simulation(server_url: str, days: int, scale: int, seed: int, daily_cap: int | None,
                   keep_database: bool) -> dict:
    """The whole simulation (module docstring); returns the evaluate JSON of its last day."""
    from integrations.sandbox.config import SandboxConfig
    from integrations.sandbox.server import start_in_thread
    from outreach.local_stack import start_api, stop_api
    from outreach.scoring.evaluation import evaluate_production
    from outreach.settings import DOMAINS, Settings, environment_overrides
    from outreach.simulation.loop import EventExchange, simulate
    from outreach.simulation.sandbox_control import SandboxControl
    from outreach.storage.database import connect

    first_day = datetime.now(UTC).date() - timedelta(days=days + 1)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="outreach-sim-") as state, \
            _fresh_database(server_url, keep_database) as url:
        state_dir = Path(state)
        api_port = _free_port()
        config = SandboxConfig(
            scale=scale, seed=seed, clock_start=datetime.combine(first_day, datetime.min.time(), UTC),
            auto_deliver=False, registry_dir=state_dir / "registries", crawl_delay_seconds=0,
            webhook_url=f"http://127.0.0.1:{api_port}", rate_limit_per_second=SANDBOX_RATE_LIMIT,
            messaging_rate_limit_per_minute=int(SANDBOX_RATE_LIMIT * 60),
        )
        with start_in_thread(config) as sandbox:
            env = {
                "DATABASE_URL": url, "OUTREACH_STATE_DIR": str(state_dir), "OUTREACH_API_WORKERS": "1",
                "OUTREACH_LOG_LEVEL": os.environ.get("OUTREACH_LOG_LEVEL", "WARNING"),
                "OUTREACH_LICENSE_REGISTRY_DIR": str(config.registry_dir), "OUTREACH_DIRECTORY_MAX_RPS": "1000",
                "OUTREACH_DIRECTORY_URL": f"{sandbox.url}/directory/",
                "INSTABIDS_EVENT_BUS_URL": f"{sandbox.url}/event-bus/events",
                **{f"INSTABIDS_{domain.upper()}_URL": sandbox.url for domain in DOMAINS},
            }
            with environment_overrides(env), SandboxControl(sandbox.url) as control:
                settings = Settings()
                start_api(settings, api_port)
                try:
                    _seed_simulation_campaign(url, daily_cap or max(1, scale // CONTACTS_SPREAD_DAYS))
                    click.echo(f"simulating {days} days from {first_day} at scale {scale:,} (database {url})",
                               err=True)
                    reports = simulate(first_day, days, DagsterPipeline(), control,
                                       EventExchange(settings, control, url), url, on_day=_echo_day)
                    with connect(url) as conn:  # as of the sandbox's end: later contacts are still censored
                        result = evaluate_production(conn, sandbox.sandbox.clock.now(), control.propensities)
                finally:
                    stop_api(settings)
    last = reports[-1]
    result["simulation"] = {
        "days": days, "scale": scale, "seed": seed, "first_day": first_day.isoformat(),
        "failed_runs": sum(not r.pipeline_ok for r in reports) + sum(r.retrain_ok is False for r in reports),
        "retrained_weeks": [r.retrained_week.isoformat() for r in reports if r.retrained_week],
        "contacted": last.contacted, "converted": last.converted,
        "wall_seconds": round(time.monotonic() - started, 1),
    }
    return result


@click.command()
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 365), help="simulated days")
@click.option("--scale", default=5000, show_default=True, type=click.IntRange(10), help="sandbox businesses")
@click.option("--seed", default=42, show_default=True)
@click.option("--daily-cap", default=None, type=click.IntRange(1), help="simulation campaign cap [scale / 25]")
@click.option("--keep-database", is_flag=True, help="keep the simulation's database (its URL is printed)")
def simulate(days: int, scale: int, seed: int, daily_cap: int | None, keep_database: bool) -> None:
    """Run N simulated days of the pipeline against a sandbox, retraining weekly; print the evaluate JSON."""
    from outreach.settings import Settings
    from outreach.storage.database import database_url
    from outreach.storage.embedded import EmbeddedPostgresError

    try:
        server_url = database_url(Settings(), start=True)
    except EmbeddedPostgresError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    with redirect_stdout(sys.stderr):  # dbt's and Dagster's output: stdout carries the JSON line only
        result = run_simulation(server_url, days, scale, seed, daily_cap, keep_database)
    click.echo(json.dumps(result, sort_keys=True))
