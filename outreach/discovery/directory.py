"""A polite crawler of a public contractor web directory: index → city pages → pagination → business cards.

Why polite by construction: the directory is someone else's site. `robots.txt` is fetched first and obeyed
(`urllib.robotparser`; a disallowed URL is never requested, not even after a redirect, and an unreachable
robots.txt means "crawl nothing"), requests are spaced by the larger of our own rate limit and the site's
`Crawl-delay`/`Request-rate`, 429/503 answers are retried after their `Retry-After`, and the user agent names the
product and where to read about it. Time goes through an injectable clock and sleep so tests never wait.

Why the parser keys on class names and not on positions: the markup (`docs/sandbox.md`, "Web directory") is a
card per listing, `<article class="business-card" data-listing-id=...>`, with `business-name`, `services`,
`address` (`street`, `locality`, `region`, `postal-code`, or `service-area`), `phone` (`tel:` link), `website`
and `rating` (`stars`, `review-count`, or `no-reviews`) children, cities as `<li class="city" data-region=...>`
links and pagination as `rel="next"`. Those names are also the hCard/adr microformat's, and the schema.org
`itemprop`s of the same fields are read too, so wrappers, reordering and extra markup do not break it.
"""

from __future__ import annotations

import re
import time
import urllib.robotparser
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Final
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import httpx
from pydantic import ValidationError

from outreach.discovery.records import CandidateRecord
from outreach.discovery.registries import Rejected

USER_AGENT: Final = "InstaBidsOutreachBot/1.0 (+https://instabids.example/bot)"
"""Names the product and a page explaining the bot, so a site owner can tell who crawls and how to object."""

DEFAULT_INDEX_PATH: Final = "/directory/"

_RETRY_STATUSES: Final = frozenset({429, 503})
_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})


@dataclass
class CrawlStats:
    """What a crawl did, for monitoring and for proving politeness."""

    requests: int = 0
    """HTTP requests sent, robots.txt and retries included."""
    pages_fetched: int = 0
    """Directory pages answered 200 and parsed."""
    skipped_by_robots: int = 0
    """URLs found but not requested because robots.txt disallows them."""
    retries: int = 0
    errors: int = 0
    """URLs given up on (4xx/5xx after retries, network failures, off-site redirects are not errors)."""
    duplicate_listings: int = 0
    """Cards whose listing id was already seen on an earlier page (kept once)."""
    slept_seconds: float = 0.0
    crawl_delay_seconds: float = 0.0
    """The spacing between requests actually used."""
    error_urls: list[str] = field(default_factory=list)
    left_unvisited: int = 0
    """URLs still queued when `max_pages` stopped the crawl."""


@dataclass(frozen=True)
class DirectoryCrawl:
    records: tuple[CandidateRecord, ...]
    rejected: tuple[Rejected, ...]
    stats: CrawlStats


# ----- page parsing -----

_CARD_CLASSES: Final = frozenset({"business-card", "h-card", "vcard"})
_FIELD_BY_CLASS: Final[dict[str, str]] = {
    "business-name": "name", "p-name": "name", "fn": "name", "org": "name", "p-org": "name",
    "services": "services", "categories": "services", "category": "services", "p-category": "services",
    "description": "description", "p-note": "description",
    "street": "street", "street-address": "street", "p-street-address": "street",
    "locality": "locality", "p-locality": "locality",
    "region": "region", "p-region": "region",
    "postal-code": "postal_code", "p-postal-code": "postal_code",
    "phone": "phone", "tel": "phone", "p-tel": "phone",
    "website": "website", "url": "website", "u-url": "website",
    "stars": "stars", "rating-value": "stars",
    "review-count": "review_count",
}  # fmt: skip
_FIELD_BY_ITEMPROP: Final[dict[str, str]] = {
    "name": "name", "description": "description", "streetAddress": "street", "addressLocality": "locality",
    "addressRegion": "region", "postalCode": "postal_code", "telephone": "phone", "url": "website",
    "ratingValue": "stars", "reviewCount": "review_count",
}  # fmt: skip
_VOID_TAGS: Final = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_CLOSES_P: Final = frozenset({
    "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "table",
    "ul",
})  # fmt: skip
"""Start tags that end an open `<p>` (HTML's implied end tags: `<p>` is often left unclosed)."""


@dataclass
class _Card:
    listing_id: str | None
    line: int
    texts: dict[str, list[str]] = field(default_factory=dict)
    """Text per field key; a key is captured from its first element only (a later `name` is another thing's)."""
    tel: str | None = None
    website_href: str | None = None
    no_reviews: bool = False

    def text(self, key: str) -> str | None:
        joined = " ".join("".join(self.texts.get(key, ())).split())
        return joined or None


