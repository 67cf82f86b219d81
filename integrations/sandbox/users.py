"""InstaBids users of the synthetic world: homeowners, the existing contractor network, already-registered
candidate businesses (~10 % of entities, so `GET /users/search` finds them) and a couple of admins."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from integrations.sandbox.entities import Entity, Registry, business_base_name, legal_suffix, slug_words
from integrations.sandbox.geo import CITIES
from integrations.sandbox.ids import iso, random_uuid
from integrations.sandbox.names import FIRST_FEMALE, FIRST_MALE, FREEMAIL_CUM, FREEMAIL_DOMAINS, LAST
from integrations.sandbox.specialties import SPECIALTY_SLUGS

REGISTERED_SHARE = 0.10


@dataclass(slots=True)
class User:
    user_id: str
    role: str  # contractor | homeowner | admin
    email: str | None
    phone: str | None
    business_name: str | None
    created_at: str
    city_index: int | None = None
    specialties: tuple[str, ...] = ()
    entity_id: str | None = None  # the candidate business this account belongs to, if any
    prospect_id: str | None = None  # set when created through POST /users/contractors
    connections: int = 0
    past_referrals: int = 0  # referrals made before the world's sources (history)
    past_converted: int = 0

    def item(self) -> dict:
        """The contract's `User`."""
        return {
            "id": self.user_id,
            "role": self.role,
            "email": self.email,
            "phone": self.phone,
            "business_name": self.business_name,
            "created_at": self.created_at,
        }


def _free_email(rng: random.Random, registry: Registry, first: str, last: str) -> str:
    local = rng.choice((f"{first}.{last}", f"{first}{last}", f"{first[0]}{last}{rng.randint(1, 99)}"))
    return registry.email(local.replace(" ", ""), rng.choices(FREEMAIL_DOMAINS, cum_weights=FREEMAIL_CUM)[0])


def _created_at(rng: random.Random, anchor: date, max_days: int) -> str:
    start = datetime(anchor.year, anchor.month, anchor.day, tzinfo=UTC)
    return iso(start - timedelta(seconds=rng.randint(3600, max_days * 86_400)))


def generate_users(
    seed: int, scale: int, anchor: date, entities: list[Entity], registry: Registry, target_active: np.ndarray
) -> list[User]:
    rng = random.Random(f"{seed}:users")
    np_rng = np.random.default_rng([seed, 2])
    users: list[User] = []
    for k in range(2):
        users.append(User(random_uuid(rng), "admin", f"admin{k + 1}@instabids.example", None, None,
                          _created_at(rng, anchor, 1500)))
    city_w = np.array([c.weight for c in CITIES])
    given_names = FIRST_MALE + FIRST_FEMALE
    for city_index in np_rng.choice(len(CITIES), size=max(100, scale // 4), p=city_w / city_w.sum()):
        first = rng.choice(given_names)
        last = rng.choice(LAST)
        city = CITIES[int(city_index)]
        users.append(
            User(
                random_uuid(rng), "homeowner", _free_email(rng, registry, first.lower(), last.lower()),
                registry.phone(city) if rng.random() < 0.8 else None, None, _created_at(rng, anchor, 1100),
                city_index=int(city_index), connections=int(np_rng.integers(0, 60)),
            )
        )
    # Candidate businesses that already have an account: discovery must recognise and skip them.
    registered_active = np.zeros_like(target_active)
    for entity in entities:
        if rng.random() >= REGISTERED_SHARE:
            continue
        email = entity.email
        if email is None or entity.email_status != "ok" or rng.random() < 0.2:
            email = _free_email(rng, registry, entity.first.lower(), entity.last.lower())
        user = User(
            random_uuid(rng), "contractor", email, entity.mobile or entity.phone,
            entity.business_name if rng.random() < 0.7 else entity.base_name, _created_at(rng, anchor, 900),
            city_index=entity.city_index, specialties=entity.specialties, entity_id=entity.entity_id,
            connections=int(np_rng.integers(0, 200)),
        )
        entity.registered_user_id = user.user_id
        users.append(user)
        for specialty in entity.specialties:
            registered_active[entity.city_index, SPECIALTY_SLUGS.index(specialty)] += 1
    # The existing network tops each cell up to its true supply factor (registered candidates count too).
    counts = np_rng.poisson(np.maximum(target_active - registered_active, 0.0))
    for r, s in zip(*np.nonzero(counts), strict=True):
        city = CITIES[int(r)]
        primary = SPECIALTY_SLUGS[int(s)]
        for _ in range(int(counts[r, s])):
            first, last = rng.choice(FIRST_MALE), rng.choice(LAST)
            base = business_base_name(rng, registry, int(r), primary, first, last)
            domain = f"{slug_words(base)}{rng.randint(1, 999)}.com" if rng.random() < 0.5 else None
            email = (
                registry.email(rng.choice(("info", "office", first.lower())), domain)
                if domain else _free_email(rng, registry, first.lower(), last.lower())
            )
            referrals = int(np_rng.poisson(1.2))
            users.append(
                User(
                    random_uuid(rng), "contractor", email, registry.phone(city),
                    base + legal_suffix(rng, rng.choice(("llc", "corporation", "sole_owner"))),
                    _created_at(rng, anchor, 2000), city_index=int(r), specialties=(primary,),
                    connections=int(np_rng.integers(5, 400)), past_referrals=referrals,
                    past_converted=int(np_rng.binomial(referrals, 0.3)),
                )
            )
    return users
