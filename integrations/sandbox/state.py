"""What changes while the sandbox runs: accounts created, messages accepted, suppressions, incentives, and
what our prospect ids turned out to be. Guarded by the sandbox lock (see `service.Sandbox.lock`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from integrations.sandbox.specialties import SPECIALTY_SLUGS
from integrations.sandbox.users import User
from integrations.sandbox.world import World


@dataclass
class Message:
    message_id: str
    client_id: str
    channel: str
    to: str
    reply_to: str | None
    subject: str | None
    body: str
    metadata: dict
    entity_id: str | None
    accepted_at: float
    has_unsubscribe_header: bool


@dataclass
class Incentive:
    incentive_id: str
    recipient_user_id: str
    prospect_id: str
    amount_cents: int
    currency: str
    status: str
    updated_at: str


@dataclass
class ProspectLink:
    """What the sandbox learned about one of our prospect ids from the addresses we used for it."""

    prospect_id: str
    entities: Counter = field(default_factory=Counter)
    unmatched_addresses: int = 0
    messages: int = 0
    campaigns: set[str] = field(default_factory=set)
    latest_campaign: str | None = None  # the campaign of the latest message accepted for it
    user_id: str | None = None


class Runtime:
    def __init__(self, world: World) -> None:
        self.world = world
        self.users: list[User] = list(world.users)
        self.user_by_id: dict[str, User] = dict(world.user_by_id)
        self.user_by_email: dict[str, list[User]] = {}
        self.user_by_phone: dict[str, list[User]] = {}
        for user in self.users:
            self._index_user(user)
        self.registered: dict[str, str] = {e.entity_id: e.registered_user_id for e in world.entities
                                           if e.registered_user_id}
        self.messages: dict[str, Message] = {}
        self.contacts: Counter = Counter()  # entity_id -> messages accepted
        self.closed: set[str] = set()  # entities that opted out or declined: no further replies
        self.suppressed: dict[str, float] = {}  # address -> sandbox time from which sends are refused
        self.incentives: dict[str, Incentive] = {}
        self.prospects: dict[str, ProspectLink] = {}
        self.added_active = np.zeros((world.market.n_regions, world.market.n_specialties), dtype=np.int64)

    def _index_user(self, user: User) -> None:
        if user.email:
            self.user_by_email.setdefault(user.email.lower(), []).append(user)
        if user.phone:
            self.user_by_phone.setdefault(user.phone, []).append(user)

    def user_exists(self, email: str | None, phone: str | None) -> bool:
        return bool((email and email.lower() in self.user_by_email) or (phone and phone in self.user_by_phone))

    def add_user(self, user: User) -> None:
        """A new account: searchable, counted as active supply and removed from potential contractors."""
        self.users.append(user)
        self.user_by_id[user.user_id] = user
        self._index_user(user)
        if user.entity_id:
            self.registered.setdefault(user.entity_id, user.user_id)
        if user.role == "contractor" and user.city_index is not None:
            for specialty in user.specialties:
                self.added_active[user.city_index, SPECIALTY_SLUGS.index(specialty)] += 1

    def is_suppressed(self, address: str, now: float) -> bool:
        since = self.suppressed.get(address.lower())
        return since is not None and since <= now

    def suppress(self, address: str, since: float) -> None:
        current = self.suppressed.get(address.lower())
        self.suppressed[address.lower()] = since if current is None else min(current, since)

    def link_prospect(self, prospect_id: str, entity_id: str | None, campaign_id: str | None = None) -> ProspectLink:
        link = self.prospects.setdefault(prospect_id, ProspectLink(prospect_id))
        if entity_id:
            link.entities[entity_id] += 1
        else:
            link.unmatched_addresses += 1
        if campaign_id:
            link.campaigns.add(campaign_id)
            link.latest_campaign = campaign_id
        return link

    def active_contractors(self) -> np.ndarray:
        """Active contractors per region × specialty: the network, registered candidates and new accounts."""
        return self.world.active_base + self.added_active
