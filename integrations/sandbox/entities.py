"""The true contractor businesses ("entities") of the synthetic world, before any source distorts them.

Vectorised draws (numpy) decide the numbers; one seeded `random.Random` builds the strings. Emails, websites,
license numbers and (name, city) pairs are unique across the world, and so are phones except for the ~1.5 %
family businesses that share a relative's office landline (and often the address). Those, and near-identical
names in one city ("Premier Plumbing" and "Premier Plumbing & Drain"), are hard negatives for entity
resolution, kept on purpose.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from integrations.sandbox.geo import CITIES, STATE_WORDS, STREET_NAMES, STREET_SUFFIXES, City
from integrations.sandbox.ids import random_uuid
from integrations.sandbox.names import (
    FIRST_FEMALE,
    FIRST_FEMALE_P,
    FIRST_MALE,
    FIRST_MALE_P,
    FREEMAIL_CUM,
    FREEMAIL_DOMAINS,
    GENERIC_WORDS,
    LAST,
    LAST_P,
    NAME_EXTENSIONS,
)
from integrations.sandbox.specialties import BY_SLUG, RELATED, SPECIALTIES, SPECIALTY_SLUGS

BUSINESS_TYPES = ("corporation", "llc", "sole_owner", "partnership")
LICENSE_STATUSES = ("active", "expired", "suspended", "inactive")
_BLOCKED_EXCHANGES = {555, 950, 958, 959, 976}


@dataclass(frozen=True, slots=True)
class License:
    state: str
    number: str
    classes: tuple[str, ...]  # CA class codes, WA (type, specialty) codes or the TX license type
    issued: date
    expires: date
    status: str  # the truth: active | expired | suspended | inactive
    registry_status: str  # what the public file says; "active" on some expired licenses (a stale record)


@dataclass(slots=True)
class Entity:
    entity_id: str
    index: int
    base_name: str  # without legal suffix: "Premier Plumbing"
    business_name: str  # display form: "Premier Plumbing, Inc."
    business_type: str
    first: str
    middle: str
    last: str
    specialties: tuple[str, ...]
    city_index: int
    street_number: int
    street: str
    street_abbr: str
    street_full: str
    suite: str | None
    zip: str
    phone: str  # business line, E.164
    phone_type: str  # mobile | landline | voip (SMS to a landline is rejected)
    mobile: str | None  # the owner's cell, E.164 (may equal `phone`)
    email: str | None
    email_status: str  # ok | no_mx (rejected at send) | bounces (accepted, then bounced)
    website: str | None
    license: License | None
    years_in_business: int
    rating: float | None
    review_count: int
    stale_contact: str | None  # "email" or "phone": that contact now reaches someone else
    registered_user_id: str | None = None
    sources: list[str] = field(default_factory=list)
    p_respond: float = 0.0
    p_interest: float = 0.0
    p_convert: float = 0.0
    features: dict = field(default_factory=dict)

    @property
    def city(self) -> City:
        return CITIES[self.city_index]

    @property
    def owner_name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def address(self) -> str:
        suite = f", Suite {self.suite}" if self.suite else ""
        return f"{self.street_number} {self.street} {self.street_abbr}{suite}"


def slug_words(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("&", "and"))


class Registry:
    """Uniqueness bookkeeping shared by entity and user generation."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        self.domains: set[str] = set()
        self.names: set[tuple[int, str]] = set()
        self.license_numbers: set[str] = set()

    def phone(self, city: City) -> str:
        rng = self.rng
        while True:
            exchange = rng.randint(201, 989)
            if exchange in _BLOCKED_EXCHANGES or exchange % 100 == 11:
                continue
            number = f"+1{rng.choice(city.area_codes)}{exchange}{rng.randint(0, 9999):04d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def email(self, local: str, domain: str) -> str:
        local = re.sub(r"[^a-z0-9._-]", "", local.lower()) or "contact"
        candidate = f"{local}@{domain}"
        while candidate in self.emails:
            candidate = f"{local}{self.rng.randint(2, 999)}@{domain}"
        self.emails.add(candidate)
        return candidate

    def domain(self, base: str, city: City) -> str:
        stem = slug_words(base)
        for candidate in (
            f"{stem}.com",
            f"{stem}{city.slug.replace('-', '')}.com",
            f"{stem}.net",
            f"{stem}{city.state.lower()}.com",
            f"{stem}-{city.slug}.com",
        ):
            if candidate not in self.domains:
                self.domains.add(candidate)
                return candidate
        candidate = f"{stem}{self.rng.randint(10, 9999)}.com"
        while candidate in self.domains:
            candidate = f"{stem}{self.rng.randint(10, 99999)}.com"
        self.domains.add(candidate)
        return candidate

    def claim_name(self, city_index: int, base: str) -> bool:
        key = (city_index, slug_words(base))
        if key in self.names:
            return False
        self.names.add(key)
        return True

    def license_number(self, make) -> str:
        number = make()
        while number in self.license_numbers:
            number = make()
        self.license_numbers.add(number)
        return number