@dataclass(frozen=True)
class CityLink:
    """A link to a city's listings, with the index's region slug and `City, ST` label."""

    href: str
    region: str | None
    label: str | None


@dataclass
class _Open:
    tag: str
    keys: tuple[str, ...] = ()
    card: bool = False
    city: bool = False
    city_anchor: bool = False


class _PageParser(HTMLParser):
    """Cards, city links and next-page links of one HTML page (tolerant of unclosed and stray tags)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cards: list[_Card] = []
        self.city_links: list[CityLink] = []
        self.next_links: list[str] = []
        self._stack: list[_Open] = []
        self._card: _Card | None = None
        self._city: tuple[str | None, list[str], list[str]] | None = None  # (region, hrefs, label parts)
        self._capturing: list[str] = []
        self._label = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        classes = set(values.get("class", "").split())
        entry = _Open(tag)
        self._imply_ends(tag, starts_card=bool(classes & _CARD_CLASSES))
        if self._card is None and classes & _CARD_CLASSES:
            listing_id = values.get("data-listing-id") or values.get("data-id") or values.get("id") or None
            self._card, entry.card = _Card(listing_id, self.getpos()[0]), True
        if self._card is not None:
            entry.keys = self._open_fields(self._card, tag, classes, values)
        elif self._city is None and "city" in classes:
            self._city, entry.city = (values.get("data-region") or None, [], []), True
        href = values.get("href")
        if tag == "a" and href:
            if "next" in values.get("rel", "").split() or "next" in classes:
                self.next_links.append(href)
            elif self._city is not None and not self._city[1]:
                self._city[1].append(href)
                entry.city_anchor = self._label = True
        if tag not in _VOID_TAGS:
            self._stack.append(entry)
            self._refresh()

    def _open_fields(self, card: _Card, tag: str, classes: set[str], values: dict[str, str]) -> tuple[str, ...]:
        keys = [_FIELD_BY_CLASS[name] for name in classes if name in _FIELD_BY_CLASS]
        if itemprop := _FIELD_BY_ITEMPROP.get(values.get("itemprop", "")):
            keys.append(itemprop)
        if "no-reviews" in classes:
            card.no_reviews = True
        href = values.get("href", "")
        if tag == "a" and href:
            if href.lower().startswith("tel:") and card.tel is None:
                card.tel = unquote(href[4:]).strip() or None
            elif "website" in self._capturing or "website" in keys:
                card.website_href = card.website_href or href
        opened = tuple(dict.fromkeys(key for key in keys if key not in card.texts))
        for key in opened:
            card.texts[key] = [values["content"]] if "content" in values else []  # <meta itemprop content>
        return opened

    def _imply_ends(self, tag: str, starts_card: bool) -> None:
        """End what HTML ends implicitly, and cards, which do not nest: an unclosed `<p>`, list item or card must
        not swallow the next field, city or card."""
        if starts_card and self._card is not None:
            self._close_through(lambda entry: entry.card)
        if tag in _CLOSES_P:
            self._close_through(lambda entry: entry.tag == "p", scope=("button", "table", "td", "th", "caption"))
        elif tag == "li":
            self._close_through(lambda entry: entry.tag == "li", scope=("ul", "ol"))

    def _close_through(self, match: Callable[[_Open], bool], scope: tuple[str, ...] = ()) -> None:
        """Pop up to and including the innermost open element `match` accepts, unless a `scope` element is nearer."""
        for depth in range(len(self._stack) - 1, -1, -1):
            entry = self._stack[depth]
            if match(entry):
                while len(self._stack) > depth:
                    self._close(self._stack.pop())
                self._refresh()
                return
            if entry.tag in scope:
                return

    def handle_endtag(self, tag: str) -> None:
        self._close_through(lambda entry: entry.tag == tag)  # a stray end tag matches nothing and is ignored

    def _close(self, entry: _Open) -> None:
        if entry.card and self._card is not None:
            self.cards.append(self._card)
            self._card = None
        if entry.city_anchor:
            self._label = False
        if entry.city and self._city is not None:
            region, hrefs, label = self._city
            if hrefs:
                self.city_links.append(CityLink(hrefs[0], region, " ".join("".join(label).split()) or None))
            self._city = None

    def _refresh(self) -> None:
        self._capturing = [key for entry in self._stack for key in entry.keys]

    def handle_data(self, data: str) -> None:
        if self._card is not None:
            for key in self._capturing:
                self._card.texts[key].append(data)
        if self._label and self._city is not None:
            self._city[2].append(data)

    def close(self) -> None:
        super().close()
        while self._stack:
            self._close(self._stack.pop())


@dataclass(frozen=True)
class Place:
    """Where a city page is, as the index said; fills what a card leaves out (service-area businesses)."""

    region: str | None = None
    city: str | None = None
    state: str | None = None


_REGION_SLUG = re.compile(r"^[a-z]{2}-[a-z]{2}-[a-z0-9-]+$")
_LABEL = re.compile(r"^(?P<city>.+?),\s*(?P<state>[A-Za-z]{2})$")


def _place(link: CityLink) -> Place:
    label = _LABEL.match(link.label or "")
    region = link.region if link.region and _REGION_SLUG.match(link.region) else None
    state = label["state"].upper() if label else None
    if state is None and region is not None:
        state = region.split("-")[1].upper()
    return Place(region, label["city"] if label else None, state)


_SERVICE_SEPARATORS = re.compile(r"\s*[·•|;]\s*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_COUNT = re.compile(r"\d[\d,]*")


def parse_listing_page(
    html: str, url: str, fetched_at: datetime, place: Place | None = None
) -> tuple[list[CandidateRecord | Rejected], list[CityLink], list[str]]:
    """One page → (its cards as records or rejects, its city links, its next-page links, both as found)."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return (
        [_card_record(card, url, fetched_at, place or Place()) for card in parser.cards],
        parser.city_links,
        parser.next_links,
    )


