"""Benchmark and accuracy check of entity resolution on labelled synthetic contractor records.

    .venv/bin/python bench/bench_resolution.py                 # 100,000 records
    .venv/bin/python bench/bench_resolution.py --n 1000000 --no-baseline

Prints one JSON line: records/s of `resolve()`, peak RSS, and pairwise precision/recall/F1 of the splink model
and of a baseline (exact phone-or-email union-find) against the generator's entity labels.

The generator reproduces what discovery sources do to one business, so that the numbers mean something: several
sources per business (license registries in upper case with `LAST FIRST MIDDLE` owners, WA sort prefixes,
ZIP+4, bare digits for phones; directories with display names, suites and formatted phones; social profiles and
referrals with nicknames, casual or misspelled names, free-mail addresses and the owner's cell), the same source
record re-fetched on several days (sometimes re-formatted), malformed or missing fields. And the hard negatives
that make precision hard: family businesses sharing a surname, a phone and sometimes an address; look-alike names
in one city (`Pro Plumbing` / `Pro Plumbing & Drain`); the same name in another city; owners with common names.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time
from dataclasses import dataclass

import pandas as pd

from outreach.resolution import evaluate, resolve
from outreach.resolution.keys import email_key, phone_keys

FIRST = (
    "James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas", "Charles",
    "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Paul", "Andrew", "Joshua",
    "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald", "Jason", "Edward", "Jeffrey", "Ryan", "Jacob",
    "Gary", "Nicholas", "Eric", "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel",
    "Gregory", "Alexander", "Patrick", "Frank", "Raymond", "Jack", "Dennis", "Jerry", "Tyler", "Aaron", "Jose",
    "Adam", "Nathan", "Henry", "Zachary", "Douglas", "Peter", "Kyle", "Noah", "Ethan", "Jeremy", "Walter",
    "Christian", "Keith", "Roger", "Terry", "Austin", "Sean", "Gerald", "Carl", "Harold", "Dylan", "Arthur",
    "Lawrence", "Jordan", "Jesse", "Bryan", "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara",
    "Susan", "Jessica", "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Sandra", "Margaret", "Ashley", "Kimberly",
    "Emily", "Donna", "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Stephanie", "Rebecca", "Sharon",
    "Laura", "Cynthia", "Maria", "Randall", "Luis", "Carlos", "Miguel", "Juan", "Jorge", "Pedro", "Manuel", "Rosa",
    "Ana", "Hector", "Victor", "Oscar", "Ruben",
)  # fmt: skip
NICKNAMES = {
    "Robert": "Bob", "William": "Bill", "James": "Jim", "Richard": "Rick", "Michael": "Mike", "Joseph": "Joe",
    "Thomas": "Tom", "Charles": "Chuck", "Christopher": "Chris", "Daniel": "Dan", "Matthew": "Matt",
    "Anthony": "Tony", "Steven": "Steve", "Andrew": "Andy", "Kenneth": "Ken", "Edward": "Ed", "Jennifer": "Jen",
    "Elizabeth": "Liz", "Patricia": "Pat", "Timothy": "Tim", "Gregory": "Greg", "Samuel": "Sam",
}  # fmt: skip
LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
    "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker",
    "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz",
    "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers",
    "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim",
    "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza",
    "Ruiz", "Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster",
    "Jimenez", "Dockery", "Kowalski", "Oconnor", "Fitzgerald", "Nakamura", "Schwartz", "Bauer", "Lindqvist",
    "Okafor", "Petrov", "Haddad", "Yilmaz", "Novak", "Duarte", "Moreau", "Becker", "Larsen", "Romano", "Sullivan",
    "Brennan", "Gallagher",
)  # fmt: skip
LAST_WEIGHTS = [1 / (rank + 5) for rank in range(len(LAST))]
SURNAME_HEADS = (
    "Ander", "Bal", "Ber", "Blan", "Bran", "Car", "Cas", "Dal", "Del", "Ed", "Fair", "Fer", "Gal", "Gar", "Hal",
    "Har", "Hol", "Kal", "Ken", "Lan", "Lind", "Mal", "Mar", "Mont", "Nor", "Ol", "Pal", "Pem", "Ram", "Ros", "Sal",
    "Sand", "Stan", "Stein", "Tal", "Ter", "Val", "Wal", "Wes", "Whit", "Win",
)  # fmt: skip
SURNAME_TAILS = (
    "berg", "bury", "by", "croft", "dale", "ford", "gard", "ham", "holm", "ley", "low", "man", "more", "ner", "ova",
    "rick", "ridge", "son", "ton", "vik", "well", "wood",
)  # fmt: skip
GENERIC = (
    "Pro", "Premier", "Elite", "Quality", "Apex", "Summit", "Ace", "A1", "Reliable", "Precision", "Superior",
    "Allied", "Pioneer", "Liberty", "Patriot", "Eagle", "Cornerstone", "Keystone", "Integrity", "Honest", "Budget",
    "Express", "Modern", "Classic", "Heritage", "Advanced", "Affordable", "Atlas", "Benchmark", "Capital",
    "Certified", "Champion", "Citywide", "Crown", "Diamond", "Dependable", "Frontier", "Guardian", "Hometown",
    "Horizon", "Legacy", "Metro", "Monarch", "Northstar", "Paramount", "Peak", "Platinum", "Prestige", "Prime",
    "Royal", "Sterling", "Sunrise", "Titan", "Trinity", "Trusted", "United", "Valley", "Victory", "Granite",
    "Redwood", "Cedar", "Blue Ribbon", "Five Star", "All Star", "First Choice", "Green Leaf", "True North",
    "Red Rock",
)  # fmt: skip
TRADES = (
    "Plumbing",
    "Electric",
    "Roofing",
    "HVAC",
    "Painting",
    "Landscaping",
    "Construction",
    "Remodeling",
    "Flooring",
    "Concrete",
    "Fencing",
    "Pool Service",
    "Handyman Services",
    "Tile & Stone",
    "Heating & Air",
    "Solar",
    "Masonry",
    "Cabinets",
    "Windows & Doors",
    "Drywall",
    "Pest Control",
    "Tree Service",
    "Garage Doors",
)
TRADE_VARIANTS = ("& Drain", "& Sons", "and Repair", "Services", "Pros", "Solutions", "Group", "Experts")
CITIES = (
    ("Los Angeles", "CA", ("213", "310", "818"), "900"), ("San Diego", "CA", ("619", "858"), "921"),
    ("San Jose", "CA", ("408",), "951"), ("Fresno", "CA", ("559",), "937"), ("Sacramento", "CA", ("916",), "958"),
    ("Oakland", "CA", ("510",), "946"), ("Walnut Creek", "CA", ("925",), "945"),
    ("Houston", "TX", ("713", "832"), "770"),
    ("Dallas", "TX", ("214", "972"), "752"), ("Austin", "TX", ("512",), "787"), ("San Antonio", "TX", ("210",), "782"),
    ("El Paso", "TX", ("915",), "799"), ("Seattle", "WA", ("206",), "981"), ("Spokane", "WA", ("509",), "992"),
    ("Tacoma", "WA", ("253",), "984"), ("Bellevue", "WA", ("425",), "980"), ("Phoenix", "AZ", ("602", "480"), "850"),
    ("Tucson", "AZ", ("520",), "857"), ("Las Vegas", "NV", ("702",), "891"), ("Denver", "CO", ("303", "720"), "802"),
    ("Portland", "OR", ("503",), "972"), ("Salt Lake City", "UT", ("801",), "841"), ("Miami", "FL", ("305",), "331"),
    ("Tampa", "FL", ("813",), "336"), ("Orlando", "FL", ("407",), "328"), ("Atlanta", "GA", ("404", "678"), "303"),
    ("St. Louis", "MO", ("314",), "631"), ("Chicago", "IL", ("312", "773"), "606"), ("Boston", "MA", ("617",), "021"),
    ("Springfield", "IL", ("217",), "627"), ("Springfield", "MO", ("417",), "658"),
)  # fmt: skip
STREETS = (
    "Oak", "Maple", "Pine", "Cedar", "Elm", "Main", "Park", "Lake", "Hill", "Washington", "Lincoln", "Jefferson",
    "Madison", "Franklin", "Walnut", "Willow", "Sunset", "Highland", "Forest", "River", "Spring", "Meadow", "Ridge",
    "Church", "Mill", "Center", "Market", "Broadway", "Harbor", "Mission", "Valley", "Canyon", "Vista", "Orchard",
    "Chestnut", "Magnolia", "Laurel", "Cypress", "Sycamore", "Juniper", "Aspen", "First", "Second", "Third",
    "Martin Luther King", "El Camino Real", "North Shore", "Old Mill",
)  # fmt: skip
SUFFIXES = (("St", "Street"), ("Ave", "Avenue"), ("Blvd", "Boulevard"), ("Dr", "Drive"), ("Rd", "Road"),
            ("Ln", "Lane"), ("Ct", "Court"), ("Pkwy", "Parkway"), ("Way", "Way"), ("Pl", "Place"))  # fmt: skip
FREE_MAIL = ("gmail.com", "gmail.com", "gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com", "icloud.com",
             "comcast.net", "att.net", "sbcglobal.net")  # fmt: skip
TYPO_DOMAINS = {"gmail.com": "gmial.com", "yahoo.com": "yaho.com", "hotmail.com": "hotmial.com"}
LEGAL = ("Inc", "Inc.", "LLC", "L.L.C.", "Co", "Corp", "Corporation", "Company")
SOURCES = ("registry", "directory", "social", "referral")


@dataclass
class Business:
    """The truth about one business, before a source writes it down."""

    entity_id: str
    base: str  # trade name without legal suffix: "Pro Plumbing"
    legal: str | None  # "Inc", "LLC", ... or None
    sole_owner: bool  # registries list the business under the owner's name
    first: str
    middle: str | None
    last: str
    city: int
    zip_code: str
    number: int
    street: str
    suffix: tuple[str, str]
    suite: str | None
    phone: str  # 10 digits
    mobile: str | None
    email: str | None
    alt_email: str | None  # a second address the owner uses (free mail when `email` is the business's)


class World:
    """Draws businesses with the collisions real data has: shared surnames, shared family phones and addresses,
    look-alike names in one city, the same name in another city."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones: set[str] = set()
        self.names: set[tuple[str, int]] = set()
        self.emails: set[str] = set()
        self.domains: set[str] = set()
        self.zips = {i: tuple(f"{c[3]}{rng.randint(0, 99):02d}" for _ in range(8)) for i, c in enumerate(CITIES)}
        self.businesses: list[Business] = []

    def _phone(self, city: int) -> str:
        while True:
            number = f"{self.rng.choice(CITIES[city][2])}{self.rng.randint(200, 989)}{self.rng.randint(0, 9999):04d}"
            if number not in self.phones and phone_keys(number)[0]:
                self.phones.add(number)
                return number

    def _email(self, local: str, domain: str) -> str:
        local = "".join(ch for ch in local.lower() if ch.isalnum() or ch in "._")
        candidate = f"{local}@{domain}"
        while candidate in self.emails:
            candidate = f"{local}{self.rng.randint(2, 99)}@{domain}"
        self.emails.add(candidate)
        return candidate

    def _domain(self, slug: str) -> str:
        """A business's own domain: owned by that business alone, whoever else has the same name."""
        candidate, suffix = f"{slug}.com", 1
        while candidate in self.domains:
            suffix += 1
            candidate = f"{slug}{suffix}.com"
        self.domains.add(candidate)
        return candidate

    def _name(self, city: int, last: str, first: str) -> str:
        rng = self.rng
        while True:
            roll = rng.random()
            trade = rng.choice(TRADES)
            if roll < 0.35:
                base = f"{last} {trade}"
            elif roll < 0.70:
                base = f"{rng.choice(GENERIC)} {trade}"
            elif roll < 0.85:
                base = f"{rng.choice(GENERIC)} {trade} {rng.choice(TRADE_VARIANTS)}"
            elif roll < 0.92:
                base = f"{first}'s {trade}"
            else:
                base = f"{rng.choice(GENERIC)} {last} {trade}"
            key = (base.lower(), city)
            if key not in self.names:
                self.names.add(key)
                return base

    def _person(self) -> tuple[str, str | None, str]:
        rng = self.rng
        if rng.random() < 0.35:  # common surnames, Smith first (~1.5%, as in the census), collide often
            last = rng.choices(LAST, weights=LAST_WEIGHTS)[0]
        else:  # the long tail of rarer surnames
            last = rng.choice(SURNAME_HEADS) + rng.choice(SURNAME_TAILS)
        middle = rng.choice(FIRST) if rng.random() < 0.6 else None
        return rng.choice(FIRST), middle, last

    def business(self) -> Business:
        rng = self.rng
        index = len(self.businesses)
        relative = self.businesses[rng.randrange(index)] if index and rng.random() < 0.06 else None
        look_alike = self.businesses[rng.randrange(index)] if index and rng.random() < 0.06 else None
        first, middle, last = self._person()
        city = rng.randrange(len(CITIES))
        if relative:  # a family business: same surname and city, the family line, sometimes the same address
            last, city = relative.last, relative.city
        base = self._name(city, last, first)
        if look_alike and not relative:  # "Pro Plumbing" next to "Pro Plumbing & Drain", or in another city
            city = look_alike.city if rng.random() < 0.5 else city
            variant = f"{look_alike.base} {rng.choice(TRADE_VARIANTS)}"
            candidate = variant if (variant.lower(), city) not in self.names else look_alike.base
            if (candidate.lower(), city) not in self.names:
                self.names.add((candidate.lower(), city))
                base = candidate
        sole_owner = rng.random() < 0.18
        phone = relative.phone if relative and rng.random() < 0.7 else self._phone(city)
        same_address = relative is not None and rng.random() < 0.4
        slug = "".join(ch for ch in base.lower() if ch.isalnum())
        free = rng.choice(FREE_MAIL)
        personal = self._email(rng.choice((f"{first}{last}", f"{first[0]}{last}{rng.randint(1, 99)}", slug)), free)
        roll = rng.random()
        if roll < 0.45:
            domain = self._domain(slug)
            email = self._email(rng.choice(("info", "office", first, f"{first[0]}{last}", "contact")), domain)
            alt = personal if rng.random() < 0.5 else None
        elif roll < 0.9:
            email, alt = personal, None
        else:
            email, alt = None, None
        business = Business(
            entity_id=f"E{index:07d}",
            base=base,
            legal=None if sole_owner or rng.random() < 0.25 else rng.choice(LEGAL),
            sole_owner=sole_owner,
            first=first,
            middle=middle,
            last=last,
            city=city,
            zip_code=rng.choice(self.zips[city]),
            number=relative.number if same_address else rng.randint(10, 29999),
            street=relative.street if same_address else rng.choice(STREETS),
            suffix=relative.suffix if same_address else rng.choice(SUFFIXES),
            suite=(str(rng.randint(1, 400)) if rng.random() < 0.2 else None),
            phone=phone,
            mobile=self._phone(city) if rng.random() < 0.35 else None,
            email=email,
            alt_email=alt,
        )
        self.businesses.append(business)
        return business