def business_base_name(
    rng: random.Random, registry: Registry, city_index: int, specialty: str, first: str, last: str
) -> str:
    """A business name unique within its city ("Garcia Plumbing", "Lone Star Roofing", "J&M Electric")."""
    city = CITIES[city_index]
    words = BY_SLUG[specialty].name_words
    for attempt in range(8):
        word = rng.choice(words)
        roll = rng.random()
        if roll < 0.28:
            name = f"{last} {word}"
        elif roll < 0.33:
            name = f"{last} {rng.choice(('& Sons', 'Brothers', 'Family'))} {word}"
        elif roll < 0.38:
            name = f"{first} {last} {word}"
        elif roll < 0.66:
            name = f"{rng.choice(GENERIC_WORDS)} {word}"
        elif roll < 0.76:
            name = f"{rng.choice(STATE_WORDS[city.state])} {word}"
        elif roll < 0.84:
            name = f"{city.name} {word}"
        elif roll < 0.93:
            a, b = rng.choice("ABCDEFGHJKLMNPRSTW"), rng.choice("ABCDEFGHJKLMNPRSTW")
            name = f"{a}&{b} {word}" if rng.random() < 0.5 else f"{a}{b} {word}"
        else:
            name = f"{first}'s {word}"
        if attempt >= 4:
            name = f"{name} {rng.choice(NAME_EXTENSIONS)}"
        if registry.claim_name(city_index, name):
            return name
    name = f"{last} {rng.choice(words)} {rng.randint(2, 99)}"
    while not registry.claim_name(city_index, name):
        name = f"{last} {rng.choice(words)} {rng.randint(100, 9999)}"
    return name


def legal_suffix(rng: random.Random, business_type: str) -> str:
    if business_type == "corporation":
        return rng.choice((", Inc.", ", Inc.", " Inc.", " Corp.", " Inc"))
    if business_type == "llc":
        return rng.choice((" LLC", " LLC", ", LLC", " L.L.C."))
    if business_type == "partnership":
        return rng.choice(("", " Co.", " & Co."))
    return ""


def _license_number(rng: random.Random, state: str, specialty: str, base: str) -> str:
    if state == "CA":
        return str(rng.randint(250_000, 1_150_000))
    if state == "WA":
        letters = re.sub(r"[^A-Z]", "", base.upper())[:6].ljust(6, "*")
        tail = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
        return f"{letters}{rng.randint(0, 999):03d}{tail}"
    if state == "TX":
        if BY_SLUG[specialty].tx_license_type == "Air Conditioning and Refrigeration Contractor":
            return f"TACLA{rng.randint(1, 999_999):06d}"
        return f"TECL{rng.randint(1, 99_999):05d}"
    if state == "AZ":
        return f"ROC{rng.randint(100_000, 349_999)}"
    return f"{state}{rng.randint(100_000, 9_999_999)}"


def _license_classes(state: str, specialties: tuple[str, ...]) -> tuple[str, ...]:
    if state == "CA":
        codes = {BY_SLUG[s].cslb_class for s in specialties} - {None}
        return tuple(sorted(codes, key=lambda c: (c != "B", len(c), c)))
    if state == "WA":
        return tuple(dict.fromkeys(BY_SLUG[s].wa_code[1] for s in specialties))
    if state == "TX":
        types = [BY_SLUG[s].tx_license_type for s in specialties if BY_SLUG[s].tx_license_type]
        return tuple(dict.fromkeys(types))
    return tuple(specialties)


