"""The daily pipeline end to end at a given scale: a full day, then an incremental day with ~1 % churn.

    .venv/bin/python bench/bench_pipeline.py --scale 10000
    .venv/bin/python bench/bench_pipeline.py --scale 1000000 --no-ratios

Runs the real daily job (`daily_pipeline`, Dagster in-process, as `outreach materialize` does) for one partition on
a fresh migrated database (DATABASE_URL's server, else a throwaway embedded one), against a sandbox of `--scale`
candidate businesses served by a child process on a free port, with a private state folder and keys — never the
demo's ports or `.outreach`. Then a second sandbox serves the same world one day later with `--churn` of its
source records new or changed (`SandboxConfig.daily_churn`), and the next partition runs on the same database:
the incremental day, whose time is reported as a fraction of the full day (goal <= 5 %).

Per stage (Dagster step, from the run's step statistics): wall seconds, rows (`dagster/row_count` of its
materializations) and rows/s. Peak memory: the RSS high-water mark of this process (the pipeline), of its
finished children (dbt) and of the sandbox process. Ratios measured in the same run:

- ingest vs COPY: the ingest steps' rows/s against a plain binary `COPY` of the same rows into an identical
  scratch table (`like raw.<t> including all`); the landing alone (validate + encrypt + COPY via `replace_partition`
  on pages fetched beforehand) is reported beside it, which shows what the HTTP fetch costs (goal >= 0.5);
- scoring vs `predict_proba`: the production model's `ml.scoring.score` against its bare `predict_proba` on the
  features of the day's prospects (the approach of `bench_scoring.py`, best of 3), with a model trained as that
  bench does and promoted before the run so the pipeline scores with it (goal <= 1.5).

Prints one JSON line. The machine may be shared: the 1-minute load average is recorded before and after each day.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import dataclasses
import json
import multiprocessing
import os
import resource
import secrets
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_delivery import _database  # noqa: E402

from integrations.sandbox.config import SandboxConfig  # noqa: E402
from outreach.privacy.crypto import new_key_spec  # noqa: E402
from outreach.settings import DOMAINS  # noqa: E402

GOALS = {"incremental_fraction": 0.05, "ingest_vs_copy": 0.5, "scoring_vs_predict_proba": 1.5,
         "end_to_end_seconds_at_1m": 600}


def _load() -> float:
    return round(os.getloadavg()[0], 2)


# --- the sandbox, in a process of its own (its world is not the pipeline's memory) -------------------------
def _serve(config: SandboxConfig, ready_file: Path) -> None:
    from integrations.sandbox.server import serve

    serve(config, ready_file=ready_file)


class SandboxProcess:
    def __init__(self, config: SandboxConfig, folder: Path) -> None:
        self.ready_file = folder / f"sandbox-{config.churn_days}.json"
        started = time.perf_counter()
        self.process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(config, self.ready_file), daemon=True
        )
        self.process.start()
        while not self.ready_file.exists():
            if not self.process.is_alive():
                raise RuntimeError(f"the sandbox exited with {self.process.exitcode}")
            time.sleep(0.2)
        self.url = json.loads(self.ready_file.read_text())["url"]
        self.start_seconds = round(time.perf_counter() - started, 1)

    def peak_rss_mib(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return round(int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024)

    def stop(self) -> int:
        """Stop it; its peak RSS in MiB (0 when it already ended)."""
        if not self.process.is_alive():
            return 0
        peak = self.peak_rss_mib()
        self.process.terminate()
        self.process.join(30)
        return peak


def _point_at(sandbox: SandboxProcess, registry_dir: Path) -> None:
    os.environ.update({f"INSTABIDS_{domain.upper()}_URL": sandbox.url for domain in DOMAINS})
    os.environ["INSTABIDS_EVENT_BUS_URL"] = f"{sandbox.url}/event-bus/events"
    os.environ["OUTREACH_DIRECTORY_URL"] = f"{sandbox.url}/directory/"
    os.environ["OUTREACH_LICENSE_REGISTRY_DIR"] = str(registry_dir)


# --- one day of the pipeline ---------------------------------------------------------------------------------
def _run_day(instance, day: date) -> dict:
    from orchestration.definitions import defs
    from orchestration.jobs import DAILY_PIPELINE

    load_before = _load()
    started = time.perf_counter()
    result = defs.resolve_job_def(DAILY_PIPELINE).execute_in_process(
        partition_key=day.isoformat(), instance=instance, raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    seconds = time.perf_counter() - started
    # A failed step is reported, not raised: the other stages' figures still stand (and the run shows which).
    failed = sorted({e.step_key for e in result.all_events if e.is_step_failure})
    rows: dict[str, int] = {}
    for event in result.get_asset_materialization_events():
        value = event.materialization.metadata.get("dagster/row_count")
        if value is not None:
            rows[event.step_key] = rows.get(event.step_key, 0) + int(value.value)
    stages = {}
    for stats in instance.get_run_step_stats(result.run_id):
        wall = stats.end_time - stats.start_time
        count = rows.get(stats.step_key)
        stages[stats.step_key] = {"seconds": round(wall, 2), "rows": count,
                                  "rows_per_second": round(count / wall) if count and wall > 0 else None}
    return {"day": day.isoformat(), "seconds": round(seconds, 1), "load_before": load_before, "load_after": _load(),
            "failed_steps": failed, "stages": dict(sorted(stages.items(), key=lambda kv: -kv[1]["seconds"]))}


# --- ratios --------------------------------------------------------------------------------------------------
def _ingest_vs_copy(url: str, day: date, stages: dict) -> dict:
    """Plain binary COPY of the day's raw rows into an identical scratch table, against the ingest steps."""
    from outreach.domain_clients import build_clients
    from outreach.ingestion.endpoints import ENDPOINTS
    from outreach.ingestion.ingest import request_params
    from outreach.ingestion.raw_writer import replace_partition
    from outreach.privacy.crypto import load_cipher
    from outreach.settings import Settings

    settings = Settings()
    cipher = load_cipher(settings.state_dir)
    copy_seconds = land_seconds = fetch_seconds = ingest_seconds = 0.0
    rows = 0
    clients = build_clients(settings)
    try:
        with psycopg.connect(url) as conn:
            conn.execute("create schema if not exists bench_scratch")
            for spec in ENDPOINTS:
                step = stages.get(f"raw__{spec.name}")
                ingest_seconds += step["seconds"] if step else 0.0
                buffer = bytearray()
                with conn.cursor().copy(
                    f"copy (select * from {spec.table} where partition_date = %s) to stdout (format binary)", (day,)
                ) as out:
                    for chunk in out:
                        buffer += chunk
                scratch = f"bench_scratch.{spec.name}"
                conn.execute(f"drop table if exists {scratch}")
                conn.execute(f"create table {scratch} (like {spec.table} including all)")
                conn.commit()
                started = time.perf_counter()
                with conn.transaction(), conn.cursor().copy(f"copy {scratch} from stdin (format binary)") as copy:
                    copy.write(bytes(buffer))
                copy_seconds += time.perf_counter() - started
                rows += conn.execute(f"select count(*) from {scratch}").fetchone()[0]

                started = time.perf_counter()
                pages = list(clients.iter_pages(spec.domain, spec.path, request_params(spec, day)))
                fetch_seconds += time.perf_counter() - started
                started = time.perf_counter()
                replace_partition(conn, spec, day, pages, cipher, fetched_at=datetime.now(UTC))
                land_seconds += time.perf_counter() - started
            conn.execute("drop schema bench_scratch cascade")
            conn.commit()
    finally:
        clients.close()
    return {
        "rows": rows,
        "copy_seconds": round(copy_seconds, 3),
        "ingest_steps_seconds": round(ingest_seconds, 3),
        "fetch_seconds": round(fetch_seconds, 3),
        "land_seconds": round(land_seconds, 3),
        "ratio": round(copy_seconds / ingest_seconds, 3) if ingest_seconds else None,
        "land_ratio": round(copy_seconds / land_seconds, 3) if land_seconds else None,
        "goal": GOALS["ingest_vs_copy"],
    }


