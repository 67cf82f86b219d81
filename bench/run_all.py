"""`make bench`: run every benchmark script, each in its own process, and write BENCHMARKS.md.

Each script prints one JSON line with its figures; this collects them with the command that produced them.
`BENCH_FULL=1` adds the 1M-record runs (tens of minutes on 2 cores).
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
]
FULL = [
    ["bench/bench_enrichment.py", "--n", "1000000"],
    ["bench/bench_resolution.py", "--n", "1000000", "--no-baseline"],
]


def run(arguments: list[str]) -> dict:
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, *arguments], cwd=ROOT, capture_output=True, text=True, check=False)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if completed.returncode == 0 and lines else {
        "error": (completed.stderr.strip().splitlines() or ["no output"])[-1][:300]
    }
    return {"command": " ".join(arguments), "wall_seconds": round(time.perf_counter() - started, 1), **result}


def main() -> None:
    scripts = QUICK + (FULL if os.environ.get("BENCH_FULL") == "1" else [])
    results = []
    for arguments in scripts:
        if not (ROOT / arguments[0]).exists():
            continue
        print(f"running {' '.join(arguments)} ...", flush=True)
        results.append(run(arguments))
        print(json.dumps(results[-1]), flush=True)
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()} (`make bench`; `BENCH_FULL=1 make bench` adds the 1M runs).",
        "",
        "| command | wall s | figures |",
        "|---|---|---|",
    ]
    for result in results:
        figures = {k: v for k, v in result.items() if k not in ("command", "wall_seconds")}
        lines.append(f"| `{result['command']}` | {result['wall_seconds']} | `{json.dumps(figures)}` |")
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines) + "\n")
    print("wrote BENCHMARKS.md")


if __name__ == "__main__":
    main()
