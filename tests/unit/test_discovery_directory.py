"""The directory crawler against an in-memory site (httpx.MockTransport) on a fake clock: politeness and parsing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from itertools import pairwise

import httpx
import pytest

from outreach.discovery.directory import (
    USER_AGENT,
    DirectoryCrawl,
    Place,
    crawl_directory,
    parse_listing_page,
)
from outreach.discovery.records import CandidateRecord
from outreach.discovery.registries import Rejected

SITE = "https://directory.example"
FETCHED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

ROBOTS = """User-agent: *
Disallow: /directory/private/
Allow: /directory/
Disallow: /sandbox/
Crawl-delay: 2
"""

INDEX = """<!DOCTYPE html><html><body><main><h1>Contractor directory</h1>
<ul class="cities">
<li class="city" data-region="us-ca-san-diego"><a href="/directory/ca/san-diego/">San Diego, CA</a>
  <span class="listing-count">3</span></li>
<li class="city" data-region="us-wa-seattle"><a href="/directory/wa/seattle/">Seattle, WA</a>
  <span class="listing-count">0</span></li>
<li class="city" data-region="us-tx-austin"><a href="/directory/private/members/">Members, TX</a></li>
<li class="city" data-region="us-or-portland">
  <a href="https://elsewhere.example/directory/or/portland/">Portland, OR</a></li>
</ul></main></body></html>
"""

SAN_DIEGO_1 = """<!DOCTYPE html><html><body><main><h1>Contractors in San Diego, CA</h1>
<section class="listings">
<article class="business-card" data-listing-id="dl-000000000001">
  <h2 class="business-name">Myers Brothers &amp; Sons Contracting</h2>
  <p class="services">General contracting · Residential building</p>
  <p class="address"><span class="street">9190 Main Ct, Suite 4</span>, <span class="locality">San Diego</span>,
     <span class="region">CA</span> <span class="postal-code">92162</span></p>
  <p class="phone"><a href="tel:6192961328">(619) 296-1328</a></p>
  <p class="website"><a href="https://www.myersbrothers.example" rel="nofollow">myersbrothers.example</a></p>
  <p class="rating"><span class="stars">4.7</span> stars (<span class="review-count">1,017</span> reviews)</p>
</article>
<article class="business-card" data-listing-id="dl-000000000002">
  <h2 class="business-name">RM Heating &amp; Air</h2>
  <p class="services">Heating and cooling</p>
  <p class="address service-area">Serving San Diego and nearby areas</p>
  <p class="phone"><a href="tel:8585253098">Call us</a></p>
  <p class="rating no-reviews">No reviews yet</p>
</article>
</section>
<nav class="pager"><a class="next" rel="next" href="?page=2">Next</a></nav>
</main></body></html>
"""

SAN_DIEGO_2 = """<!DOCTYPE html><html><body><main>
<section class="listings">
<article class="business-card" data-listing-id="dl-000000000003">
  <h2 class="business-name">Smith Power</h2>
  <p class="phone">+1 619 868 1424
</article>
<article class="business-card" data-listing-id="dl-000000000001">
  <h2 class="business-name">Myers Brothers &amp; Sons Contracting</h2>
</article>
<article class="business-card"><h2 class="business-name">No id</h2></article>
<article class="business-card" data-listing-id="dl-000000000004"><p class="services">Roofing</p></article>
</section>
<nav class="pager"><a class="prev" rel="prev" href="?page=1">Previous</a>
<a class="next" rel="next" href="?page=3">Next</a></nav>
</main></body></html>
"""


class FakeTime:
    """A clock that moves only when the crawler sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Site:
    """Pages by path+query; records every request with the fake time it arrived."""

    def __init__(self, pages: dict[str, httpx.Response | Callable[[], httpx.Response]], time: FakeTime) -> None:
        self.pages, self.time = pages, time
        self.requests: list[tuple[float, str, str]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        target = request.url.raw_path.decode()
        self.requests.append((self.time.now, target, request.headers.get("user-agent", "")))
        page = self.pages.get(target)
        if page is None:
            return httpx.Response(404, text="not found")
        return page() if callable(page) else page

    def crawl(self, base_url: str = SITE, **options: object) -> DirectoryCrawl:
        client = httpx.Client(transport=httpx.MockTransport(self.handler))
        return crawl_directory(
            base_url,
            client=client,
            clock=self.time.clock,
            sleep=self.time.sleep,
            now=lambda: FETCHED,
            **options,  # type: ignore[arg-type]
        )

    @property
    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]


