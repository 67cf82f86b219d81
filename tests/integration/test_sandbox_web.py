"""The public web part (robots.txt, directory, registry files) and running the sandbox as a process."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.robotparser import RobotFileParser

import httpx
import pytest

from integrations.sandbox import RunningSandbox, SandboxConfig, start_in_thread

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    folder = tmp_path_factory.mktemp("registries")
    with start_in_thread(SandboxConfig(seed=13, scale=1500, registry_dir=folder, auto_deliver=False)) as running:
        yield running


@pytest.fixture(scope="module")
def http(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=30) as client:
        yield client


class Cards(HTMLParser):
    """Collects business cards by their documented class names."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict[str, str]] = []
        self.links: list[str] = []
        self._field: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "article" and "business-card" in classes:
            self.cards.append({"listing_id": attributes["data-listing-id"] or ""})
        elif tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        for name in ("business-name", "services", "street", "locality", "region", "postal-code", "stars",
                     "review-count"):
            if name in classes:
                self._field = name
        if tag == "a" and self.cards and (attributes.get("href") or "").startswith("tel:"):
            self._field = "phone"

    def handle_data(self, data: str) -> None:
        if self._field and self.cards:
            self.cards[-1][self._field] = self.cards[-1].get(self._field, "") + data.strip()

    def handle_endtag(self, tag: str) -> None:
        self._field = None


def parse(html: str) -> Cards:
    cards = Cards()
    cards.feed(html)
    return cards


def test_robots_txt_allows_the_directory_but_not_its_private_part(http: httpx.Client, sandbox: RunningSandbox) -> None:
    robots = RobotFileParser()
    robots.parse(http.get("/robots.txt").text.splitlines())
    assert robots.can_fetch("InstaBidsBot", f"{sandbox.url}/directory/ca/san-diego/")
    assert not robots.can_fetch("InstaBidsBot", f"{sandbox.url}/directory/private/members")
    assert robots.crawl_delay("InstaBidsBot") == 1


def test_the_directory_lists_every_listing_once_across_pages(http: httpx.Client) -> None:
    index = parse(http.get("/directory/").text)
    city_links = [link for link in index.links if link.count("/") == 4]
    assert len(city_links) > 40
    listing_ids: list[str] = []
    for link in city_links:
        url = link
        while True:
            page = http.get(url)
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            cards = parse(page.text)
            listing_ids.extend(card["listing_id"] for card in cards.cards)
            next_links = [href for href in cards.links if href.startswith("?page=")]
            current = int(url.split("page=")[1]) if "page=" in url else 1
            following = [h for h in next_links if int(h.split("=")[1]) == current + 1]
            if not following:
                break
            url = link + following[0]
    truth = http.get("/sandbox/truth/records", params={"source": "directory", "limit": 1000}).json()
    expected = [r["record_id"] for r in truth["items"]]
    while truth["next_page_token"]:
        truth = http.get("/sandbox/truth/records", params={"source": "directory", "limit": 1000,
                                                           "page_token": truth["next_page_token"]}).json()
        expected.extend(r["record_id"] for r in truth["items"])
    assert sorted(listing_ids) == sorted(expected)


def test_cards_carry_name_phone_and_rating_in_stable_markup(http: httpx.Client) -> None:
    cards = parse(http.get("/directory/ca/los-angeles/").text).cards
    assert cards
    assert all(card.get("business-name") for card in cards)
    assert sum("phone" in card for card in cards) > 0.9 * len(cards)
    assert any("stars" in card and "review-count" in card for card in cards)
    assert any(card.get("locality") == "Los Angeles" for card in cards)


def test_unknown_cities_and_pages_are_not_found(http: httpx.Client) -> None:
    assert http.get("/directory/ca/atlantis/").status_code == 404
    assert http.get("/directory/ca/los-angeles/", params={"page": 999}).status_code == 404


def test_crawling_the_private_directory_is_counted(http: httpx.Client) -> None:
    before = http.get("/sandbox/health").json()["robots_violations"]
    assert http.get("/directory/private/members").status_code == 200
    assert http.get("/sandbox/health").json()["robots_violations"] == before + 1


def test_registry_files_are_written_and_served(http: httpx.Client) -> None:
    health = http.get("/sandbox/health").json()
    written = [Path(p) for p in health["registry_files"]]
    assert {p.name for p in written} == {"ca_cslb_master.csv", "wa_lni_contractors.csv", "tx_tdlr_licenses.csv"}
    manifest = http.get("/registries/").json()
    for entry in manifest["files"]:
        served = http.get(entry["url"])
        assert served.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(served.text)))
        assert len(rows) == entry["rows"] > 0
        on_disk = next(p for p in written if p.name == entry["file"])
        assert on_disk.read_text(encoding="utf-8") == served.text


def test_serve_writes_the_ready_file_and_stops_on_sigterm(tmp_path: Path) -> None:
    ready = tmp_path / "sandbox.json"
    code = ("from pathlib import Path; from integrations.sandbox import SandboxConfig, serve; "
            f"serve(SandboxConfig(scale=50, seed=3), Path({str(ready)!r}))")
    process = subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parents[2])
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # waiting for a child process to start, not for sandbox timing
        state = json.loads(ready.read_text())
        assert state["pid"] == process.pid and state["seed"] == 3 and state["scale"] == 50
        assert httpx.get(state["url"] + "/sandbox/health").json()["status"] == "ok"
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