def _phone_text(rng: random.Random, digits: str) -> str:
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    roll = rng.random()
    if roll < 0.03:
        return f"{exchange}-{line}"  # no area code
    if roll < 0.05:
        return f"{area}-{exchange}-{line[:3]}"  # a digit short
    text = rng.choice((f"({area}) {exchange}-{line}", f"{area}-{exchange}-{line}", f"{area}.{exchange}.{line}",
                       f"{area}{exchange}{line}", f"+1 {area} {exchange} {line}", f"+1-{area}-{exchange}-{line}",
                       f"({area}) {exchange} {line}", f"1-{area}-{exchange}-{line}"))  # fmt: skip
    return text + rng.choice((" ext. 12", " x204", " (cell)")) if rng.random() < 0.04 else text


def _email_text(rng: random.Random, email: str) -> str:
    local, domain = email.split("@")
    roll = rng.random()
    if roll < 0.03 and domain in TYPO_DOMAINS:
        return f"{local}@{TYPO_DOMAINS[domain]}"
    if roll < 0.06:
        return f"{local}.{domain}"  # the @ got lost
    if roll < 0.09:
        return f"mailto:{email}"
    if roll < 0.25:
        return email.upper() if rng.random() < 0.3 else f"{local.capitalize()}@{domain.capitalize()}"
    if roll < 0.30:
        return f" {email} "
    return email


