"""Benchmark of outreach delivery against the sandbox's Messaging rate limit, with a duplicate check.

    .venv/bin/python bench/bench_delivery.py                          # 18,000 prospects at 6,000 messages/min
    .venv/bin/python bench/bench_delivery.py --windows 2 --failure-rate 0.3

Starts the sandbox in a thread with a known messaging limit (R messages per client per minute, fixed one-minute
windows) and a throwaway PostgreSQL (or uses DATABASE_URL), inserts `windows x R` eligible prospects, and runs one
`run_batch` of a campaign targeting them: select, eligibility, Thompson variants, compose, record pending, bulk
sends of 500, record results and events, exactly as production does, pacing itself on RateLimit-* headers.

Throughput is measured against what the limit allows. Messaging counts messages in fixed windows that start at the
first message after the previous window ended, so the run's budget is the time from the batch start to the start of
the last window, plus the share of that last window the run used: `T = (last_window_start - start) + 60 s x
used_in_last_window / R`. `throughput_ratio = delivered / (R / 60 x T)`: 1.0 means every window was filled and
nothing was lost at window boundaries or in the batch's own work (selection, composing, recording) — that work
counts against the ratio. Duplicates are counted on the sandbox side (messages per prospect) and must be 0.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import psycopg

from integrations.instabids import InstaBidsClients
from integrations.sandbox.config import SandboxConfig
from integrations.sandbox.server import start_in_thread
from outreach.campaigns import BasicComposer, Campaign, run_batch, seed_campaigns
from outreach.campaigns.models import load_campaigns
from outreach.privacy.crypto import BlindIndexer, PiiCipher, new_key_spec
from outreach.settings import DOMAINS
from outreach.storage.migrate import upgrade

DAY = date(2025, 7, 15)  # batch clock 16:00Z: 09:00-12:00 in the continental US
ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
CLIENT_ID = "ai-outreach"


def _database(stack: ExitStack) -> str:
    """A fresh database on DATABASE_URL's server, else on a throwaway embedded server."""
    if server_url := os.environ.get("DATABASE_URL"):
        base = server_url
    else:
        from outreach.storage.embedded import EmbeddedPostgres

        server = EmbeddedPostgres(Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-pg-"))))
        base = server.start().url
        stack.callback(server.destroy)
    name = f"bench_delivery_{uuid.uuid4().hex[:8]}"
    admin = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')

    stack.callback(drop)
    url = base.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return url


def _campaign(n: int) -> Campaign:
    template = next(c for c in load_campaigns() if c.name.startswith("HVAC"))
    return Campaign.model_validate(
        template.definition()
        | {
            "id": str(uuid.uuid4()),
            "name": "delivery benchmark",
            "targeting": {"regions": ["us-zz-bench"]},
            "send_time": "16:00",
            "send_window": {"start": "08:00", "end": "21:00"},
            "daily_cap": n,
            "per_domain_cap": None,
        }
    )


def _insert_prospects(conn: psycopg.Connection, n: int, cipher: PiiCipher, indexer: BlindIndexer) -> None:
    columns = (
        "prospect_id, status, business_name, contact_name_enc, email_enc, phone_enc, email_bidx, phone_bidx, city, "
        "state, region, timezone, email_domain, is_email_valid, is_phone_valid, is_sms_eligible, specialties, "
        "sources, discovered_at"
    )
    with conn.cursor() as cur, cur.copy(f"copy app.prospects ({columns}) from stdin") as copy:
        for i in range(n):
            email = f"owner{i}@bench-{i % 997}.example"
            phone = f"+1415{i:07d}"
            email_ok = i % 5 != 4  # a fifth reachable by SMS only
            copy.write_row((
                str(uuid.uuid4()), "enriched", f"Bench Heating {i}",
                cipher.encrypt(f"Pat Bench{i}", "app.prospects.contact_name"),
                cipher.encrypt(email, "app.prospects.email"), cipher.encrypt(phone, "app.prospects.phone"),
                indexer.index("email", email), indexer.index("phone", phone), "Benchville", "CA", "us-zz-bench",
                ZONES[i % len(ZONES)], email.rsplit("@", 1)[1], email_ok, True, True, ["hvac"], ["directory"],
                "2025-07-01T00:00:00Z",
            ))  # fmt: skip
    conn.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, default=6000, help="sandbox messages per client per minute")
    parser.add_argument("--windows", type=int, default=3, help="prospects = windows x rate")
    parser.add_argument("--failure-rate", type=float, default=0.0, help="share of sandbox calls answered 503")
    parser.add_argument("--chunk", type=int, default=500)
    args = parser.parse_args()
    n = args.windows * args.rate
    logging.getLogger("integrations.instabids").setLevel(logging.ERROR)  # retries of injected failures are noise here

    with ExitStack() as stack:
        url = _database(stack)
        sandbox = stack.enter_context(
            start_in_thread(
                SandboxConfig(scale=300, seed=7, messaging_rate_limit_per_minute=args.rate,
                              failure_rate=args.failure_rate, rate_limit_per_second=1000)
            )
        )  # fmt: skip
        cipher = PiiCipher.from_spec(new_key_spec("bench"))
        indexer = BlindIndexer(os.urandom(32))
        campaign = _campaign(n)
        clients = stack.enter_context(
            InstaBidsClients.build({d: sandbox.url for d in DOMAINS}, CLIENT_ID, "sandbox-secret", max_attempts=8)
        )
        conn = stack.enter_context(psycopg.connect(url))
        seed_campaigns(conn, [campaign])
        started = time.perf_counter()
        _insert_prospects(conn, n, cipher, indexer)
        insert_seconds = time.perf_counter() - started

        start = time.monotonic()
        result = run_batch(conn, clients, campaign.id, DAY, BasicComposer(), cipher, indexer, chunk_size=args.chunk)
        elapsed = time.monotonic() - start
        window_start, used_last = sandbox.sandbox.messaging_window._windows[CLIENT_ID]  # the simulator's books

        with sandbox.sandbox.lock:
            messages = [m for m in sandbox.sandbox.runtime.messages.values()
                        if m.metadata["campaign_id"] == campaign.campaign_id]  # fmt: skip
        per_prospect = Counter(m.metadata["prospect_id"] for m in messages)
        ours = conn.execute(
            "select count(*), count(distinct message_id) from app.outreach_messages "
            "where campaign_id = %s and status = 'sent'",
            (campaign.id,),
        ).fetchone()

    budget = (window_start - start) + 60.0 * used_last / args.rate
    allowed_per_s = args.rate / 60.0
    print(
        json.dumps(
            {
                "prospects": n,
                "rate_limit_per_minute": args.rate,
                "failure_rate": args.failure_rate,
                "chunk": args.chunk,
                "delivered": len(messages),
                "recorded_sent": ours[0],
                "duplicates": sum(count - 1 for count in per_prospect.values()) + (ours[0] - ours[1]),
                "undelivered": n - len(per_prospect),
                "elapsed_s": round(elapsed, 2),
                "windows_used": round((window_start - start) / 60.0) + 1,
                "budget_s": round(budget, 2),
                "messages_per_s": round(len(messages) / budget, 2),
                "allowed_per_s": round(allowed_per_s, 2),
                "throughput_ratio": round(len(messages) / (allowed_per_s * budget), 4),
                "chunks": result.chunks,
                "deferred": result.deferred,
                "insert_prospects_s": round(insert_seconds, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
