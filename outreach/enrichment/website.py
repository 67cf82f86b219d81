"""Websites: a canonical URL, the business's registrable domain, and whether an email belongs to it.

Why: the registrable domain is one of the best keys for matching records of one business across sources
(`https://www.AcmeRoofing.com/contact?utm_source=x` and `acmeroofing.com` are the same shop), and an email at the
website's own domain (`bob@acmeroofing.com`) is strong evidence that both belong to the business. A profile on a
platform (facebook.com, yelp.com) is kept as the website but gives no domain: thousands of businesses share it.

The public-suffix handling is a compact table of the multi-label suffixes that US contractor sites use, not the full
Public Suffix List (no package for it is installed); unknown suffixes fall back to the last two labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit

from outreach.enrichment.email import FREE_MAIL_DOMAINS
from outreach.enrichment.fields import Normalized
from outreach.enrichment.region import STATE_NAMES

MULTI_LABEL_SUFFIXES: Final = frozenset(
    {
        "co.uk", "org.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk", "com.au", "net.au", "org.au", "co.nz",
        "org.nz", "com.mx", "com.br", "co.jp", "co.in", "co.za", "com.sg", "com.hk", "co.il", "com.ph",
        # Site builders that give each customer a subdomain (the PSL's private section): acme.wixsite.com is
        # the customer's own site.
        "wixsite.com", "godaddysites.com", "business.site", "blogspot.com", "wordpress.com", "weebly.com",
        "square.site", "myshopify.com", "github.io", "netlify.app", "herokuapp.com", "webflow.io",
        *(f"{code.lower()}.us" for code in STATE_NAMES),
    }
)  # fmt: skip

PLATFORM_DOMAINS: Final = frozenset(
    {
        "facebook.com", "fb.com", "instagram.com", "yelp.com", "nextdoor.com", "linkedin.com", "twitter.com",
        "x.com", "tiktok.com", "youtube.com", "google.com", "g.page", "goo.gl", "angi.com", "angieslist.com",
        "homeadvisor.com", "houzz.com", "thumbtack.com", "bbb.org", "porch.com", "buildzoom.com",
        "yellowpages.com", "manta.com", "mapquest.com", "craigslist.org", "linktr.ee", "pinterest.com",
    }
)  # fmt: skip
"""Sites that host profiles of many businesses: their domain identifies no one."""

_TRACKING_PARAMS = re.compile(r"^(?:utm_\w+|fbclid|gclid|msclkid|mc_cid|mc_eid|ref)$", re.IGNORECASE)
_HOST = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class WebsiteResult:
    """A canonical URL and the business's own registrable domain."""

    url: Normalized[str]
    domain: Normalized[str]


@lru_cache(maxsize=16384)
def normalize_website(raw: str | None) -> WebsiteResult:
    """`www.AcmeRoofing.com/` → `https://www.acmeroofing.com`, domain `acmeroofing.com`. Never raises.

    The scheme is kept when given and assumed https otherwise; fragments and tracking parameters are dropped.
    """
    if raw is None or not raw.strip():
        return _invalid("absent", "no website given")
    text = raw.strip()
    if "@" in text and "/" not in text:
        return _invalid("unrecognized", "looks like an email address, not a website")
    assumed = _SCHEME.match(text) is None
    try:
        parts = urlsplit(("https://" + text) if assumed else text)
        host = (parts.hostname or "").rstrip(".").encode("idna").decode("ascii")
        port = parts.port
    except (ValueError, UnicodeError) as error:
        return _invalid("unrecognized", f"not a URL: {error}")
    if parts.scheme.lower() not in ("http", "https"):
        return _invalid("unrecognized", f"not a web address (scheme {parts.scheme.lower()!r})")
    if not _HOST.match(host):
        return _invalid("unrecognized", f"not a web host: {host[:60]!r}")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING_PARAMS.match(k)])
    path = parts.path.rstrip("/")
    url = f"{parts.scheme.lower()}://{host}{f':{port}' if port else ''}{path}{f'?{query}' if query else ''}"
    url_value = Normalized(url, 0.9 if assumed else 0.95, "url_scheme_assumed" if assumed else "url")
    domain = registrable_domain(host)
    if domain in PLATFORM_DOMAINS:
        reason = f"a profile on {domain}, not the business's own domain"
        return WebsiteResult(url_value, Normalized(None, 0.0, "platform", reason))
    return WebsiteResult(url_value, Normalized(domain, url_value.confidence, "registrable_domain"))


def registrable_domain(host: str) -> str:
    """`www.shop.acme.co.uk` → `acme.co.uk`: the part of a host name a business registers."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in MULTI_LABEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def email_matches_website(email_domain: str | None, website_domain: str | None) -> Normalized[bool]:
    """Whether an email is at the business's own website domain (`bob@mail.acme.com` matches `acme.com`)."""
    if email_domain is None or website_domain is None:
        return Normalized(None, 0.0, "absent", "needs both an email domain and a website domain")
    if registrable_domain(email_domain) == website_domain:
        return Normalized(True, 0.95, "registrable_domain")
    if email_domain in FREE_MAIL_DOMAINS:
        return Normalized(False, 0.95, "free_mail_list", f"{email_domain} is a free-mail provider")
    return Normalized(False, 0.9, "registrable_domain", "email and website are on different domains")


def _invalid(method: str, reason: str) -> WebsiteResult:
    missing = Normalized(None, 0.0, method, reason)
    return WebsiteResult(missing, missing)
