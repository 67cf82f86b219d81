"""Throughput and latency of the event intake (`POST /ai-outreach/events`) under concurrent load on loopback.

    .venv/bin/python bench/bench_event_intake.py                       # 20,000 events, 32 clients, 2 workers
    .venv/bin/python bench/bench_event_intake.py --events 50000 --clients 64 --workers 2

Runs the API as `outreach serve` does (uvicorn worker processes, `integrations.api.server.serve`) on a fresh
migrated database (DATABASE_URL's server, else a throwaway embedded one), sends real single-event deliveries,
each a distinct CloudEvent signed per Standard Webhooks with its domain's secret, from `--clients` keep-alive
connections, and counts an event only when it was answered 202 and is found in `app.inbox_events` afterwards.
The load generator is a minimal HTTP/1.1 client on asyncio streams, in its own process, so it takes as little
of the machine's CPU as possible from the server it measures. Prints one JSON line: events/s and latency
percentiles (ms). Goal: >= 1,000 durable events/s and p99 <= 50 ms on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from standardwebhooks import Webhook

from integrations.contracts.dev_secrets import default_webhook_secret
from outreach.privacy.crypto import new_key_spec

ROOT = Path(__file__).resolve().parents[1]
PATH = "/ai-outreach/events"
SOURCES = {"/instabids/user-management": "USER_MANAGEMENT", "/instabids/project-management": "PROJECT_MANAGEMENT"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _events(count: int) -> list[bytes]:
    """Pre-built, pre-signed HTTP requests (signing is the sender's cost, not ours)."""
    templates = [json.loads((ROOT / "integrations/contracts/examples" / f"{t}.json").read_text())
                 for t in ("UserCreatedEvent", "ProjectCreatedEvent")]
    webhooks = {source: Webhook(default_webhook_secret(service)) for source, service in SOURCES.items()}
    requests = []
    now = datetime.now(tz=UTC)
    for i in range(count):
        event = {**templates[i % 2], "id": str(uuid.uuid4())}
        body = json.dumps(event, separators=(",", ":"))
        message_id = f"msg_{event['id']}"
        signature = webhooks[event["source"]].sign(message_id, now, body)
        head = (f"POST {PATH} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/cloudevents+json\r\n"
                f"content-length: {len(body)}\r\nwebhook-id: {message_id}\r\n"
                f"webhook-timestamp: {int(now.timestamp())}\r\nwebhook-signature: {signature}\r\n\r\n")
        requests.append(head.encode() + body.encode())
    return requests


async def _client(port: int, queue: list[bytes], latencies: list[float], failures: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while queue:
            request = queue.pop()
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            status = int(head.split(b" ", 2)[1])
            if status != 202:
                failures.append(status)
    finally:
        writer.close()


async def _load(port: int, requests: list[bytes], clients: int) -> tuple[float, list[float], list[int]]:
    latencies: list[float] = []
    failures: list[int] = []
    queue = list(reversed(requests))
    started = time.perf_counter()
    await asyncio.gather(*(_client(port, queue, latencies, failures) for _ in range(clients)))
    return time.perf_counter() - started, latencies, failures


def _database(server_url: str) -> str:
    from outreach.storage.migrate import upgrade

    name = f"outreach_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return url


def _wait_ready(url: str, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the API exited during start-up")
        try:
            if httpx.get(url + "/ai-outreach/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the API did not become ready")


def run(events: int, clients: int, workers: int, state_dir: Path) -> dict:
    embedded = None
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        from outreach.storage.embedded import EmbeddedPostgres

        embedded = EmbeddedPostgres(state_dir / "pg")
        server_url = embedded.start().url
    database_url = _database(server_url)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "OUTREACH_PII_KEYS": new_key_spec("bench"),
           "OUTREACH_STATE_DIR": str(state_dir), "INSTABIDS_USER_MANAGEMENT_URL": "http://127.0.0.1:9",
           "OUTREACH_API_WORKERS": str(workers)}
    server = subprocess.Popen(
        [sys.executable, "-c", f"from integrations.api.server import serve; serve('127.0.0.1', {port})"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(f"http://127.0.0.1:{port}", server)
        asyncio.run(_load(port, _events(min(200, events)), clients))  # warm-up: connections, caches
        requests = _events(events)
        elapsed, latencies, failures = asyncio.run(_load(port, requests, clients))
        with psycopg.connect(database_url) as conn:
            durable = conn.execute("select count(*) from app.inbox_events").fetchone()[0] - min(200, events)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if embedded is not None:
            embedded.destroy()
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "benchmark": "event_intake", "events": events, "clients": clients, "workers": workers,
        "cpus": os.cpu_count(), "seconds": round(elapsed, 3), "durable_events": durable,
        "non_202": len(failures), "events_per_second": round(durable / elapsed, 1),
        "latency_ms": {"p50": round(quantiles[49] * 1000, 2), "p90": round(quantiles[89] * 1000, 2),
                       "p99": round(quantiles[98] * 1000, 2), "max": round(latencies[-1] * 1000, 2)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as state:
        print(json.dumps(run(args.events, args.clients, args.workers, Path(state))))


if __name__ == "__main__":
    main()