def _card_record(card: _Card, url: str, fetched_at: datetime, place: Place) -> CandidateRecord | Rejected:
    raw = {key: text for key in card.texts if (text := card.text(key)) is not None}
    if card.tel:
        raw["tel"] = card.tel
    if card.website_href:
        raw["website_href"] = card.website_href
    location = f"{url}#line{card.line}"
    if card.listing_id is None:
        return Rejected("directory", None, "business card without a listing id", raw, location)
    name = card.text("name")
    if name is None:
        return Rejected("directory", card.listing_id, "business card without a business name", raw, location)
    phone = card.text("phone")
    if phone is None or sum(ch.isdigit() for ch in phone) < 7:
        phone = card.tel or phone
    services = card.text("services")
    stars = _NUMBER.search(card.text("stars") or "")
    reviews = _COUNT.search(card.text("review_count") or "")
    try:
        return CandidateRecord(
            source="directory",
            source_record_id=card.listing_id,
            fetched_at=fetched_at,
            business_name=name,
            street=card.text("street"),
            city=card.text("locality") or place.city,
            state=card.text("region") or place.state,
            postal_code=card.text("postal_code"),
            region=place.region,
            phone=phone,
            website=card.website_href or card.text("website"),
            classifications=tuple(dict.fromkeys(s for s in _SERVICE_SEPARATORS.split(services) if s))
            if services
            else (),
            description=card.text("description"),
            rating=None if card.no_reviews or stars is None else float(stars[0]),
            review_count=0 if card.no_reviews else int(reviews[0].replace(",", "")) if reviews else None,
        )
    except ValidationError as error:
        return Rejected("directory", card.listing_id, f"invalid card: {error.errors()[0]['msg']}", raw, location)


# ----- polite fetching -----


class _Fetcher:
    """Sends GETs one at a time, spaced by `interval`, retrying 429/503 after Retry-After."""

    def __init__(
        self,
        client: httpx.Client,
        user_agent: str,
        interval: float,
        max_attempts: int,
        max_retry_after: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        stats: CrawlStats,
    ) -> None:
        self.client, self.user_agent, self.interval = client, user_agent, interval
        self.max_attempts, self.max_retry_after = max_attempts, max_retry_after
        self.clock, self.sleep, self.stats = clock, sleep, stats
        self._last_sent: float | None = None
        self._not_before = float("-inf")

    def get(self, url: str, *, follow_redirects: bool = False) -> httpx.Response | None:
        """The final answer (maybe an error status), or None when the network failed on every attempt."""
        for attempt in range(1, self.max_attempts + 1):
            self._wait_turn()
            self.stats.requests += 1
            try:
                response = self.client.get(
                    url, headers={"User-Agent": self.user_agent}, follow_redirects=follow_redirects
                )
            except httpx.TransportError:
                if attempt == self.max_attempts:
                    return None
                self._defer(2.0 ** (attempt - 1))
                continue
            if response.status_code not in _RETRY_STATUSES or attempt == self.max_attempts:
                return response
            delay = _retry_after(response.headers.get("Retry-After"))
            delay = 2.0 ** (attempt - 1) if delay is None else delay
            if delay > self.max_retry_after:
                return response
            self._defer(delay)
        return None  # unreachable: the last attempt returns

    def _defer(self, seconds: float) -> None:
        self.stats.retries += 1
        self._not_before = max(self._not_before, self.clock() + seconds)

    def _wait_turn(self) -> None:
        """Sleep until `interval` after the last request and past any Retry-After (the interval may change once
        robots.txt is read, and applies at once)."""
        due = self._not_before if self._last_sent is None else max(self._not_before, self._last_sent + self.interval)
        wait = due - self.clock()
        if wait > 0:
            self.sleep(wait)
            self.stats.slept_seconds += wait
        self._last_sent = self.clock()


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (`120`) or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _robots(fetcher: _Fetcher, site: str) -> urllib.robotparser.RobotFileParser:
    """The site's rules. Unreachable or 5xx → disallow everything (RFC 9309 §2.3.1.4); 401/403 → disallow, other
    4xx → no rules (as `RobotFileParser.read` decides)."""
    parser = urllib.robotparser.RobotFileParser(urljoin(site, "/robots.txt"))
    response = fetcher.get(parser.url, follow_redirects=True)
    if response is None or response.status_code >= 500 or response.status_code in (401, 403):
        parser.disallow_all = True
    elif response.status_code >= 400:
        parser.allow_all = True
    else:
        parser.parse(response.text.splitlines())
    return parser


