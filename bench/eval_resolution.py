"""Entity resolution quality against the sandbox's labelled duplicates, at a chosen scale.

    .venv/bin/python bench/eval_resolution.py --scale 5000

Starts a sandbox in-process, collects every discovery record as the pipeline does (social feed, license
registry files, directory crawl), enriches and resolves them, and prints one JSON line: pairwise precision,
recall and F1 of splink and of the exact phone-or-email baseline, and the records/s of resolution.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fixtures.sandbox_records import collect_records, truth

from integrations.sandbox import SandboxConfig, start_in_thread
from outreach.prospects.golden import resolution_input
from outreach.resolution.clusters import resolve
from outreach.resolution.evaluate import evaluate


def exact_contact_baseline(frame: pd.DataFrame) -> pd.DataFrame:
    """Union-find over records sharing a phone or an email: the obvious rule splink must beat."""
    parent = list(range(len(frame)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for column in ("phone", "email"):
        values = frame[column].str.lower() if column == "email" else frame[column]
        for _, rows in frame.groupby(values, dropna=True).groups.items():
            first, *rest = list(rows)
            for other in rest:
                parent[find(other)] = find(first)
    return pd.DataFrame({"record_id": frame["record_id"], "cluster_id": [find(i) for i in range(len(frame))]})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = SandboxConfig(scale=args.scale, seed=args.seed, registry_dir=Path(folder), crawl_delay_seconds=0)
        with start_in_thread(config) as sandbox:
            records = collect_records(sandbox.url, Path(folder), datetime.now(UTC).date())
            labels = truth(sandbox.url)
    frame = resolution_input(records).reset_index(drop=True)
    labels = labels[labels["record_id"].isin(frame["record_id"])]
    started = time.perf_counter()
    clusters = resolve(frame)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "scale": args.scale,
        "records": len(frame),
        "entities": int(labels["entity_id"].nunique()),
        "splink": evaluate(clusters, labels).as_dict(),
        "baseline_exact_phone_or_email": evaluate(exact_contact_baseline(frame), labels).as_dict(),
        "resolve_seconds": round(seconds, 2),
        "records_per_second": round(len(frame) / seconds),
    }))


if __name__ == "__main__":
    main()
