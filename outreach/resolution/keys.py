"""Matching keys: each raw field reduced to the form in which two records of one business agree.

These keys exist for comparison only, never for display: `ACME PLUMBING INC`, `Acme Plumbing, Inc.` and
`!ACME PLUMBING` all become `acme plumbing`; `DOCKERY RANDALL MARK` and `Randall M. Dockery` become token sets
that the model compares order-insensitively; phones become 10 NANP digits, emails a validated lowercase address
plus its domain when the domain belongs to the business (not a free-mail provider), street lines a house number
and a street name with USPS abbreviations folded, postal codes ZIP5. A value that cannot be read (a 9-digit
phone, `john.gmail.com`) becomes null, so that it is neither evidence for nor against a match.

`match_keys` applies the scalar functions to a whole frame through each column's distinct values, which keeps
a million records to a few seconds: sources repeat the same spellings across days.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import pandas as pd
import phonenumbers
from email_validator import EmailNotValidError, validate_email
from faker.providers.person.en_US import Provider as _UsNames
from rapidfuzz.distance import DamerauLevenshtein

RAW_FIELDS = ("business_name", "contact_name", "street", "city", "state", "postal_code", "phone", "email")
"""The fields a record to resolve may carry (any may be empty)."""

KEY_COLUMNS = (
    "name",
    "name_slug",
    "person",
    "phone",
    "phone7",
    "email",
    "email_domain",
    "email_handle",
    "street_number",
    "street_name",
    "zip5",
    "city",
    "state",
)
"""The columns `match_keys` returns, in this order; token-valued keys are space-joined sorted tokens."""

LEGAL_SUFFIXES = frozenset(
    (
        "inc", "incorporated", "llc", "lc", "ltd", "limited", "co", "company", "corp", "corporation", "lp", "llp",
        "pllc", "pc", "plc", "pa",
    )
)  # fmt: skip
_NAME_STOPWORDS_AT_ENDS = frozenset({"the", "and"})
_DBA_MARKERS = ("dba", "aka", "fka", "doing business as", "also known as", "trading as")
_PERSON_NOISE = frozenset(("mr", "mrs", "ms", "miss", "dr", "jr", "sr", "ii", "iii", "iv", "esq", "phd"))
_NICKNAMES = {
    nickname: formal
    for formal, nicknames in {
        "robert": "bob bobby rob robbie bert", "william": "bill billy will willy", "james": "jim jimmy jamie",
        "richard": "rick ricky rich dick", "michael": "mike mikey mick", "joseph": "joe joey",
        "thomas": "tom tommy", "charles": "chuck charlie", "daniel": "dan danny", "matthew": "matt",
        "anthony": "tony", "andrew": "andy drew", "joshua": "josh", "kenneth": "ken kenny", "edward": "ed eddie ted",
        "jennifer": "jen jenny", "elizabeth": "liz beth betsy", "timothy": "tim timmy", "gregory": "greg",
        "jonathan": "jon", "nicholas": "nick nicky", "benjamin": "ben benny", "raymond": "ray",
        "lawrence": "larry", "donald": "don donnie", "ronald": "ron ronnie", "gerald": "jerry", "douglas": "doug",
        "jeffrey": "jeff", "david": "dave davey", "peter": "pete", "frederick": "fred freddie", "zachary": "zach",
        "nathaniel": "nate", "jacob": "jake", "vincent": "vince", "phillip": "phil", "gabriel": "gabe",
        "katherine": "kate katie kathy", "margaret": "maggie peggy meg", "susan": "sue susie",
        "deborah": "deb debbie", "rebecca": "becky", "kimberly": "kim", "cynthia": "cindy", "pamela": "pam",
        "victoria": "vicky", "jessica": "jess jessie", "randall": "randy", "francisco": "paco",
        "steven": "steve stephen", "patrick": "pat", "christopher": "chris", "samuel": "sam", "alexander": "alex",
    }.items()
    for nickname in nicknames.split()
}  # fmt: skip
"""Common English nicknames → a formal name, so `Bob Smith` and `SMITH ROBERT` share both words."""
GIVEN_NAMES = frozenset(
    _NICKNAMES.get(name.lower(), name.lower())
    for name in (*_UsNames.first_names_male, *_UsNames.first_names_female, *_NICKNAMES.values())
)
SURNAMES = frozenset(name.lower() for name in _UsNames.last_names)
"""US given names and surnames by frequency (the census-derived lists Faker ships), to recognise a person's name."""

