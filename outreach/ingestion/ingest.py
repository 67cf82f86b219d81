"""Ingest one endpoint for one daily partition: page through the domain API and land it in `raw`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta

import psycopg

from outreach.ingestion.endpoints import EndpointSpec
from outreach.ingestion.raw_writer import IngestResult, replace_partition
from outreach.privacy.crypto import PiiCipher

PageFetcher = Callable[[str, str, dict[str, str]], Iterable[list[dict]]]
"""(domain, path, params) -> pages of raw items; the domain clients provide it."""


def request_params(spec: EndpointSpec, partition_date: date) -> dict[str, str]:
    """Query parameters that pin a request to its partition, so a re-run fetches the same window."""
    params = dict(spec.params)
    if spec.window == "days":
        params["since"] = params["until"] = partition_date.isoformat()
    elif spec.window == "as_of":
        end_of_day = datetime.combine(partition_date + timedelta(days=1), time.min, UTC) - timedelta(seconds=1)
        params["as_of"] = end_of_day.strftime("%Y-%m-%dT%H:%M:%SZ")
    return params


def ingest_endpoint(
    conn: psycopg.Connection,
    spec: EndpointSpec,
    partition_date: date,
    fetch_pages: PageFetcher,
    cipher: PiiCipher,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> IngestResult:
    pages = fetch_pages(spec.domain, spec.path, request_params(spec, partition_date))
    return replace_partition(conn, spec, partition_date, pages, cipher, fetched_at=now())
