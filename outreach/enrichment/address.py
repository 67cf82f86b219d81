"""Addresses: parse with `usaddress`, standardize to USPS Publication 28 style, ZIP5.

Why: the same shop is `100 North Main Street, Suite 200` in one source and `100 N MAIN ST STE 200` in another;
entity resolution and deduplication need one spelling. The delivery line is upper case with USPS abbreviations
(the postal standard); the city is title case because the contract's `City` is (`San Diego`). A line that does not
parse is kept as given (whitespace tidied) with a low confidence, so nothing is lost and nothing is over-trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import usaddress

from outreach.enrichment.fields import Normalized
from outreach.enrichment.region import normalize_state

DIRECTIONALS: Final[dict[str, str]] = {
    "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W", "NORTHEAST": "NE", "NORTHWEST": "NW",
    "SOUTHEAST": "SE", "SOUTHWEST": "SW", "NORTH EAST": "NE", "NORTH WEST": "NW", "SOUTH EAST": "SE",
    "SOUTH WEST": "SW", "N E": "NE", "N W": "NW", "S E": "SE", "S W": "SW",
}  # fmt: skip

STREET_SUFFIXES: Final[dict[str, str]] = {
    "ALLEY": "ALY", "ALLEE": "ALY", "ALLY": "ALY", "ANNEX": "ANX", "ARCADE": "ARC", "AVENUE": "AVE", "AV": "AVE",
    "AVEN": "AVE", "AVENU": "AVE", "AVN": "AVE", "AVNUE": "AVE", "BAYOU": "BYU", "BEACH": "BCH", "BEND": "BND",
    "BLUFF": "BLF", "BOTTOM": "BTM", "BOULEVARD": "BLVD", "BOUL": "BLVD", "BOULV": "BLVD", "BRANCH": "BR",
    "BRIDGE": "BRG", "BROOK": "BRK", "BYPASS": "BYP", "CAMP": "CP", "CANYON": "CYN", "CAPE": "CPE",
    "CAUSEWAY": "CSWY", "CENTER": "CTR", "CENTRE": "CTR", "CIRCLE": "CIR", "CIRC": "CIR", "CIRCL": "CIR",
    "CRCL": "CIR", "CLIFF": "CLF", "CLUB": "CLB", "COMMON": "CMN", "CORNER": "COR", "CORNERS": "CORS",
    "COURSE": "CRSE", "COURT": "CT", "COURTS": "CTS", "COVE": "CV", "CREEK": "CRK", "CRESCENT": "CRES",
    "CREST": "CRST", "CROSSING": "XING", "CURVE": "CURV", "DALE": "DL", "DAM": "DM", "DIVIDE": "DV",
    "DRIVE": "DR", "DRIV": "DR", "DRV": "DR", "ESTATE": "EST", "ESTATES": "ESTS", "EXPRESSWAY": "EXPY",
    "EXTENSION": "EXT", "FALLS": "FLS", "FERRY": "FRY", "FIELD": "FLD", "FIELDS": "FLDS", "FLAT": "FLT",
    "FORD": "FRD", "FOREST": "FRST", "FORGE": "FRG", "FORK": "FRK", "FORT": "FT", "FREEWAY": "FWY",
    "GARDEN": "GDN", "GARDENS": "GDNS", "GATEWAY": "GTWY", "GLEN": "GLN", "GREEN": "GRN", "GROVE": "GRV",
    "HARBOR": "HBR", "HAVEN": "HVN", "HEIGHTS": "HTS", "HIGHWAY": "HWY", "HIWAY": "HWY", "HIWY": "HWY",
    "HWAY": "HWY", "HILL": "HL", "HILLS": "HLS", "HOLLOW": "HOLW", "ISLAND": "IS", "JUNCTION": "JCT",
    "KNOLL": "KNL", "LAKE": "LK", "LAKES": "LKS", "LANDING": "LNDG", "LANE": "LN", "LIGHT": "LGT",
    "LODGE": "LDG", "LOOP": "LOOP", "MALL": "MALL", "MANOR": "MNR", "MEADOW": "MDW", "MEADOWS": "MDWS",
    "MILL": "ML", "MISSION": "MSN", "MOTORWAY": "MTWY", "MOUNT": "MT", "MOUNTAIN": "MTN", "ORCHARD": "ORCH",
    "OVAL": "OVAL", "OVERPASS": "OPAS", "PARK": "PARK", "PARKWAY": "PKWY", "PARKWY": "PKWY", "PKWAY": "PKWY",
    "PKY": "PKWY", "PASS": "PASS", "PASSAGE": "PSGE", "PATH": "PATH", "PIKE": "PIKE", "PINES": "PNES",
    "PLACE": "PL", "PLAIN": "PLN", "PLAINS": "PLNS", "PLAZA": "PLZ", "POINT": "PT", "POINTS": "PTS",
    "PORT": "PRT", "PRAIRIE": "PR", "RANCH": "RNCH", "RAPIDS": "RPDS", "REST": "RST", "RIDGE": "RDG",
    "RIVER": "RIV", "ROAD": "RD", "ROADS": "RDS", "ROUTE": "RTE", "ROW": "ROW", "RUN": "RUN", "SHOAL": "SHL",
    "SHORE": "SHR", "SHORES": "SHRS", "SKYWAY": "SKWY", "SPRING": "SPG", "SPRINGS": "SPGS", "SPUR": "SPUR",
    "SQUARE": "SQ", "STATION": "STA", "STREAM": "STRM", "STREET": "ST", "STR": "ST", "STRT": "ST",
    "SUMMIT": "SMT", "TERRACE": "TER", "THROUGHWAY": "TRWY", "TRACE": "TRCE", "TRAIL": "TRL", "TRAILS": "TRL",
    "TUNNEL": "TUNL", "TURNPIKE": "TPKE", "UNDERPASS": "UPAS", "UNION": "UN", "VALLEY": "VLY", "VIADUCT": "VIA",
    "VIEW": "VW", "VILLAGE": "VLG", "VILLE": "VL", "VISTA": "VIS", "WALK": "WALK", "WAY": "WAY", "WELLS": "WLS",
}  # fmt: skip
"""USPS Publication 28 appendix C1: common suffixes and their misspellings → the standard abbreviation."""

UNIT_DESIGNATORS: Final[dict[str, str]] = {
    "APARTMENT": "APT", "APT": "APT", "SUITE": "STE", "STE": "STE", "UNIT": "UNIT", "BUILDING": "BLDG",
    "BLDG": "BLDG", "FLOOR": "FL", "FL": "FL", "ROOM": "RM", "RM": "RM", "DEPARTMENT": "DEPT", "DEPT": "DEPT",
    "SPACE": "SPC", "SPC": "SPC", "TRAILER": "TRLR", "TRLR": "TRLR", "LOT": "LOT", "OFFICE": "OFC", "OFC": "OFC",
    "HANGAR": "HNGR", "PIER": "PIER", "SLIP": "SLIP", "BASEMENT": "BSMT", "FRONT": "FRNT", "LOBBY": "LBBY",
    "PENTHOUSE": "PH", "REAR": "REAR", "SIDE": "SIDE", "UPPER": "UPPR", "LOWER": "LOWR", "#": "#",
}  # fmt: skip
"""USPS Publication 28 appendix C2: secondary unit designators; `#` when the source gave no designator."""

_BOX_TYPES: Final[dict[str, str]] = {"RURAL ROUTE": "RR", "RR": "RR", "HIGHWAY CONTRACT": "HC", "HC": "HC"}

_STREET_ORDER: Final = (
    "AddressNumberPrefix",
    "AddressNumber",
    "AddressNumberSuffix",
    "StreetNamePreModifier",
    "StreetNamePreDirectional",
    "StreetNamePreType",
    "StreetName",
    "StreetNamePostType",
    "StreetNamePostDirectional",
)
_IGNORED: Final = frozenset({"Recipient", "NotAddress", "LandmarkName", "BuildingName", "CountryName"})


def _alternation(words: set[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=lambda word: (-len(word), word)))


_DIRECTIONAL_WORDS: Final = _alternation({*DIRECTIONALS.values(), *(k for k in DIRECTIONALS if " " not in k)})
_SIMPLE_STREET = re.compile(
    rf"^(?P<AddressNumber>\d+[A-Z]?)"
    rf"(?: (?P<StreetNamePreDirectional>{_DIRECTIONAL_WORDS}))?"
    rf" (?P<StreetName>[A-Z0-9']+(?: [A-Z0-9']+){{0,3}}?)"
    rf" (?P<StreetNamePostType>{_alternation({*STREET_SUFFIXES, *STREET_SUFFIXES.values()})})"
    rf"(?: (?P<StreetNamePostDirectional>{_DIRECTIONAL_WORDS}))?"
    rf"(?: (?:(?P<OccupancyType>{_alternation(set(UNIT_DESIGNATORS) - {'#'})})(?: #)?|#)"
    rf" ?(?P<OccupancyIdentifier>[A-Z0-9-]+))?$"
)
"""The everyday line (`100 N MAIN ST STE 200`): number, optional directional, a short name, a known suffix, an
optional unit. It is read with this pattern because usaddress's tagger costs ~50 µs a line and most lines are
this simple; anything else goes to usaddress."""

_FROM_STREET_LINE: Final = 0.8
"""Trust in a city, state or ZIP read out of the street line rather than given in its own field."""

_PUNCTUATION = re.compile(r"[.,;:]+")
_SPACES = re.compile(r"\s+")
_ZIP = re.compile(r"^(\d{5})(?:[-\s]?\d{4})?(?:\.0+)?$")
_CITY_STATE_ZIP = re.compile(r"^(.*?),\s*([A-Za-z .]+?)\.?\s+(\d{5}(?:-\d{4})?)$")
_CITY_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


@dataclass(frozen=True, slots=True)
class AddressResult:
    """A standardized address; each part carries how sure the parse was."""

    street: Normalized[str]
    city: Normalized[str]
    state: Normalized[str]
    postal_code: Normalized[str]


@dataclass(frozen=True, slots=True)
class _StreetParse:
    line: Normalized[str]
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None


def normalize_address(
    street: str | None, city: str | None, state: str | None, postal_code: str | None
) -> AddressResult:
    """Standardize an address given in parts; parts found inside the street line fill missing ones.

    A TX-style `AUSTIN, TX 78701` in the city field is split too. Never raises.
    """
    if city and "," in city and (match := _CITY_STATE_ZIP.match(city.strip())):
        city, state, postal_code = match.group(1), state or match.group(2), postal_code or match.group(3)
    parsed = _parse_street(_SPACES.sub(" ", street).strip() if street else "")
    city_value = normalize_city(city)
    if city_value.value is None and parsed.city:
        city_value = normalize_city(parsed.city).scaled(_FROM_STREET_LINE, "city found in the street line")
    state_value = normalize_state(state)
    if state_value.value is None and parsed.state:
        state_value = normalize_state(parsed.state).scaled(_FROM_STREET_LINE, "state found in the street line")
    zip_value = normalize_zip(postal_code)
    if zip_value.value is None and parsed.postal_code:
        zip_value = normalize_zip(parsed.postal_code).scaled(_FROM_STREET_LINE, "ZIP found in the street line")
    return AddressResult(street=parsed.line, city=city_value, state=state_value, postal_code=zip_value)


@lru_cache(maxsize=16384)
def _parse_street(line: str) -> _StreetParse:
    """The standardized line, plus any city, state or ZIP the line itself carried: the everyday pattern first,
    usaddress for the rest."""
    if not line:
        return _StreetParse(Normalized(None, 0.0, "absent", "no street given"))
    simple = _SIMPLE_STREET.match(_clean(line))
    if simple is not None:
        return _StreetParse(_street_line({k: v for k, v in simple.groupdict().items() if v}, "street_pattern"))
    try:
        tagged, kind = usaddress.tag(line)
    except usaddress.RepeatedLabelError:
        return _StreetParse(_unparsed(line, "ambiguous: a part of the address appears twice"))
    except Exception as error:  # usaddress's tagger can fail on odd input; bad data must not stop a batch
        return _StreetParse(_unparsed(line, f"parser failed: {type(error).__name__}"))
    parts = {label: _clean(value) for label, value in tagged.items()}
    extra = dict(city=parts.get("PlaceName"), state=parts.get("StateName"), postal_code=parts.get("ZipCode"))
    if kind == "PO Box" and parts.get("USPSBoxID"):
        return _StreetParse(_po_box(parts), **extra)
    if kind != "Street Address" or not parts.get("StreetName"):
        return _StreetParse(_unparsed(line, f"not a street address ({kind.lower()})"), **extra)
    return _StreetParse(_street_line(parts), **extra)


def _street_line(parts: dict[str, str], method: str = "usaddress") -> Normalized[str]:
    tokens = []
    for label in _STREET_ORDER:
        value = parts.get(label)
        if value is None:
            continue
        if label in ("StreetNamePreDirectional", "StreetNamePostDirectional"):
            value = DIRECTIONALS.get(value, value)
        elif label == "StreetNamePostType":
            value = STREET_SUFFIXES.get(value, value)
        tokens.append(value)
    tokens += _unit(parts.get("SubaddressType"), parts.get("SubaddressIdentifier"))
    tokens += _unit(parts.get("OccupancyType"), parts.get("OccupancyIdentifier"))
    line = " ".join(tokens)
    dropped = sorted(label for label in parts if label in _IGNORED)
    if "AddressNumber" not in parts:
        return Normalized(line, 0.4, method, "no house number")
    if dropped:
        return Normalized(line, 0.85, method, "dropped " + ", ".join(dropped))
    if "StreetNamePostType" not in parts and "StreetNamePreType" not in parts:
        return Normalized(line, 0.85, method, "no street type")
    return Normalized(line, 1.0, method)


def _unit(designator: str | None, identifier: str | None) -> list[str]:
    """`Suite`, `200` → [`STE`, `200`]; `# 12` alone → [`#`, `12`]."""
    ident = identifier.replace("#", "").strip() if identifier else ""
    if designator is None:
        return ["#", ident] if ident else []
    kind = UNIT_DESIGNATORS.get(designator.replace("#", "").strip() or "#", designator)
    return [kind, ident] if ident else [kind]


def _po_box(parts: dict[str, str]) -> Normalized[str]:
    box = f"PO BOX {parts['USPSBoxID']}"
    group = parts.get("USPSBoxGroupType")
    if group is not None:
        box = f"{_BOX_TYPES.get(group, group)} {parts.get('USPSBoxGroupID', '')} BOX {parts['USPSBoxID']}"
    return Normalized(_SPACES.sub(" ", box), 0.95, "usaddress")


def _clean(value: str) -> str:
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", value.upper())).strip()


def _unparsed(line: str, reason: str) -> Normalized[str]:
    return Normalized(_SPACES.sub(" ", line.upper()).strip(), 0.2, "raw", reason)


@lru_cache(maxsize=16384)
def normalize_city(raw: str | None) -> Normalized[str]:
    """`SAN DIEGO`, ` san  diego ` → `San Diego`; None when there are no letters to speak of."""
    if raw is None or not raw.strip():
        return Normalized(None, 0.0, "absent", "no city given")
    text = _SPACES.sub(" ", raw.replace(".", ". ")).strip(" ,.")
    if sum(ch.isalpha() for ch in text) < 2:
        return Normalized(None, 0.0, "unrecognized", f"not a city name: {raw.strip()[:40]!r}")
    titled = _CITY_WORD.sub(_title_word, text)
    return Normalized(titled, 1.0, "city_title_case")


def _title_word(match: re.Match[str]) -> str:
    """Capitalize a word, also after a one-letter prefix and apostrophe (`O'Fallon`, `D'Iberville`)."""
    word = match.group(0)
    head, quote, tail = word.partition("'")
    if quote and len(head) == 1:
        return f"{head.upper()}'{tail.capitalize()}"
    return word.capitalize()


@lru_cache(maxsize=16384)
def normalize_zip(raw: str | None) -> Normalized[str]:
    """`92101`, `92101-1234`, `921011234` → `92101`; a 4-digit ZIP (leading zero lost in a spreadsheet) is padded."""
    if raw is None or not raw.strip():
        return Normalized(None, 0.0, "absent", "no ZIP given")
    text = raw.strip()
    if match := _ZIP.match(text):
        return Normalized(match.group(1), 1.0, "zip5")
    if len(text) == 4 and text.isdigit():
        return Normalized("0" + text, 0.7, "zip5_padded", "4 digits: leading zero restored")
    return Normalized(None, 0.0, "unrecognized", f"not a US ZIP code: {text[:20]!r}")
