"""Every discovery source against the running sandbox: the record ids we produce are the truth's record ids (so
entity resolution can be scored against the truth), nothing is rejected that is not broken, and the crawler never
asks for a path robots.txt disallows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.robotparser import RobotFileParser

import httpx
import pytest

from integrations.instabids import InstaBidsClients
from integrations.instabids.clients import DOMAINS
from outreach.discovery.directory import USER_AGENT, crawl_directory
from outreach.discovery.records import CandidateRecord
from outreach.discovery.referrals import from_referral_event
from outreach.discovery.registries import Rejected, read_registry_folder
from outreach.discovery.social import from_potential_contractor

pytestmark = pytest.mark.integration

FETCHED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def http(sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=30) as client:
        yield client


def truth_ids(http: httpx.Client, source: str) -> set[str]:
    ids: set[str] = set()
    params: dict[str, str | int] = {"source": source, "limit": 1000}
    while True:
        body = http.get("/sandbox/truth/records", params=params).json()
        ids.update(item["record_id"] for item in body["items"])
        if not body.get("next_page_token"):
            return ids
        params["page_token"] = body["next_page_token"]


def test_every_registry_file_parses_and_its_ids_are_the_truths(sandbox, http: httpx.Client) -> None:
    folder = Path(sandbox.sandbox.config.registry_dir)
    items = list(read_registry_folder(folder, FETCHED))

    rejected = [item for item in items if isinstance(item, Rejected)]
    assert rejected == []  # the sandbox writes no broken rows
    records = [item for item in items if isinstance(item, CandidateRecord)]
    for source in ("license_ca", "license_wa", "license_tx"):
        ours = [r.source_record_id for r in records if r.source == source]
        assert ours, f"no {source} records"
        assert len(ours) == len(set(ours))
        assert set(ours) == truth_ids(http, source), source  # TX: the other professions are all filtered out
    manifest = http.get("/registries/").json()
    tx_rows = next(f["rows"] for f in manifest["files"] if f["source"] == "license_tx")
    assert tx_rows > sum(r.source == "license_tx" for r in records)
    assert all(r.license_number == r.source_record_id and r.license_expires_on for r in records)


def test_the_crawl_finds_every_listing_without_a_robots_violation(sandbox, http: httpx.Client) -> None:
    violations_before = http.get("/sandbox/health").json()["robots_violations"]
    requested: list[httpx.Request] = []
    slept: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    robots = RobotFileParser()
    robots.parse(http.get("/robots.txt").text.splitlines())
    spacing = max(1 / 2.0, float(robots.crawl_delay(USER_AGENT) or 0))  # the site's Crawl-delay or our 2 req/s

    with httpx.Client(timeout=30, event_hooks={"request": [requested.append]}) as client:
        crawl = crawl_directory(
            sandbox.url, client=client, max_requests_per_second=2.0, clock=lambda: now[0], sleep=sleep
        )

    assert http.get("/sandbox/health").json()["robots_violations"] == violations_before
    paths = [request.url.path for request in requested]
    assert not any(path.startswith(("/directory/private/", "/sandbox/")) for path in paths)
    assert all(request.headers["user-agent"] == USER_AGENT for request in requested)
    assert crawl.rejected == ()
    assert crawl.stats.errors == 0 and crawl.stats.crawl_delay_seconds == spacing
    assert sum(slept) >= spacing * (crawl.stats.requests - 1) - 1e-6  # paced on the fake clock, not in real time
    assert {r.source_record_id for r in crawl.records} == truth_ids(http, "directory")
    assert all(r.region and r.state and r.city and r.business_name for r in crawl.records)


def test_social_potential_contractors_keep_their_candidate_ids(sandbox, http: httpx.Client) -> None:
    with InstaBidsClients.build(
        dict.fromkeys(DOMAINS, sandbox.url), client_id="ai-outreach", client_secret="sandbox-secret"
    ) as clients:
        items = [item for page in clients.social.potential_contractors(limit=1000) for item in page]

    records = [from_potential_contractor(item, FETCHED) for item in items]

    assert records
    # A candidate whose business registered meanwhile drops out of the list, so the list is a subset of the truth.
    assert {r.source_record_id for r in records} <= truth_ids(http, "social")
    assert all(r.source == "social" and r.referred_by_user_id and r.region for r in records)


def test_referral_events_keep_their_referral_ids(sandbox, http: httpx.Client) -> None:
    # The events the sandbox will emit over its first 60 days (read from its live state rather than by moving the
    # shared session clock two months forward).
    events = [referral.data for referral in sandbox.sandbox.world.referrals]

    records = [from_referral_event(data, FETCHED) for data in events]

    assert {r.source_record_id for r in records} == truth_ids(http, "referral")
    assert all(r.state and r.city and r.region for r in records)