def _typo(rng: random.Random, text: str) -> str:
    positions = [i for i in range(1, len(text) - 1) if text[i].isalpha() and text[i + 1].isalpha()]
    if not positions:
        return text
    i = rng.choice(positions)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :] if rng.random() < 0.5 else text[:i] + text[i + 1 :]


def _display_name(b: Business) -> str:
    return f"{b.base}, {b.legal}" if b.legal and b.legal.startswith("Inc") else f"{b.base} {b.legal or ''}".strip()


def _street(rng: random.Random, b: Business, upper: bool) -> str:
    suffix = b.suffix[0] if rng.random() < 0.6 else b.suffix[1]
    line = f"{b.number} {b.street} {suffix}"
    if b.suite and rng.random() < 0.8:
        line += rng.choice((f", Suite {b.suite}", f" Ste {b.suite}", f" #{b.suite}", f", Unit {b.suite}"))
    return line.upper().replace(",", "") if upper else line


def _record(rng: random.Random, b: Business, source: str) -> dict[str, str | None]:
    """One source's view of a business."""
    city, state = CITIES[b.city][0], CITIES[b.city][1]
    owner_upper = f"{b.last} {b.first} {b.middle or ''}".upper().strip()
    casual_first = NICKNAMES.get(b.first, b.first) if rng.random() < 0.3 else b.first
    if source == "registry":
        if b.sole_owner:
            name = owner_upper
        else:
            name = _display_name(b).upper().replace(",", "").replace(".", "")
            if state == "WA" and rng.random() < 0.3:
                name = rng.choice("!#") + name
        return {
            "business_name": name,
            "contact_name": owner_upper if rng.random() < 0.7 else f"{b.last.upper()}, {b.first.upper()}",
            "street": _street(rng, b, upper=True),
            "city": city.upper(),
            "state": state,
            "postal_code": b.zip_code + (f"-{rng.randint(0, 9999):04d}" if rng.random() < 0.5 else ""),
            "phone": (b.phone if rng.random() < 0.7 else _phone_text(rng, b.phone)) if rng.random() < 0.8 else None,
            "email": _email_text(rng, b.email) if b.email and rng.random() < 0.3 else None,
        }
    if source == "directory":
        return {
            "business_name": _display_name(b) if rng.random() < 0.5 else b.base,
            "contact_name": f"{b.first} {b.last}" if rng.random() < 0.3 else None,
            "street": _street(rng, b, upper=False) if rng.random() < 0.85 else None,
            "city": city,
            "state": state,
            "postal_code": b.zip_code if rng.random() < 0.9 else None,
            "phone": _phone_text(rng, b.phone) if rng.random() < 0.95 else None,
            "email": _email_text(rng, b.email) if b.email and rng.random() < 0.5 else None,
        }
    roll = rng.random()
    if roll < 0.4:
        name = b.base
    elif roll < 0.55:
        name = b.base.replace(" & ", " and ") if " & " in b.base else b.base.lower()
    elif roll < 0.65:
        name = _typo(rng, b.base)
    elif roll < 0.75:
        name = _display_name(b)
    else:
        name = None
    person = rng.choice((f"{casual_first} {b.last}", f"{casual_first} {b.last}".lower(), f"{b.last}, {b.first}",
                         f"{b.first} {(b.middle or 'J')[0]}. {b.last}", f"{casual_first} {b.last[0]}."))  # fmt: skip
    phone = b.mobile if b.mobile and rng.random() < 0.5 else b.phone
    email = b.alt_email if b.alt_email and rng.random() < 0.6 else b.email
    if source == "social":
        return {
            "business_name": name,
            "contact_name": person,
            "street": None,
            "city": city if rng.random() < 0.8 else None,
            "state": state if rng.random() < 0.7 else None,
            "postal_code": None,
            "phone": _phone_text(rng, phone) if rng.random() < 0.75 else None,
            "email": _email_text(rng, email) if email and rng.random() < 0.7 else None,
        }
    has_phone = rng.random() < 0.7
    return {  # referral: a user names a contractor they know
        "business_name": name if rng.random() < 0.6 else None,
        "contact_name": person,
        "street": None,
        "city": city if rng.random() < 0.6 else None,
        "state": None,
        "postal_code": None,
        "phone": _phone_text(rng, phone) if has_phone else None,
        "email": _email_text(rng, email) if email and (not has_phone or rng.random() < 0.3) else None,
    }