def html(text: str) -> httpx.Response:
    return httpx.Response(200, text=text, headers={"content-type": "text/html"})


def standard_site(time: FakeTime) -> Site:
    return Site(
        {
            "/robots.txt": httpx.Response(200, text=ROBOTS),
            "/directory/": html(INDEX),
            "/directory/ca/san-diego/": html(SAN_DIEGO_1),
            "/directory/ca/san-diego/?page=2": html(SAN_DIEGO_2),
            "/directory/wa/seattle/": html("<html><body><p>No listings yet</p></body></html>"),
            "/directory/private/members/": html("<article class='business-card' data-listing-id='honeypot'>"),
        },
        time,
    )


def test_crawl_follows_index_cities_and_pagination_and_never_a_disallowed_path() -> None:
    site = standard_site(FakeTime())

    crawl = site.crawl()

    assert site.paths == [
        "/robots.txt",
        "/directory/",
        "/directory/ca/san-diego/",
        "/directory/wa/seattle/",
        "/directory/ca/san-diego/?page=2",
        "/directory/ca/san-diego/?page=3",
    ]
    assert not any(path.startswith(("/directory/private/", "/sandbox/")) for path in site.paths)
    assert all(agent == USER_AGENT for _, _, agent in site.requests)
    assert [r.source_record_id for r in crawl.records] == ["dl-000000000001", "dl-000000000002", "dl-000000000003"]
    stats = crawl.stats
    assert (stats.pages_fetched, stats.skipped_by_robots, stats.errors, stats.duplicate_listings) == (4, 1, 1, 1)
    assert stats.error_urls == [f"{SITE}/directory/ca/san-diego/?page=3"]  # past the end: 404
    assert stats.requests == 6 and stats.retries == 0
    assert sorted(r.reason for r in crawl.rejected) == [
        "business card without a business name",
        "business card without a listing id",
    ]


def test_requests_are_spaced_by_the_crawl_delay_without_real_sleeping() -> None:
    time = FakeTime()
    site = standard_site(time)

    crawl = site.crawl(max_requests_per_second=10)

    arrivals = [at for at, _, _ in site.requests]
    assert all(later - earlier >= 2.0 for earlier, later in pairwise(arrivals))
    assert crawl.stats.crawl_delay_seconds == 2.0
    assert crawl.stats.slept_seconds == pytest.approx(2.0 * (len(arrivals) - 1))


def test_our_own_rate_limit_applies_when_robots_sets_none() -> None:
    time = FakeTime()
    site = standard_site(time)
    site.pages["/robots.txt"] = httpx.Response(200, text="User-agent: *\nDisallow: /directory/private/\n")

    crawl = site.crawl(max_requests_per_second=4)

    arrivals = [at for at, _, _ in site.requests]
    assert min(later - earlier for earlier, later in pairwise(arrivals)) == pytest.approx(0.25)
    assert crawl.stats.crawl_delay_seconds == 0.25


