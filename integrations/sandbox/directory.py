"""The public web directory: `robots.txt`, an index of cities and paged city listings in stable HTML.

The markup is a contract of its own for our crawler: every listing is an `<article class="business-card"
data-listing-id=...>` with `business-name`, `services`, `address` (`street`, `locality`, `region`,
`postal-code`, or `service-area` when the business hides its address), `phone`, `website` and `rating`
(`stars`, `review-count`) children; pagination is a `<a class="next" rel="next">` link. Listings are what a
directory shows, not the truth: names without legal suffixes, display-formatted phones, typos.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass

from integrations.sandbox.entities import Entity
from integrations.sandbox.geo import CITIES
from integrations.sandbox.specialties import BY_SLUG
from integrations.sandbox.variations import casual_business_name, phone_display, street_line

PAGE_SIZE = 50


def robots_txt(crawl_delay_seconds: int) -> str:
    """robots.txt of the sandbox site (Crawl-delay is a whole number of seconds, as robot parsers read it)."""
    return f"""# InstaBids sandbox directory
User-agent: *
Disallow: /directory/private/
Allow: /directory/
Disallow: /sandbox/
Crawl-delay: {crawl_delay_seconds}
"""


@dataclass(frozen=True, slots=True)
class Listing:
    listing_id: str
    entity_id: str
    city_index: int
    name: str
    services: str
    street: str | None  # None: a service-area business without a public address
    zip: str
    phone: str | None  # display form
    phone_digits: str | None
    website: str | None
    rating: float | None
    reviews: int


def make_listing(rng: random.Random, entity: Entity, listing_id: str, use_mobile: bool = False) -> Listing:
    phone = entity.mobile if use_mobile and entity.mobile else entity.phone
    services = [rng.choice(BY_SLUG[s].directory_text) for s in entity.specialties]
    if rng.random() < 0.4:
        services.append(rng.choice(BY_SLUG[entity.specialties[0]].directory_text))
    show_phone = rng.random() > 0.03
    reviews = max(0, entity.review_count + rng.randint(-3, 3)) if entity.review_count else 0
    return Listing(
        listing_id=listing_id,
        entity_id=entity.entity_id,
        city_index=entity.city_index,
        name=casual_business_name(rng, entity.base_name, entity.business_name),
        services=" · ".join(dict.fromkeys(services)),
        street=None if rng.random() < 0.15 else street_line(
            rng, entity.street_number, entity.street, entity.street_abbr, entity.street_full, entity.suite
        ),
        zip=entity.zip,
        phone=phone_display(phone, rng.randint(0, 3)) if show_phone else None,
        phone_digits=phone[-10:] if show_phone else None,
        website=entity.website if rng.random() < 0.9 else None,
        rating=entity.rating if reviews else None,
        reviews=reviews,
    )


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title></head>\n<body>\n<main>\n<h1>{html.escape(title)}</h1>\n"
        f"{body}</main>\n</body></html>\n"
    )


def render_index(counts: dict[int, int]) -> str:
    """`/directory/`: one link per city, grouped by state."""
    lines = ['<ul class="cities">']
    for index, city in sorted(enumerate(CITIES), key=lambda ic: (ic[1].state, ic[1].name)):
        href = f"/directory/{city.state.lower()}/{city.slug}/"
        lines.append(
            f'<li class="city" data-region="{city.region}"><a href="{href}">{html.escape(city.name)}, '
            f'{city.state}</a> <span class="listing-count">{counts.get(index, 0)}</span></li>'
        )
    lines.append("</ul>")
    return _page("Contractor directory", "\n".join(lines) + "\n")


def _card(listing: Listing) -> str:
    city = CITIES[listing.city_index]
    e = html.escape
    parts = [
        f'<article class="business-card" data-listing-id="{e(listing.listing_id)}">',
        f'  <h2 class="business-name">{e(listing.name)}</h2>',
        f'  <p class="services">{e(listing.services)}</p>',
    ]
    if listing.street:
        parts.append(
            f'  <p class="address"><span class="street">{e(listing.street)}</span>, '
            f'<span class="locality">{e(city.name)}</span>, <span class="region">{city.state}</span> '
            f'<span class="postal-code">{listing.zip}</span></p>'
        )
    else:
        parts.append(f'  <p class="address service-area">Serving {e(city.name)} and nearby areas</p>')
    if listing.phone:
        parts.append(f'  <p class="phone"><a href="tel:{listing.phone_digits}">{e(listing.phone)}</a></p>')
    if listing.website:
        shown = listing.website.split("//", 1)[-1].removeprefix("www.").rstrip("/")
        parts.append(f'  <p class="website"><a href="{e(listing.website)}" rel="nofollow">{e(shown)}</a></p>')
    if listing.rating is not None:
        parts.append(
            f'  <p class="rating"><span class="stars">{listing.rating:.1f}</span> stars '
            f'(<span class="review-count">{listing.reviews}</span> reviews)</p>'
        )
    else:
        parts.append('  <p class="rating no-reviews">No reviews yet</p>')
    parts.append("</article>")
    return "\n".join(parts)


def render_city(city_index: int, listings: list[Listing], page: int) -> str | None:
    """One page of a city's listings, or None when the page does not exist."""
    pages = max(1, -(-len(listings) // PAGE_SIZE))
    if page < 1 or page > pages:
        return None
    city = CITIES[city_index]
    chunk = listings[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    body = [f'<p class="pagination">Page <span class="page">{page}</span> of <span class="pages">{pages}</span></p>']
    body.append('<section class="listings">')
    body.extend(_card(listing) for listing in chunk)
    body.append("</section>")
    nav = ['<nav class="pager">']
    if page > 1:
        nav.append(f'<a class="prev" rel="prev" href="?page={page - 1}">Previous</a>')
    if page < pages:
        nav.append(f'<a class="next" rel="next" href="?page={page + 1}">Next</a>')
    nav.append("</nav>")
    body.extend(nav)
    return _page(f"Contractors in {city.name}, {city.state}", "\n".join(body) + "\n")


def render_private() -> str:
    """Behind `Disallow: /directory/private/`: a crawler that reads this ignored robots.txt."""
    card = (
        '<article class="business-card" data-listing-id="private-honeypot">\n'
        '  <h2 class="business-name">Members-only listing</h2>\n</article>'
    )
    return _page("Private member listings", card + "\n")
