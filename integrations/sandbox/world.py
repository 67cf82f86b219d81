"""The synthetic world: a deterministic function of (seed, scale, anchor day).

`World` holds the true contractor businesses (entities), the InstaBids users, the demand model and every
discovery-source record that points at an entity, with the labelled truth linking them. Each entity is seen by
one to three sources, each with its own distortions (see `variations.py`):

- `social`: `GET /social/connections/potential-contractors` (unregistered businesses a user knows; ~4 % of them
  are known by two users and appear twice);
- `license_ca` / `license_wa` / `license_tx`: public registry files, for businesses licensed in those states;
- `directory`: listings of the web directory (~2 % listed twice, once with the owner's cell);
- `referral`: `ReferralCreatedEvent`s emitted on days 1..60 after the anchor day.

The anchor day is the sandbox's UTC date at start-up: licence expiry, account ages and "first seen" times are
relative to it, so a world started on another day is the same world shifted in time (identical ids and names).

Churn (`daily_churn`, `churn_days`; none by default) shows the sources as they are some days after the anchor:
each day a deterministic `daily_churn` share of the social and directory records is either re-typed under the same
id (a changed record) or joined by a new directory listing of the same business (a new record). It exists for the
incremental-day benchmark (`bench/bench_pipeline.py`), where day two must differ from day one by a known share.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from integrations.sandbox import propensity
from integrations.sandbox.directory import Listing, make_listing
from integrations.sandbox.entities import Entity, generate_entities
from integrations.sandbox.geo import CITIES, REGISTRY_STATES
from integrations.sandbox.ids import iso, random_uuid
from integrations.sandbox.market import Market
from integrations.sandbox.names import TYPO_DOMAINS
from integrations.sandbox.registries import ca_row, tx_non_trade_rows, tx_row, wa_row
from integrations.sandbox.specialties import SPECIALTY_SLUGS
from integrations.sandbox.users import User, generate_users
from integrations.sandbox.variations import casual_business_name, raw_email, raw_phone, social_person_name

SOURCES = ("social", "license_ca", "license_wa", "license_tx", "directory", "referral")
REFERRAL_DAYS = 60
RELATIONSHIPS = ("worked_with", "friend", "colleague", "other")


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record of one discovery source, labelled with the entity it describes."""

    source: str
    record_id: str  # candidate_id, license number, directory listing id or referral_id
    entity_id: str
    available_at: str | None = None  # referrals: when the event is emitted

    def item(self) -> dict:
        return {"source": self.source, "record_id": self.record_id, "entity_id": self.entity_id,
                "available_at": self.available_at}


@dataclass(frozen=True, slots=True)
class Referral:
    emit_at: float
    entity_id: str
    data: dict  # ReferralCreatedEvent data


