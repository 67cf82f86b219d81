"""Enrichment throughput: N synthetic candidate records through `enrich`, one core.

    .venv/bin/python bench/bench_enrichment.py --n 100000

Uses the labelled generator of `bench_resolution.py` (the same dirty variations the sandbox produces) and prints
one JSON line: records/s and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_resolution import generate

from outreach.discovery.records import CandidateRecord
from outreach.enrichment import enrich

FIELDS = ("business_name", "contact_name", "street", "city", "state", "postal_code", "phone", "email")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    frame = generate(args.n)
    fetched_at = datetime.now(UTC)
    records = [
        CandidateRecord(source="directory", source_record_id=str(row["record_id"]), fetched_at=fetched_at,
                        **{f: (row[f] if isinstance(row[f], str) and row[f] else None) for f in FIELDS})
        for row in frame.to_dict("records")
    ]
    as_of = date.today()
    started = time.perf_counter()
    for record in records:
        enrich(record, as_of)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"benchmark": "enrichment", "records": args.n, "seconds": round(seconds, 2),
                      "records_per_second": round(args.n / seconds), "peak_rss_mib": round(peak_mib)}))


if __name__ == "__main__":
    main()