def make_license(
    rng: random.Random, registry: Registry, entity_state: str, specialties: tuple[str, ...], base: str,
    years: int, anchor: date,
) -> License | None:
    """A license in the business's state, or None for trades that are seldom licensed there."""
    classes = _license_classes(entity_state, specialties)
    if entity_state in ("CA", "TX") and not classes:
        return None  # CSLB/TDLR do not license this trade (pest control, cleaning, most handymen)
    cycle = 365 if entity_state == "TX" else 730
    licensed_days = max(60, int(years * 365 * rng.uniform(0.4, 1.0)))
    issued = anchor - timedelta(days=licensed_days)
    status = rng.choices(LICENSE_STATUSES, cum_weights=(0.80, 0.90, 0.96, 1.0))[0]
    if status == "expired":
        expires = anchor - timedelta(days=rng.randint(5, 700))
    else:
        expires = anchor + timedelta(days=rng.randint(20, cycle))
    issued = min(issued, expires - timedelta(days=cycle))
    registry_status = "active" if status == "expired" and rng.random() < 0.25 else status
    primary = specialties[0] if entity_state != "TX" else next(
        (s for s in specialties if BY_SLUG[s].tx_license_type), specialties[0]
    )
    number = registry.license_number(lambda: _license_number(rng, entity_state, primary, base))
    return License(entity_state, number, classes, issued, expires, status, registry_status)


def _email_for(
    rng: random.Random, registry: Registry, first: str, last: str, base: str, domain: str | None
) -> str:
    f, la = first.lower(), last.lower().replace(" ", "")
    if domain and rng.random() < 0.6:
        local = rng.choice(("info", "office", "contact", "service", f, f"{f}.{la}", f"{f[0]}{la}", "admin"))
        return registry.email(local, domain)
    free = rng.choices(FREEMAIL_DOMAINS, cum_weights=FREEMAIL_CUM)[0]
    local = rng.choice(
        (f"{f}{la}", f"{f}.{la}", f"{f[0]}{la}{rng.randint(1, 99)}", f"{slug_words(base)}", f"{la}{f[0]}")
    )
    return registry.email(local, free)