FREE_MAIL_DOMAINS = frozenset(
    (
        "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "rocketmail.com", "hotmail.com", "outlook.com",
        "live.com", "msn.com", "aol.com", "icloud.com", "me.com", "mac.com", "comcast.net", "att.net",
        "sbcglobal.net", "bellsouth.net", "verizon.net", "cox.net", "charter.net", "earthlink.net",
        "protonmail.com", "proton.me", "gmx.com", "gmx.us", "mail.com", "zoho.com", "yandex.com", "frontier.com",
        "centurylink.net", "windstream.net", "optonline.net", "rr.com", "juno.com", "netzero.net", "q.com",
        "embarqmail.com",
    )
)  # fmt: skip
"""Providers whose domain says nothing about the business: two strangers may both use gmail.com."""
_FREE_MAIL_STEMS = frozenset(domain.split(".")[0] for domain in FREE_MAIL_DOMAINS)

# USPS Publication 28 street suffixes and directionals, plus the ordinals people spell out.
_STREET_WORDS = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "aven": "ave", "boulevard": "blvd",
    "boul": "blvd", "drive": "dr", "drv": "dr", "road": "rd", "lane": "ln", "court": "ct", "place": "pl",
    "circle": "cir", "parkway": "pkwy", "pky": "pkwy", "highway": "hwy", "hiway": "hwy", "terrace": "ter",
    "trail": "trl", "square": "sq", "crossing": "xing", "expressway": "expy", "freeway": "fwy",
    "center": "ctr", "centre": "ctr", "plaza": "plz", "point": "pt", "ridge": "rdg", "heights": "hts",
    "mount": "mt", "mountain": "mtn", "loop": "loop", "alley": "aly", "creek": "crk", "canyon": "cyn",
    "valley": "vly", "view": "vw", "village": "vlg", "station": "sta", "junction": "jct", "route": "rte",
    "north": "n", "south": "s", "east": "e", "west": "w", "northeast": "ne", "northwest": "nw",
    "southeast": "se", "southwest": "sw", "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th",
    "fifth": "5th", "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
}  # fmt: skip
_UNIT = re.compile(r"\b(?:suite|ste|unit|apt|apartment|bldg|building|fl|floor|rm|room|spc|space|lot|trlr|dept)\b.*$")
_PO_BOX = re.compile(r"^p\s*o\s*box\s*(\d+)")
_CITY_WORDS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}
US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
    "new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR",
}  # fmt: skip
_STATE_CODES = frozenset(US_STATES.values())


