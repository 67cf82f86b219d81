"""States, cities and region slugs: the contract's `state` (`CA`), `city` (`San Diego`) and `region`
(`us-ca-san-diego`).

Why: campaigns, demand and quiet hours are all keyed by region and state, and sources spell them every way
(`California`, `ca`, `Calif.`, `SAN DIEGO`). One slug function keeps every part of the system producing the same key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from outreach.enrichment.fields import Normalized

STATE_NAMES: Final[dict[str, str]] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands",
    "AS": "American Samoa", "MP": "Northern Mariana Islands",
}  # fmt: skip
"""US states, DC and the inhabited territories by USPS code."""

STATE_TIME_ZONES: Final[dict[str, str]] = {
    "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix", "AR": "America/Chicago",
    "CA": "America/Los_Angeles", "CO": "America/Denver", "CT": "America/New_York", "DE": "America/New_York",
    "DC": "America/New_York", "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
    "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis", "IA": "America/Chicago",
    "KS": "America/Chicago", "KY": "America/New_York", "LA": "America/Chicago", "ME": "America/New_York",
    "MD": "America/New_York", "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
    "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver", "NE": "America/Chicago",
    "NV": "America/Los_Angeles", "NH": "America/New_York", "NJ": "America/New_York", "NM": "America/Denver",
    "NY": "America/New_York", "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York", "RI": "America/New_York",
    "SC": "America/New_York", "SD": "America/Chicago", "TN": "America/Chicago", "TX": "America/Chicago",
    "UT": "America/Denver", "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
    "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver", "PR": "America/Puerto_Rico",
    "GU": "Pacific/Guam", "VI": "America/St_Thomas", "AS": "Pacific/Pago_Pago", "MP": "Pacific/Saipan",
}  # fmt: skip
"""Each state's most populous IANA zone: the fallback for quiet hours when the phone does not tell."""

_STATE_ALIASES: Final[dict[str, str]] = {
    **{name.upper(): code for code, name in STATE_NAMES.items()},
    "VIRGIN ISLANDS": "VI", "WASHINGTON DC": "DC", "WASHINGTON D C": "DC", "D C": "DC",
    "CALIF": "CA", "CAL": "CA", "WASH": "WA", "TEX": "TX", "FLA": "FL", "MASS": "MA", "PENN": "PA", "PENNA": "PA",
    "ARIZ": "AZ", "COLO": "CO", "CONN": "CT", "ILL": "IL", "MICH": "MI", "MINN": "MN", "ORE": "OR", "OREG": "OR",
    "WIS": "WI", "WISC": "WI", "NEV": "NV", "OKLA": "OK", "TENN": "TN", "N MEX": "NM", "N Y": "NY",
}  # fmt: skip

REGION_PATTERN: Final = re.compile(r"^[a-z]{2}-[a-z]{2}-[a-z0-9]+(-[a-z0-9]+)*$")
"""The contract's Region pattern (common.schema.json)."""

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_STATE_NOISE = re.compile(r"[.\s]+")


@lru_cache(maxsize=4096)
def normalize_state(raw: str | None) -> Normalized[str]:
    """A state name, code or common abbreviation (`California`, `ca`, `Calif.`) → its 2-letter USPS code."""
    if raw is None or not raw.strip():
        return Normalized(None, 0.0, "absent", "no state given")
    key = _STATE_NOISE.sub(" ", raw.upper()).strip()
    if len(key) == 2 and key in STATE_NAMES:
        return Normalized(key, 1.0, "state_code")
    compact = key.replace(" ", "")
    if len(compact) == 2 and compact in STATE_NAMES:
        return Normalized(compact, 0.95, "state_code")
    code = _STATE_ALIASES.get(key)
    if code is not None:
        return Normalized(code, 0.95, "state_name")
    return Normalized(None, 0.0, "unrecognized", f"not a US state: {raw.strip()[:40]!r}")


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by `-` (accents folded, apostrophes dropped, `&` read as `and`)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    folded = folded.replace("'", "").replace("&", " and ")
    return _NOT_SLUG.sub("-", folded).strip("-")


@lru_cache(maxsize=16384)
def region_slug(city: str, state: str, country: str = "us") -> str | None:
    """`San Diego`, `CA` → `us-ca-san-diego`; None when the parts cannot make a valid slug."""
    slug = f"{country.lower()}-{state.lower()}-{slugify(city)}"
    return slug if REGION_PATTERN.match(slug) and len(slug) <= 100 else None


@lru_cache(maxsize=4096)
def normalize_region(raw: str | None) -> Normalized[str]:
    """A region slug as a source gave it (`US-CA-San Diego`) → the contract's form, or None with a reason."""
    if raw is None or not raw.strip():
        return Normalized(None, 0.0, "absent", "no region given")
    parts = raw.strip().split("-", 2)
    if len(parts) == 3 and normalize_state(parts[1]).value is not None:
        slug = region_slug(parts[2], parts[1], parts[0])
        if slug is not None and parts[0].lower() == "us":
            exact = slug == raw
            return Normalized(slug, 1.0 if exact else 0.9, "region_slug" if exact else "region_reslugged")
    return Normalized(None, 0.0, "unrecognized", f"not a region slug: {raw.strip()[:60]!r}")


def split_region(slug: str) -> tuple[str, str]:
    """`us-ca-san-diego` → (`CA`, `San Diego`): a fallback state and city for records that only name a region.

    The city is a guess from the slug (`st-louis` → `St Louis`), so callers should trust it less.
    """
    _, state, city = slug.split("-", 2)
    return state.upper(), city.replace("-", " ").title()