def _refetched(rng: random.Random, record: dict[str, str | None]) -> dict[str, str | None]:
    """The same source record on a later day: usually identical, sometimes re-formatted or with a field gone."""
    record = dict(record)
    roll = rng.random()
    if roll < 0.1 and record["phone"]:
        digits = phone_keys(record["phone"])[0]
        record["phone"] = _phone_text(rng, digits) if digits else record["phone"]
    elif roll < 0.15:
        record[rng.choice(("email", "street", "contact_name"))] = None
    elif roll < 0.2 and record["business_name"]:
        record["business_name"] = record["business_name"].upper()
    return record


def generate(n_records: int, seed: int = 7) -> pd.DataFrame:
    """About `n_records` labelled records: `record_id`, the eight raw fields, and the true `entity_id`."""
    rng = random.Random(seed)
    world = World(rng)
    rows: list[dict[str, str | None]] = []
    while len(rows) < n_records:
        business = world.business()
        sources = [s for s, p in zip(SOURCES, (0.7, 0.6, 0.5, 0.25), strict=True) if rng.random() < p] or ["social"]
        for source in sources:
            record = _record(rng, business, source)
            for day in range(rng.choice((1, 1, 1, 2, 3, 5))):
                rows.append({**(record if day == 0 else _refetched(rng, record)), "entity_id": business.entity_id})
    frame = pd.DataFrame(rows[:n_records])
    frame.insert(0, "record_id", [f"R{i:08d}" for i in range(len(frame))])
    return frame