def _ascii_lower(text: str) -> str:
    """Accents folded (`Muñoz` → `munoz`) and lowercased: sources disagree on both."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _words(text: str) -> list[str]:
    """Lowercase alphanumeric words; `.` and `'` vanish inside words (`L.L.C.` → `llc`, `Bob's` → `bobs`)."""
    text = _ascii_lower(text).replace("&", " and ").replace("+", " and ")
    text = re.sub(r"[.'’`/]", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text).split()


def _join_initials(words: list[str]) -> list[str]:
    """Runs of single characters are one word: `A B C Plumbing` and `ABC Plumbing` agree, as do `L L C` and
    `LLC`, and `A-1` and `A1`."""
    joined: list[str] = []
    run = ""
    for word in [*words, ""]:
        if len(word) == 1:
            run += word
            continue
        if run:
            joined.append(run)
            run = ""
        if word:
            joined.append(word)
    return joined


def business_name_key(raw: str | None) -> str | None:
    """`!ACME PLUMBING, INC.` → `acme plumbing`; `SMITH JOHN DBA Smith & Sons Co` → `smith and sons`.

    Sort prefixes and punctuation go, `&` reads as `and`, and legal suffixes at the end are dropped since one
    source prints them and another does not. With a DBA the trade name is kept: it is what other sources use.
    Nicknames are folded as in `person_key`, because a sole owner's business name is their own name.
    """
    if not raw:
        return None
    words = _join_initials(_words(raw))
    text = f" {' '.join(words)} "
    for marker in _DBA_MARKERS:
        head, found, tail = text.rpartition(f" {marker} ")
        if found and tail.strip():
            text = f" {tail} "
        elif found:
            text = f" {head} "
    words = text.split()
    while words and (words[-1] in LEGAL_SUFFIXES or words[-1] in _NAME_STOPWORDS_AT_ENDS):
        words.pop()
    while words and words[0] in _NAME_STOPWORDS_AT_ENDS:
        words.pop(0)
    return " ".join(_NICKNAMES.get(word, word) for word in words) or None


def person_key(raw: str | None) -> str | None:
    """A person name as its sorted set of words: `DOCKERY RANDALL MARK`, `Dockery, Randall Mark` and
    `randall mark dockery` agree whatever the order. Titles go, common nicknames read as the formal name
    (`Randy` → `randall`), initials stay as one-letter words (`Randall M. Dockery` → `dockery m randall`): the
    model reads `m` as compatible with `mark`, and `Chris W.` as someone other than `Chris C.`. A name without a
    word of two letters or more (`J.`) is null."""
    if not raw:
        return None
    words = {_NICKNAMES.get(w, w) for w in _words(raw) if w not in _PERSON_NOISE and w != "and"}
    return " ".join(sorted(words)) if any(len(word) > 1 for word in words) else None


def looks_like_person(name: str | None) -> bool:
    """True for a business name key that reads as a person's name, as registries list sole owners
    (`dockery randall mark`): 2-4 words, a given name among them, and every word a known name, except one
    unknown surname when two given names vouch for it. `Johnson Taylor Construction` is not a person."""
    words = name.split() if name else []
    if not 2 <= len(words) <= 4:
        return False
    given = sum(word in GIVEN_NAMES for word in words)
    unknown = sum(word not in GIVEN_NAMES and word not in SURNAMES for word in words)
    return given >= 1 and (unknown == 0 or (unknown == 1 and given >= 2))


_EXTENSION = re.compile(r"(?:\bext\b\.?|\bextension\b|\bx|#)\s*\d+\s*$", re.IGNORECASE)


def phone_keys(raw: str | None) -> tuple[str | None, str | None]:
    """(10-digit NANP number, its last 7 digits) from any spelling; a bare 7-digit local number gives only the
    second. Extensions and words (`(cell)`, `- mobile`) are cut first, because `phonenumbers` would read letters
    as a vanity number. Numbers that are impossible in the NANP (`123-456-7890`, `0000000000`) are null."""
    if not raw:
        return None, None
    text = _EXTENSION.sub("", raw)
    text = re.sub(r"[A-Za-z]", "", text)
    digits = re.sub(r"\D", "", text)
    if len(digits) == 7:
        return None, digits
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None, None
    national = str(number.national_number)
    if number.country_code != 1 or len(national) != 10 or not phonenumbers.is_valid_number(number):
        return None, None
    return national, national[3:]


def email_key(raw: str | None) -> str | None:
    """A validated, lowercased address: `mailto:`, spaces, a trailing dot and `name at acme dot com` are read;
    anything still invalid (`john.gmail.com`) is null. Syntax only, no DNS: matching must work offline."""
    if not raw:
        return None
    text = raw.strip().lower()
    text = text.removeprefix("mailto:").strip().rstrip(".")
    text = re.sub(r"\s+at\s+", "@", text)
    text = re.sub(r"\s+dot\s+", ".", text)
    text = re.sub(r"\s+", "", text)
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def is_free_mail(domain: str) -> bool:
    """True for free-mail providers and their typos (`gmial.com`): their domain does not identify a business."""
    if domain in FREE_MAIL_DOMAINS:
        return True
    labels = domain.split(".")
    stem = labels[-2] if len(labels) >= 2 else labels[0]
    return len(stem) >= 4 and any(DamerauLevenshtein.distance(stem, free) <= 1 for free in _FREE_MAIL_STEMS)


def business_domain(email: str | None) -> str | None:
    """The domain of a normalized email when it is the business's own (`acmeplumbing.com`), else null."""
    if not email:
        return None
    domain = email.rpartition("@")[2]
    return None if is_free_mail(domain) else domain


_GENERIC_MAILBOXES = frozenset(
    (
        "info", "office", "contact", "sales", "admin", "service", "support", "hello", "mail", "email", "estimates",
        "quotes", "billing", "team",
    )
)  # fmt: skip


def name_slug(name: str | None) -> str | None:
    """A business name key as a domain would spell it: `hill heating and air` → `hillheatingair`."""
    if not name:
        return None
    return "".join(word for word in name.split() if word != "and") or None