def _promote_model(url: str) -> str:
    """Train the scoring bench's candidate on its labelled synthetic world and make it the production model."""
    from datetime import timedelta as days

    from bench_scoring import HORIZON, make_world
    from threadpoolctl import threadpool_limits

    from ml.labels import build_label_windows
    from ml.training import build_training_frame, run_training
    from outreach.scoring.registry_store import promote, save_candidate

    world = make_world(20_000, seed=7)
    labels = build_label_windows(world.history, world.start, world.end, days(days=7), HORIZON,
                                 world.observed_until).merge(world.truth, on="prospect_id")
    labelled = build_training_frame(world.prospects, world.demand, world.history, labels)
    with threadpool_limits(1, user_api="openmp"):
        run = run_training(labelled, embargo=HORIZON)
    with psycopg.connect(url) as conn:
        version = save_candidate(conn, run.candidate)
        promote(conn, version, decision={"reason": "bench_pipeline"})
        conn.commit()
    return version


def _scoring_vs_predict_proba(url: str, day: date) -> dict:
    """`score` against bare `predict_proba` on the features the pipeline built for the day's prospects."""
    from bench_scoring import best_of

    from ml.features import build_features, feature_matrix
    from ml.scoring import score
    from outreach.scoring.daily import DEMAND_LOOKBACK_DAYS, load_history
    from outreach.scoring.registry_store import load_production
    from outreach.scoring.scores_store import demand_window, load_demand, load_prospects

    with psycopg.connect(url) as conn:
        prospects = load_prospects(conn)
        demand = load_demand(conn, *demand_window(day, DEMAND_LOOKBACK_DAYS))
        features = build_features(prospects, demand, load_history(conn), datetime.now(UTC))
        model = load_production(conn)
    X = feature_matrix(features)
    bare, _ = best_of(3, lambda: model.pipeline.predict_proba(X)[:, 1])
    ours, _ = best_of(3, lambda: score(model, features))
    return {"prospects": len(features), "model_version": model.version, "bare_predict_proba_seconds": round(bare, 3),
            "score_seconds": round(ours, 3), "ratio": round(ours / bare, 3), "goal": GOALS["scoring_vs_predict_proba"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=10_000, help="candidate businesses in the sandbox")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--churn", type=float, default=0.01, help="share of source records new or changed on day 2")
    parser.add_argument("--directory-rps", type=float, default=200.0,
                        help="crawl rate of the local directory (its robots.txt asks for no delay)")
    parser.add_argument("--rate-limit", type=float, default=1000.0,
                        help="the sandbox's allowed requests/s per client and domain (its own default: 200)")
    parser.add_argument("--no-ratios", action="store_true", help="skip the COPY and predict_proba comparisons")
    parser.add_argument("--no-model", action="store_true", help="score with the cold-start heuristic")
    parser.add_argument("--profile", type=Path, default=None,
                        help="write a cProfile of the full day here (.prof; the steps run in this process)")
    args = parser.parse_args()

    today = datetime.now(UTC).date()
    full_day, next_day = today - timedelta(days=2), today - timedelta(days=1)  # two complete UTC days
    figures: dict = {"benchmark": "pipeline", "scale": args.scale, "churn": args.churn, "cpus": os.cpu_count(),
                     "domain_rate_limit_per_second": args.rate_limit, "directory_rps": args.directory_rps}
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-pipeline-")))
        url = _database(stack)
        os.environ.update({
            "DATABASE_URL": url,
            "OUTREACH_STATE_DIR": str(folder / "state"),
            "OUTREACH_PII_KEYS": new_key_spec("bench"),
            "OUTREACH_BLIND_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "OUTREACH_DIRECTORY_MAX_RPS": str(args.directory_rps),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        })
        from dagster import DagsterInstance

        (folder / "dagster").mkdir()
        instance = stack.enter_context(DagsterInstance.local_temp(str(folder / "dagster")))
        if not args.no_model:
            figures["model_version"] = _promote_model(url)
        registry_dir = folder / "registries"

        sandbox_config = SandboxConfig(scale=args.scale, seed=args.seed, registry_dir=registry_dir,
                                       crawl_delay_seconds=0, rate_limit_per_second=args.rate_limit)
        sandbox = SandboxProcess(sandbox_config, folder)
        stack.callback(sandbox.stop)
        _point_at(sandbox, registry_dir)
        figures["sandbox_start_seconds"] = sandbox.start_seconds
        if args.profile:
            profiler = cProfile.Profile()
            figures["full"] = profiler.runcall(_run_day, instance, full_day)
            profiler.dump_stats(args.profile)
        else:
            figures["full"] = _run_day(instance, full_day)
        if not args.no_ratios:
            figures["ingest_vs_copy"] = _ingest_vs_copy(url, full_day, figures["full"]["stages"])
            if not args.no_model:
                figures["scoring_vs_predict_proba"] = _scoring_vs_predict_proba(url, full_day)
        pipeline_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        sandbox_peak = sandbox.stop()

        churned = dataclasses.replace(sandbox_config, daily_churn=args.churn, churn_days=1)
        sandbox = SandboxProcess(churned, folder)
        stack.callback(sandbox.stop)
        _point_at(sandbox, registry_dir)
        figures["incremental"] = _run_day(instance, next_day)
        figures["incremental_fraction"] = round(figures["incremental"]["seconds"] / figures["full"]["seconds"], 4)
        figures["incremental_goal"] = GOALS["incremental_fraction"]
        figures["peak_rss_mib"] = {
            "pipeline": max(pipeline_peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024),
            "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
            "sandbox": max(sandbox_peak, sandbox.stop()),
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