def test_429_and_503_are_retried_after_retry_after() -> None:
    time = FakeTime()
    site = standard_site(time)
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(503, headers={"Retry-After": format_datetime(datetime.now(UTC), usegmt=True)}),
            html(INDEX),
        ]
    )
    site.pages["/directory/"] = lambda: next(answers)

    crawl = site.crawl()

    index_arrivals = [at for at, path, _ in site.requests if path == "/directory/"]
    assert len(index_arrivals) == 3
    assert index_arrivals[1] - index_arrivals[0] >= 7.0
    assert index_arrivals[2] - index_arrivals[1] >= 2.0  # an HTTP date already past: the crawl delay still holds
    assert crawl.stats.retries == 2 and len(crawl.records) == 3


def test_a_retry_after_beyond_the_limit_gives_up_on_that_url() -> None:
    site = standard_site(FakeTime())
    site.pages["/directory/ca/san-diego/"] = httpx.Response(429, headers={"Retry-After": "86400"})

    crawl = site.crawl()

    assert crawl.stats.errors == 1 and f"{SITE}/directory/ca/san-diego/" in crawl.stats.error_urls
    assert crawl.records == ()


@pytest.mark.parametrize(("status", "fetched"), [(500, False), (403, False), (404, True)])
def test_robots_unavailable_means_allowed_but_unreachable_means_disallowed(status: int, fetched: bool) -> None:
    site = standard_site(FakeTime())
    site.pages["/robots.txt"] = httpx.Response(status)

    crawl = site.crawl(max_attempts=2)

    assert ("/directory/" in site.paths) is fetched
    assert crawl.stats.skipped_by_robots == (0 if fetched else 1)


def test_redirects_are_checked_against_robots_and_kept_on_site() -> None:
    site = standard_site(FakeTime())
    site.pages["/directory/"] = httpx.Response(301, headers={"Location": "/directory/private/index"})
    assert site.crawl().stats.skipped_by_robots == 1
    assert "/directory/private/index" not in site.paths

    site = standard_site(FakeTime())
    site.pages["/directory/"] = httpx.Response(302, headers={"Location": "https://elsewhere.example/directory/"})
    crawl = site.crawl()
    assert crawl.records == () and crawl.stats.errors == 0
    assert site.paths == ["/robots.txt", "/directory/"]


def test_the_base_url_may_be_the_index_page_itself_and_max_pages_bounds_the_crawl() -> None:
    site = standard_site(FakeTime())

    crawl = site.crawl(f"{SITE}/directory/ca/san-diego/", max_pages=1)

    assert site.paths == ["/robots.txt", "/directory/ca/san-diego/"]
    assert crawl.stats.pages_fetched == 1 and crawl.stats.left_unvisited == 1