def email_handle(email: str | None) -> str | None:
    """What an address says about its owner's business name, to compare with `name_slug` of a record that has
    one: the business domain's name (`office@hill-heating.com` → `hillheating`), or a free-mail local part that
    reads like a name (`greenleafwindows@att.net` → `greenleafwindows`). Generic or short mailboxes say nothing."""
    if not email:
        return None
    local, _, domain = email.rpartition("@")
    if not is_free_mail(domain):
        labels = domain.split(".")
        return re.sub(r"[^a-z0-9]", "", labels[-2] if len(labels) >= 2 else labels[0]) or None
    handle = re.sub(r"[^a-z]", "", local)
    return handle if len(handle) >= 8 and handle not in _GENERIC_MAILBOXES else None


def street_keys(raw: str | None) -> tuple[str | None, str | None]:
    """(house number, street name) with units cut and USPS words folded: `123 Oak Street, Suite 4`,
    `123 OAK ST STE 4` and `123 Oak St #4` all give ("123", "oak st"). A PO box gives (box number, "po box")."""
    if not raw:
        return None, None
    text = _UNIT.sub("", " ".join(_words(raw.split("#")[0]))).strip()
    if box := _PO_BOX.match(text):
        return box.group(1), "po box"
    words = text.split()
    number = None
    if words and (match := re.match(r"^(\d+)", words[0])):
        number = match.group(1)
        words = words[1:]
    name = " ".join(_STREET_WORDS.get(word, word) for word in words)
    return number, name or None


def zip5(raw: str | None) -> str | None:
    """`92101-1234`, `921011234` and `92101` → `92101`; a 4-digit code lost its leading zero (`2134`)."""
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 4:
        digits = "0" + digits
    if len(digits) not in (5, 9) or digits[:5] == "00000":
        return None
    return digits[:5]


def city_key(raw: str | None) -> str | None:
    """`St. Louis` and `SAINT LOUIS` → `saint louis`."""
    if not raw:
        return None
    words = _words(raw)
    if words:
        words[0] = _CITY_WORDS.get(words[0], words[0])
    return " ".join(words) or None


def state_key(raw: str | None) -> str | None:
    """Two-letter USPS code from a code or a full name (`Washington` → `WA`); anything else is null."""
    if not raw:
        return None
    text = " ".join(_words(raw))
    if text.upper() in _STATE_CODES:
        return text.upper()
    return US_STATES.get(text)


def _owner_from_name(name: str) -> str | None:
    """A record without a contact whose business name is a person's name: that person is its contact."""
    return person_key(name) if looks_like_person(name) else None


def _by_distinct(column: pd.Series, function: Callable[[str], object]) -> pd.Series:
    """`function` applied once per distinct value: a million rows repeat far fewer spellings."""
    distinct = column.dropna().unique()
    lookup = {value: function(value) for value in distinct}
    return column.map(lookup)


def _as_text(value: object) -> str | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a ZIP or phone read as a number: 92101.0 is "92101"
    return str(value).strip() or None


def _clean_text(column: pd.Series) -> pd.Series:
    """Strings with blank cells as null, whatever dtype the caller's frame had."""
    column = column.astype("object").where(column.notna(), None)
    return column.map(lambda value: None if value is None else _as_text(value))


def match_keys(records: pd.DataFrame) -> pd.DataFrame:
    """The `KEY_COLUMNS` of each row of `records` (same index); absent raw fields count as empty."""
    raw = {
        field: _clean_text(records[field]) if field in records else pd.Series(None, index=records.index, dtype=object)
        for field in RAW_FIELDS
    }
    phones = _by_distinct(raw["phone"], phone_keys)
    streets = _by_distinct(raw["street"], street_keys)
    email = _by_distinct(raw["email"], email_key)
    name = _by_distinct(raw["business_name"], business_name_key)
    person = _by_distinct(raw["contact_name"], person_key).fillna(_by_distinct(name, _owner_from_name))
    keys = pd.DataFrame(
        {
            "name": name,
            "name_slug": _by_distinct(name, name_slug),
            "person": person,
            "phone": phones.map(lambda pair: pair[0], na_action="ignore"),
            "phone7": phones.map(lambda pair: pair[1], na_action="ignore"),
            "email": email,
            "email_domain": _by_distinct(email, business_domain),
            "email_handle": _by_distinct(email, email_handle),
            "street_number": streets.map(lambda pair: pair[0], na_action="ignore"),
            "street_name": streets.map(lambda pair: pair[1], na_action="ignore"),
            "zip5": _by_distinct(raw["postal_code"], zip5),
            "city": _by_distinct(raw["city"], city_key),
            "state": _by_distinct(raw["state"], state_key),
        },
        index=records.index,
    )
    return keys.astype(object).where(keys.notna(), None)