def generate_entities(seed: int, scale: int, anchor: date) -> tuple[list[Entity], Registry]:
    """`scale` contractor businesses with their true attributes."""
    np_rng = np.random.default_rng([seed, 1])
    rng = random.Random(f"{seed}:entities")
    registry = Registry(rng)
    n = scale
    city_w = np.array([c.weight for c in CITIES])
    city_idx = np_rng.choice(len(CITIES), size=n, p=city_w / city_w.sum())
    spec_w = np.array([s.share for s in SPECIALTIES])
    spec_idx = np_rng.choice(len(SPECIALTIES), size=n, p=spec_w / spec_w.sum())
    n_specs = np_rng.choice((1, 2, 3), size=n, p=(0.6, 0.3, 0.1))
    female = np_rng.random(n) < 0.12
    male_first = np_rng.choice(len(FIRST_MALE), size=n, p=FIRST_MALE_P)
    female_first = np_rng.choice(len(FIRST_FEMALE), size=n, p=FIRST_FEMALE_P)
    middle_idx = np_rng.choice(len(FIRST_MALE), size=n, p=FIRST_MALE_P)
    last_idx = np_rng.choice(len(LAST), size=n, p=LAST_P)
    btype = np_rng.choice(4, size=n, p=(0.25, 0.35, 0.35, 0.05))
    years = np.minimum(np_rng.gamma(2.0, 5.0, n).astype(int), 45)
    reviews = np.where(
        np_rng.random(n) < 0.12, 0, np.minimum(np_rng.lognormal(2.8, 1.1, n).astype(int) + 1, 3000)
    )
    rating = np.clip(np_rng.normal(4.35, 0.45, n) - 0.15 * (reviews < 5), 1.0, 5.0).round(1)
    phone_type = np_rng.choice(3, size=n, p=(0.5, 0.35, 0.15))
    has_website = np_rng.random(n) < 0.6
    stale = np_rng.random(n)
    family = np_rng.random(n) < 0.015

    entities: list[Entity] = []
    by_city: dict[int, list[Entity]] = {}
    for i in range(n):
        city = CITIES[int(city_idx[i])]
        primary = SPECIALTY_SLUGS[int(spec_idx[i])]
        relative = _relative(rng, by_city.get(int(city_idx[i]), []), primary) if family[i] else None
        specialties = [primary]
        for extra in rng.sample(RELATED[primary], k=min(int(n_specs[i]) - 1, len(RELATED[primary]))):
            specialties.append(extra)
        first = FIRST_FEMALE[int(female_first[i])] if female[i] else FIRST_MALE[int(male_first[i])]
        middle = FIRST_MALE[int(middle_idx[i])] if rng.random() < 0.6 else ""
        last = relative.last if relative else LAST[int(last_idx[i])]
        business_type = BUSINESS_TYPES[int(btype[i])]
        base = business_base_name(rng, registry, int(city_idx[i]), primary, first, last)
        domain = registry.domain(base, city) if has_website[i] else None
        website = None
        if domain:
            website = rng.choice((f"https://www.{domain}", f"http://{domain}", f"https://{domain}/"))
        phone = relative.phone if relative else registry.phone(city)
        ptype = "landline" if relative else ("mobile", "landline", "voip")[int(phone_type[i])]
        mobile: str | None = phone if ptype == "mobile" and rng.random() < 0.7 else None
        if mobile is None and rng.random() < 0.75:
            mobile = registry.phone(city)
        email = _email_for(rng, registry, first, last, base, domain) if rng.random() < 0.92 else None
        email_status = "ok"
        if email:
            email_status = rng.choices(("ok", "no_mx", "bounces"), cum_weights=(0.90, 0.95, 1.0))[0]
            if email_status == "no_mx" and not (domain and email.endswith("@" + domain)):
                email_status = "bounces"  # free mail always has MX; only a defunct business domain lacks one
        spec_tuple = tuple(specialties)
        license_ = None
        if rng.random() < BY_SLUG[primary].license_rate:
            license_ = make_license(rng, registry, city.state, spec_tuple, base, int(years[i]), anchor)
        suite = str(rng.randint(1, 420)) if rng.random() < 0.15 else None
        abbr, full = rng.choice(STREET_SUFFIXES)
        number, street = rng.randint(100, 9899), rng.choice(STREET_NAMES)
        zip_code = f"{city.zip_prefix}{rng.randint(1, 98):02d}"
        if relative and rng.random() < 0.5:  # the family's shared office
            number, street, zip_code = relative.street_number, relative.street, relative.zip
            abbr, full, suite = relative.street_abbr, relative.street_full, relative.suite
        stale_contact = None
        if stale[i] < 0.05:
            stale_contact = "email" if email and rng.random() < 0.5 else "phone"
        entity = Entity(
            entity_id=random_uuid(rng),
            index=i,
            base_name=base,
            business_name=base + legal_suffix(rng, business_type),
            business_type=business_type,
            first=first,
            middle=middle,
            last=last,
            specialties=spec_tuple,
            city_index=int(city_idx[i]),
            street_number=number,
            street=street,
            street_abbr=abbr,
            street_full=full,
            suite=suite,
            zip=zip_code,
            phone=phone,
            phone_type=ptype,
            mobile=mobile,
            email=email,
            email_status=email_status,
            website=website,
            license=license_,
            years_in_business=int(years[i]),
            rating=float(rating[i]) if reviews[i] else None,
            review_count=int(reviews[i]),
            stale_contact=stale_contact,
        )
        entities.append(entity)
        by_city.setdefault(entity.city_index, []).append(entity)
    return entities, registry


def _relative(rng: random.Random, neighbours: list[Entity], trade: str) -> Entity | None:
    """A relative's business in the same city and another trade, to share a surname and an office landline
    with (~1.5 % of businesses): different entities that a shared phone must not merge."""
    candidates = [e for e in neighbours[-50:] if e.phone_type == "landline" and trade not in e.specialties]
    return rng.choice(candidates) if candidates else None