def test_a_network_failure_is_retried_then_counted_as_an_error() -> None:
    time = FakeTime()
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        raise httpx.ConnectError("refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    crawl = crawl_directory(SITE, client=client, clock=time.clock, sleep=time.sleep, max_attempts=3)

    assert calls.count("/directory/") == 3
    assert crawl.stats.errors == 1 and crawl.stats.retries == 2


def records_of(page: str, place: Place | None = None) -> list[CandidateRecord | Rejected]:
    items, _, _ = parse_listing_page(page, f"{SITE}/page", FETCHED, place)
    return items


def test_a_card_maps_to_a_record_with_the_listing_id_and_every_field() -> None:
    place = Place("us-ca-san-diego", "San Diego", "CA")
    first, service_area = records_of(SAN_DIEGO_1, place)

    assert isinstance(first, CandidateRecord)
    assert first.source == "directory" and first.source_record_id == "dl-000000000001"
    assert first.fetched_at == FETCHED
    assert first.business_name == "Myers Brothers & Sons Contracting"
    assert (first.street, first.city, first.state, first.postal_code, first.region) == (
        "9190 Main Ct, Suite 4",
        "San Diego",
        "CA",
        "92162",
        "us-ca-san-diego",
    )
    assert first.phone == "(619) 296-1328"  # the display form, as found
    assert first.website == "https://www.myersbrothers.example"
    assert first.classifications == ("General contracting", "Residential building")
    assert (first.rating, first.review_count) == (4.7, 1017)

    assert isinstance(service_area, CandidateRecord)
    assert service_area.street is None and service_area.postal_code is None
    assert (service_area.city, service_area.state) == ("San Diego", "CA")  # from the city page it is listed on
    assert service_area.phone == "8585253098"  # "Call us" is no number: the tel: link is
    assert (service_area.rating, service_area.review_count) == (None, 0)


def test_schema_org_microdata_cards_are_read_too() -> None:
    page = """<div class="business-card" id="biz-77" itemscope itemtype="https://schema.org/LocalBusiness">
      <h3 itemprop="name">Acme Roofing</h3>
      <div itemprop="address" itemscope><span itemprop="streetAddress">1 Elm St</span>
        <span itemprop="addressLocality">Austin</span> <span itemprop="addressRegion">TX</span>
        <span itemprop="postalCode">78701</span></div>
      <span itemprop="telephone">512-555-0100</span>
      <a itemprop="url" href="https://acme.example/">acme.example</a>
      <p itemprop="description">Roof repair and gutters</p>
      <div itemprop="aggregateRating" itemscope><meta itemprop="ratingValue" content="4.2">
        <meta itemprop="reviewCount" content="38"></div>
    </div>"""

    (record,) = records_of(page)

    assert isinstance(record, CandidateRecord)
    assert (record.source_record_id, record.business_name) == ("biz-77", "Acme Roofing")
    assert (record.street, record.city, record.state, record.postal_code) == ("1 Elm St", "Austin", "TX", "78701")
    assert (record.phone, record.website) == ("512-555-0100", "https://acme.example/")
    assert record.description == "Roof repair and gutters"
    assert (record.rating, record.review_count) == (4.2, 38)


def test_broken_cards_are_rejected_not_dropped() -> None:
    items = records_of(SAN_DIEGO_2)

    rejected = [item for item in items if isinstance(item, Rejected)]
    assert [(r.source, r.source_record_id, r.reason) for r in rejected] == [
        ("directory", None, "business card without a listing id"),
        ("directory", "dl-000000000004", "business card without a business name"),
    ]
    assert rejected[0].raw_row == {"name": "No id"}
    assert rejected[1].raw_row == {"services": "Roofing"}
    assert all(r.location.startswith(f"{SITE}/page#line") for r in rejected)
    unclosed = items[0]  # its <p class="phone"> is never closed: the card still ends where it ends
    assert isinstance(unclosed, CandidateRecord) and unclosed.phone == "+1 619 868 1424"


def test_sloppy_markup_unclosed_items_fields_and_cards() -> None:
    index = """<ul><li class="city" data-region="us-ca-fresno"><a href="/directory/ca/fresno/">Fresno, CA</a>
    <li class="city" data-region="us-ca-oakland"><a href="/directory/ca/oakland/">Oakland, CA</a></ul>"""
    cards = """<section>
    <article class="business-card" data-listing-id="dl-a"><h2 class="business-name">Alpha Plumbing</h2>
      <p class="phone">(559) 555-0100
      <p class="services">Drain cleaning
    <article class="business-card" data-listing-id="dl-b"><h2 class="business-name">Beta Roofing</h2>
    </section>"""

    _, city_links, _ = parse_listing_page(index, f"{SITE}/directory/", FETCHED)
    first, second = records_of(cards)

    assert [(link.href, link.region, link.label) for link in city_links] == [
        ("/directory/ca/fresno/", "us-ca-fresno", "Fresno, CA"),
        ("/directory/ca/oakland/", "us-ca-oakland", "Oakland, CA"),
    ]
    assert isinstance(first, CandidateRecord) and isinstance(second, CandidateRecord)
    assert (first.phone, first.classifications) == ("(559) 555-0100", ("Drain cleaning",))
    assert (second.source_record_id, second.business_name) == ("dl-b", "Beta Roofing")
