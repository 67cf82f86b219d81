"""`make bench`: run every benchmark script, each in its own process, and write BENCHMARKS.md.

Each script prints one JSON line with its figures; this collects them with the command that produced them, renders
the daily pipeline's stages as tables, and checks the measured ratios against their goals (pass/fail), including
delivery against the sandbox's allowed rate and event intake from their own benchmarks.
`BENCH_FULL=1` adds the 1M-record runs (tens of minutes on 2 cores). The machine may be shared: every pipeline run
records the load average, and the figures are only as steady as the machine was.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUICK = [
    ["bench/bench_enrichment.py", "--n", "100000"],
    ["bench/bench_resolution.py", "--n", "100000"],
    ["bench/eval_resolution.py", "--scale", "5000"],
    ["bench/bench_scoring.py"],
    ["bench/bench_delivery.py"],
    ["bench/bench_event_intake.py"],
    ["bench/bench_pipeline.py", "--scale", "10000"],
    ["bench/bench_pipeline.py", "--scale", "100000"],
]
FULL = [
    ["bench/bench_enrichment.py", "--n", "1000000"],
    ["bench/bench_resolution.py", "--n", "1000000", "--no-baseline"],
    ["bench/bench_pipeline.py", "--scale", "1000000"],
]
END_TO_END_GOAL_SECONDS = 600  # 1M candidates, 2 cores
DELIVERY_GOAL = 0.95  # share of Messaging's allowed rate actually used (1.0 = every window filled)
INTAKE_GOALS = {"events_per_second": 1000, "p99_ms": 50}


def run(arguments: list[str]) -> dict:
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, *arguments], cwd=ROOT, capture_output=True, text=True, check=False)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if completed.returncode == 0 and lines else {
        "error": (completed.stderr.strip().splitlines() or ["no output"])[-1][:300]
    }
    return {"command": " ".join(arguments), "wall_seconds": round(time.perf_counter() - started, 1), **result}


def _verdict(value: float | None, goal: float, at_most: bool) -> str:
    if value is None:
        return "n/a"
    return "pass" if (value <= goal if at_most else value >= goal) else "**fail**"


def _goal_row(name: str, value: float | None, goal: float, at_most: bool, unit: str = "") -> str:
    sign = "<=" if at_most else ">="
    return f"| {name} | {value if value is not None else 'n/a'}{unit} | {sign} {goal}{unit} | " \
           f"{_verdict(value, goal, at_most)} |"


def _pipeline_section(result: dict) -> list[str]:
    full, incremental = result["full"], result["incremental"]
    lines = [
        f"### {result['scale']:,} candidates",
        "",
        f"Full day {full['day']}: **{full['seconds']} s** (load average {full['load_before']} -> "
        f"{full['load_after']}); incremental day {incremental['day']} with {result['churn']:.0%} of the source "
        f"records new or changed: **{incremental['seconds']} s** (load {incremental['load_before']} -> "
        f"{incremental['load_after']}). Peak RSS MiB: "
        f"{', '.join(f'{k} {v}' for k, v in result['peak_rss_mib'].items())}. Sandbox allowed rate "
        f"{result['domain_rate_limit_per_second']} requests/s per domain; directory crawled at "
        f"{result['directory_rps']} pages/s.",
    ]
    failed = full["failed_steps"] + incremental["failed_steps"]
    if failed:
        lines += ["", f"Failed steps (their figures are missing or partial): {', '.join(failed)}."]
    lines += ["", "| stage | full s | rows | rows/s | incremental s | rows |", "|---|---|---|---|---|---|"]
    for step, figures in full["stages"].items():
        again = incremental["stages"].get(step, {})
        lines.append(f"| {step} | {figures['seconds']} | {figures['rows'] if figures['rows'] is not None else ''} | "
                     f"{figures['rows_per_second'] or ''} | {again.get('seconds', '')} | "
                     f"{again.get('rows') if again.get('rows') is not None else ''} |")
    lines += ["", "| ratio | measured | goal | result |", "|---|---|---|---|"]
    lines.append(_goal_row("incremental day / full day", result["incremental_fraction"], result["incremental_goal"],
                           at_most=True))
    if ingest := result.get("ingest_vs_copy"):
        lines.append(_goal_row("ingest speed / plain COPY speed (end to end)", ingest["ratio"], ingest["goal"],
                               at_most=False))
        lines.append(_goal_row("landing speed / plain COPY speed (fetched pages)", ingest["land_ratio"],
                               ingest["goal"], at_most=False))
    if scoring := result.get("scoring_vs_predict_proba"):
        lines.append(_goal_row("score() / bare predict_proba", scoring["ratio"], scoring["goal"], at_most=True))
    if result["scale"] >= 1_000_000:
        lines.append(_goal_row("full day end to end", full["seconds"], END_TO_END_GOAL_SECONDS, at_most=True,
                               unit=" s"))
    return [*lines, ""]


def _service_rows(results: list[dict]) -> list[str]:
    rows = []
    for result in results:
        if "throughput_ratio" in result:
            rows.append(_goal_row("delivery / Messaging's allowed rate", result["throughput_ratio"], DELIVERY_GOAL,
                                  at_most=False))
            rows.append(_goal_row("delivery duplicates", result.get("duplicates"), 0, at_most=True))
        if result.get("benchmark") == "event_intake":
            rows.append(_goal_row("event intake events/s", result["events_per_second"],
                                  INTAKE_GOALS["events_per_second"], at_most=False))
            rows.append(_goal_row("event intake p99", result["latency_ms"]["p99"], INTAKE_GOALS["p99_ms"],
                                  at_most=True, unit=" ms"))
    return ["| ratio | measured | goal | result |", "|---|---|---|---|", *rows, ""] if rows else []


def render(results: list[dict]) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()} (`make bench`; `BENCH_FULL=1 make bench` adds the 1M runs). The "
        "machine is shared: the load average recorded with each pipeline run says how busy it was.",
        "",
    ]
    pipelines = [r for r in results if r.get("benchmark") == "pipeline"]
    if pipelines:
        lines += ["## Daily pipeline (`bench/bench_pipeline.py`)", ""]
        for result in pipelines:
            lines += _pipeline_section(result)
    if service := _service_rows(results):
        lines += ["## Delivery and event intake", "", *service]
    lines += ["## Every run", "", "| command | wall s | figures |", "|---|---|---|"]
    for result in results:
        figures = {k: v for k, v in result.items() if k not in ("command", "wall_seconds", "full", "incremental")}
        lines.append(f"| `{result['command']}` | {result['wall_seconds']} | `{json.dumps(figures)}` |")
    return "\n".join(lines) + "\n"


def main() -> None:
    scripts = QUICK + (FULL if os.environ.get("BENCH_FULL") == "1" else [])
    results = []
    for arguments in scripts:
        if not (ROOT / arguments[0]).exists():
            continue
        print(f"running {' '.join(arguments)} ...", flush=True)
        results.append(run(arguments))
        print(json.dumps(results[-1]), flush=True)
    (ROOT / "BENCHMARKS.md").write_text(render(results))
    print("wrote BENCHMARKS.md")


if __name__ == "__main__":
    main()