class World:
    def __init__(self, seed: int, scale: int, anchor: date, daily_churn: float = 0.0, churn_days: int = 0) -> None:
        if scale < 1:
            raise ValueError("scale must be at least 1")
        self.seed, self.scale, self.anchor = seed, scale, anchor
        self.anchor_start = datetime(anchor.year, anchor.month, anchor.day, tzinfo=UTC)
        self.market = Market(seed, scale, CITIES)
        self.entities, registry = generate_entities(seed, scale, anchor)
        self.users: list[User] = generate_users(seed, scale, anchor, self.entities, registry,
                                                self.market.target_active)
        self.records: list[SourceRecord] = []
        self.social: list[dict] = []
        self.listings: dict[int, list[Listing]] = {i: [] for i in range(len(CITIES))}
        self.referrals: list[Referral] = []
        self.registry_rows: dict[str, list[dict[str, str]]] = {"license_ca": [], "license_wa": [], "license_tx": []}
        self._build_sources()
        for day in range(1, churn_days + 1):
            self._churn(day, daily_churn)
        propensity.assign(self.entities, self.market.supply, seed, anchor.toordinal())
        self._index()

    # ----- sources -----
    def _choose_sources(self, rng: random.Random, entity: Entity) -> list[str]:
        state = entity.city.state
        registered = entity.registered_user_id is not None
        chosen = []
        if entity.license and state in REGISTRY_STATES and rng.random() < 0.85:
            chosen.append(f"license_{state.lower()}")
        if rng.random() < 0.55:
            chosen.append("directory")
        if not registered and rng.random() < 0.30:
            chosen.append("social")
        if not registered and rng.random() < 0.08:
            chosen.append("referral")
        if not chosen:
            chosen.append("social" if not registered and rng.random() < 0.4 else "directory")
        if len(chosen) > 3:
            chosen.remove("referral")
        return chosen

    def _build_sources(self) -> None:
        rng = random.Random(f"{self.seed}:sources")
        referrers = [u.user_id for u in self.users if u.role != "admin"]
        for entity in self.entities:
            entity.sources = self._choose_sources(rng, entity)
            for source in entity.sources:
                copies = 2 if (source == "social" and rng.random() < 0.04) or (
                    source == "directory" and rng.random() < 0.02) else 1
                for copy in range(copies):
                    self._add_record(rng, entity, source, referrers, second=copy == 1)
        non_trade = tx_non_trade_rows(rng, len(self.registry_rows["license_tx"]) // 4 + 20, self.anchor)
        self.registry_rows["license_tx"].extend(non_trade)
        self.registry_rows["license_ca"].sort(key=lambda row: int(row["LicenseNo"]))
        self.registry_rows["license_wa"].sort(key=lambda row: row["BusinessName"])
        self.registry_rows["license_tx"].sort(key=lambda row: row["LICENSE NUMBER"])
        self.social.sort(key=lambda item: (item["first_seen_at"], item["candidate_id"]))
        for listings in self.listings.values():
            listings.sort(key=lambda listing: (listing.name.lower(), listing.listing_id))
        self.referrals.sort(key=lambda referral: (referral.emit_at, referral.data["referral_id"]))

    def _add_record(self, rng: random.Random, entity: Entity, source: str, referrers: list[str],
                    second: bool) -> None:
        if source == "social":
            item = self._social_item(rng, entity, rng.choice(referrers))
            self.social.append(item)
            self.records.append(SourceRecord(source, item["candidate_id"], entity.entity_id))
        elif source == "directory":
            listing = make_listing(rng, entity, f"dl-{rng.getrandbits(48):012x}", use_mobile=second)
            self.listings[entity.city_index].append(listing)
            self.records.append(SourceRecord(source, listing.listing_id, entity.entity_id))
        elif source == "referral":
            referral = self._referral(rng, entity, rng.choice(referrers))
            self.referrals.append(referral)
            self.records.append(SourceRecord(source, referral.data["referral_id"], entity.entity_id,
                                             referral.data["created_at"]))
        else:
            row = {"license_ca": lambda: ca_row(rng, entity, self.anchor),
                   "license_wa": lambda: wa_row(rng, entity, self.anchor),
                   "license_tx": lambda: tx_row(rng, entity)}[source]()
            self.registry_rows[source].append(row)
            assert entity.license is not None
            self.records.append(SourceRecord(source, entity.license.number, entity.entity_id))

    def _churn(self, day: int, share: float) -> None:
        """One day of churn: `share` of the social and directory records change (half re-typed under the same
        id, half joined by a new directory listing of their business), chosen by a generator of (seed, day)."""
        rng = random.Random(f"{self.seed}:churn:{day}")
        entities = {e.entity_id: e for e in self.entities}
        changeable = [r for r in self.records if r.source in ("social", "directory")]
        social_at = {item["candidate_id"]: i for i, item in enumerate(self.social)}
        listing_at = {listing.listing_id: (city, i) for city, listings in self.listings.items()
                      for i, listing in enumerate(listings)}
        touched_cities: set[int] = set()
        for record in rng.sample(changeable, round(share * len(changeable))):
            entity = entities[record.entity_id]
            touched_cities.add(entity.city_index)
            if rng.random() < 0.5:
                listing = make_listing(rng, entity, f"dl-{rng.getrandbits(48):012x}", use_mobile=rng.random() < 0.5)
                self.listings[entity.city_index].append(listing)
                self.records.append(SourceRecord("directory", listing.listing_id, entity.entity_id))
                if "directory" not in entity.sources:
                    entity.sources.append("directory")
            elif record.source == "social":
                old = self.social[social_at[record.record_id]]
                item = self._social_item(rng, entity, old["referred_by_user_id"])
                self.social[social_at[record.record_id]] = item | {k: old[k] for k in ("candidate_id", "first_seen_at")}
            else:
                city, i = listing_at[record.record_id]
                self.listings[city][i] = make_listing(rng, entity, record.record_id, use_mobile=rng.random() < 0.5)
        for city in touched_cities:
            self.listings[city].sort(key=lambda listing: (listing.name.lower(), listing.listing_id))

    @staticmethod
    def _contact(rng: random.Random, entity: Entity, email_share: float, phone_share: float,
                 business_phone: bool) -> tuple[str | None, str | None]:
        """Raw email and phone as a person typed them. Without a business name the business line is given
        (a friend's cell alone would leave nothing to link the record by)."""
        email = raw_email(rng, entity.email) if entity.email and rng.random() < email_share else None
        phone = None
        if business_phone or rng.random() < phone_share:
            use_mobile = not business_phone and entity.mobile is not None and rng.random() < 0.6
            phone = raw_phone(rng, entity.mobile if use_mobile and entity.mobile else entity.phone)
        if email is None and phone is None:
            phone = raw_phone(rng, entity.mobile or entity.phone)
        return email, phone

    @staticmethod
    def _hint(rng: random.Random, entity: Entity) -> str | None:
        roll = rng.random()
        if roll < 0.65:
            return entity.specialties[0]
        if roll < 0.75 and len(entity.specialties) > 1:
            return entity.specialties[1]
        return None

    def _social_item(self, rng: random.Random, entity: Entity, referrer: str) -> dict:
        business = None if rng.random() < 0.25 else casual_business_name(rng, entity.base_name,
                                                                          entity.business_name)
        email, phone = self._contact(rng, entity, 0.75, 0.85, business_phone=business is None)
        city = entity.city
        seen = self.anchor_start - timedelta(seconds=rng.randint(3600, 400 * 86_400))
        return {
            "candidate_id": random_uuid(rng),
            "name": social_person_name(rng, entity.first, entity.middle, entity.last),
            "business_name": business,
            "email": email,
            "phone": phone,
            "specialty_hint": self._hint(rng, entity),
            "region": city.region,
            "state": city.state,
            "city": city.name,
            "referred_by_user_id": referrer,
            "relationship": rng.choices(RELATIONSHIPS, cum_weights=(45, 70, 90, 100))[0],
            "first_seen_at": iso(seen),
        }

    def _referral(self, rng: random.Random, entity: Entity, referrer: str) -> Referral:
        business = None if rng.random() < 0.35 else casual_business_name(rng, entity.base_name,
                                                                          entity.business_name)
        email, phone = self._contact(rng, entity, 0.7, 0.8, business_phone=business is None)
        emit_at = (self.anchor_start + timedelta(days=rng.randint(1, REFERRAL_DAYS),
                                                 seconds=rng.randint(8 * 3600, 21 * 3600))).timestamp()
        data = {
            "referral_id": random_uuid(rng),
            "referrer_user_id": referrer,
            "referred_name": social_person_name(rng, entity.first, entity.middle, entity.last),
            "referred_business_name": business,
            "referred_email": email,
            "referred_phone": phone,
            "specialty_hint": self._hint(rng, entity),
            "region": entity.city.region,
            "campaign_id": None,
            "created_at": iso(emit_at),
        }
        return Referral(emit_at, entity.entity_id, data)

    # ----- lookups -----
    def _index(self) -> None:
        self.entity_by_id = {e.entity_id: e for e in self.entities}
        self.entity_by_email: dict[str, Entity] = {}
        self.entity_by_phone: dict[str, Entity] = {}
        self.entity_by_domain: dict[str, Entity] = {}
        self.no_mx_domains = {typo for typos in TYPO_DOMAINS.values() for typo in typos}
        self.entity_by_license: dict[tuple[str, str], Entity] = {}
        for entity in self.entities:
            if entity.email:
                self.entity_by_email[entity.email] = entity
                if entity.website:
                    domain = entity.email.split("@")[1]
                    if entity.website.find(domain) >= 0:
                        self.entity_by_domain[domain] = entity
                        if entity.email_status == "no_mx":
                            self.no_mx_domains.add(domain)
            self.entity_by_phone.setdefault(entity.phone, entity)
            if entity.mobile:
                self.entity_by_phone.setdefault(entity.mobile, entity)
            if entity.license:
                self.entity_by_license[(entity.license.state, normalize_license(entity.license.number))] = entity
        self.user_by_id = {u.user_id: u for u in self.users}
        for user in self.users:
            if user.entity_id:
                entity = self.entity_by_id[user.entity_id]
                if user.email:
                    self.entity_by_email.setdefault(user.email, entity)
                if user.phone:
                    self.entity_by_phone.setdefault(user.phone, entity)
        self.social_entity = {r.record_id: r.entity_id for r in self.records if r.source == "social"}
        self.referred_entities: dict[str, list[str]] = {}
        for item in self.social:
            self.referred_entities.setdefault(item["referred_by_user_id"], []).append(
                self.social_entity[item["candidate_id"]])
        for referral in self.referrals:
            self.referred_entities.setdefault(referral.data["referrer_user_id"], []).append(referral.entity_id)
        self.active_base = np.zeros((self.market.n_regions, self.market.n_specialties), dtype=np.int64)
        for user in self.users:
            if user.role == "contractor" and user.city_index is not None:
                for specialty in user.specialties:
                    self.active_base[user.city_index, SPECIALTY_SLUGS.index(specialty)] += 1

    def entity_for_address(self, channel: str, address: str) -> Entity | None:
        """Which business a message to `address` reaches (business domains are catch-all)."""
        if channel == "sms":
            return self.entity_by_phone.get(address)
        address = address.lower()
        return self.entity_by_email.get(address) or self.entity_by_domain.get(address.rsplit("@", 1)[-1])

    def fingerprint(self) -> str:
        """A digest of everything generated: equal for equal (seed, scale, anchor), different otherwise."""
        digest = hashlib.sha256()
        for entity in self.entities:
            digest.update(json.dumps(entity_truth(entity), sort_keys=True, default=str).encode())
        for record in self.records:
            digest.update(json.dumps(record.item(), sort_keys=True).encode())
        for rows in self.registry_rows.values():
            digest.update(json.dumps(rows, sort_keys=True).encode())
        digest.update(json.dumps(self.social, sort_keys=True).encode())
        digest.update(json.dumps([u.item() for u in self.users], sort_keys=True).encode())
        return digest.hexdigest()


def normalize_license(number: str) -> str:
    return "".join(ch for ch in number.upper() if ch.isalnum() or ch == "*")


def entity_truth(entity: Entity) -> dict:
    """`GET /sandbox/truth/entities` item: the true business, its propensities and features."""
    lic = entity.license
    city = entity.city
    return {
        "entity_id": entity.entity_id,
        "business_name": entity.business_name,
        "base_name": entity.base_name,
        "business_type": entity.business_type,
        "owner_name": " ".join(p for p in (entity.first, entity.middle, entity.last) if p),
        "specialties": list(entity.specialties),
        "region": city.region,
        "state": city.state,
        "city": city.name,
        "address": entity.address,
        "zip": entity.zip,
        "phone": entity.phone,
        "phone_type": entity.phone_type,
        "mobile": entity.mobile,
        "email": entity.email,
        "email_status": entity.email_status,
        "website": entity.website,
        "license": None if lic is None else {
            "state": lic.state, "number": lic.number, "classifications": list(lic.classes),
            "issued": lic.issued.isoformat(), "expires": lic.expires.isoformat(), "status": lic.status,
            "registry_status": lic.registry_status,
        },
        "years_in_business": entity.years_in_business,
        "rating": entity.rating,
        "review_count": entity.review_count,
        "stale_contact": entity.stale_contact,
        "registered_user_id": entity.registered_user_id,
        "sources": list(entity.sources),
        "p_respond": entity.p_respond,
        "p_interest": entity.p_interest,
        "p_convert": entity.p_convert,
        "features": entity.features,
    }