def baseline_clusters(records: pd.DataFrame) -> pd.DataFrame:
    """Exact phone-or-email union-find on normalized keys: what one would do without a model."""
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for column, key in (("phone", lambda v: phone_keys(v)[0]), ("email", email_key)):
        first_seen: dict[str, int] = {}
        for i, value in enumerate(records[column]):
            normalized = key(value) if isinstance(value, str) else None
            if normalized is None:
                continue
            if normalized in first_seen:
                parent[find(i)] = find(first_seen[normalized])
            else:
                first_seen[normalized] = i
    roots = [find(i) for i in range(len(records))]
    clusters = pd.DataFrame({"record_id": records["record_id"].to_numpy(), "root": roots})
    clusters["cluster_id"] = clusters.groupby("root")["record_id"].transform("min")
    return clusters[["record_id", "cluster_id"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of candidate records")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline (slow in pure Python at 1M)")
    args = parser.parse_args()

    started = time.perf_counter()
    records = generate(args.n, args.seed)
    generated_s = time.perf_counter() - started
    truth = records[["record_id", "entity_id"]]
    inputs = records.drop(columns="entity_id")

    rss_before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    clusters = resolve(inputs)
    resolve_s = time.perf_counter() - started
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    result: dict[str, object] = {
        "records": len(records),
        "entities": int(truth["entity_id"].nunique()),
        "generate_s": round(generated_s, 1),
        "resolve_s": round(resolve_s, 1),
        "records_per_s": round(len(records) / resolve_s),
        "peak_rss_mb_before_resolve": round(rss_before_mb),
        "peak_rss_mb": round(peak_rss_mb),
        "clusters": int(clusters["cluster_id"].nunique()),
        "splink": evaluate(clusters, truth).as_dict(),
    }
    if not args.no_baseline:
        result["baseline_phone_or_email"] = evaluate(baseline_clusters(inputs), truth).as_dict()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