def _interval(robots: urllib.robotparser.RobotFileParser, user_agent: str, max_requests_per_second: float) -> float:
    """Seconds between requests: the slowest of our limit, Crawl-delay and Request-rate."""
    spacing = [1.0 / max_requests_per_second]
    delay = robots.crawl_delay(user_agent)
    if delay is not None:
        spacing.append(float(delay))
    rate = robots.request_rate(user_agent)
    if rate is not None and rate.requests > 0:
        spacing.append(rate.seconds / rate.requests)
    return max(spacing)


def _site(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _normalized(url: str) -> str:
    """Without the fragment: `#top` does not make another page."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))


def crawl_directory(
    base_url: str,
    *,
    client: httpx.Client | None = None,
    user_agent: str = USER_AGENT,
    max_requests_per_second: float = 2.0,
    max_attempts: int = 4,
    max_retry_after: float = 300.0,
    max_pages: int = 10_000,
    timeout: float = 15.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> DirectoryCrawl:
    """Crawl a directory site: `base_url` is the site (the index is then `/directory/`) or the index page itself.

    Follows city links and `rel=next` pagination on the same site only, each URL once, at most `max_pages` pages.
    Every card becomes a `directory` CandidateRecord (record id = its listing id, kept once per crawl) or a
    `Rejected`; a record's `fetched_at` is when its page was fetched (`now`). `clock`/`sleep` pace requests.
    """
    stats = CrawlStats()
    own_client = client is None
    http = client or httpx.Client(timeout=timeout)
    try:
        site = _site(base_url)
        fetcher = _Fetcher(http, user_agent, 1.0 / max_requests_per_second, max_attempts, max_retry_after, clock,
                           sleep, stats)  # fmt: skip
        robots = _robots(fetcher, site)
        fetcher.interval = stats.crawl_delay_seconds = _interval(robots, user_agent, max_requests_per_second)
        start = base_url if urlsplit(base_url).path not in ("", "/") else urljoin(site, DEFAULT_INDEX_PATH)
        return _crawl(fetcher, robots, site, start, max_pages, now)
    finally:
        if own_client:
            http.close()


def _crawl(
    fetcher: _Fetcher,
    robots: urllib.robotparser.RobotFileParser,
    site: str,
    start: str,
    max_pages: int,
    now: Callable[[], datetime],
) -> DirectoryCrawl:
    stats = fetcher.stats
    records: dict[str, CandidateRecord] = {}
    rejected: list[Rejected] = []
    queue: deque[tuple[str, Place]] = deque([(_normalized(start), Place())])
    seen = {queue[0][0]}

    def enqueue(href: str, base: str, place: Place) -> None:
        target = _normalized(urljoin(base, href))
        if _site(target).lower() != site.lower() or target in seen:
            return
        seen.add(target)
        queue.append((target, place))

    while queue and stats.pages_fetched < max_pages:
        url, place = queue.popleft()
        if not robots.can_fetch(fetcher.user_agent, url):
            stats.skipped_by_robots += 1
            continue
        response = fetcher.get(url)
        if response is not None and response.status_code in _REDIRECT_STATUSES and "location" in response.headers:
            enqueue(response.headers["location"], url, place)
            continue
        if response is None or response.status_code != 200:
            stats.errors += 1
            stats.error_urls.append(url)
            continue
        stats.pages_fetched += 1
        cards, city_links, next_links = parse_listing_page(response.text, url, now(), place)
        for item in cards:
            if isinstance(item, Rejected):
                rejected.append(item)
            elif item.source_record_id in records:
                stats.duplicate_listings += 1
            else:
                records[item.source_record_id] = item
        for link in city_links:
            enqueue(link.href, url, _place(link))
        for href in next_links:
            enqueue(href, url, place)
    stats.left_unvisited = len(queue)
    return DirectoryCrawl(tuple(records.values()), tuple(rejected), stats)
