"""How the other domains react, scheduled on the sandbox clock.

Every reaction draws from an RNG seeded with the sandbox seed and the id it reacts to, so the same requests
give the same reactions regardless of timing or thread interleaving.

- A message accepted by Messaging: `sent` (seconds later), then `delivered` or `bounced` (a dead mailbox:
  the address is suppressed from then on); for emails `opened`/`clicked` with a probability that grows with
  the business's `p_respond`, rarely `complained`. Then, drawn with the business's hidden propensities
  (`propensity.py`), perhaps a reply (`MessageReceivedEvent`, threaded with `in_reply_to_message_id`):
  interested or a question (share `p_interest`), else not interested, opt-out (STOP / please remove me, or a
  one-click `unsubscribed` status when the email carried List-Unsubscribe), wrong contact (always possible on
  a stale contact) or an auto-reply. Each earlier message to the same business lowers the reply chance
  (×0.75); a business that opted out or declined does not reply again. An interested business sometimes signs
  up on its own a few days later (`UserCreatedEvent` with `prospect_id` null).
- `POST /users/contractors`: `UserCreatedEvent` with our prospect id, seconds to minutes later; 30 % of these
  contractors refer a peer of their city 1 to 5 days later (`ReferralCreatedEvent` carrying the campaign of our
  latest message to them).
- `POST /payment/incentives/issue`: `PaymentIncentiveStatusEvent` issued (97 %) or failed, 30 min to 6 h later.
- `ContractorReadyForVerificationEvent` on the bus: `VerificationCompletedEvent` 2 to 36 h later, verified when
  the license number exists in that state and is active, else rejected with reason codes.
- Each new sandbox day: the day's `ProjectCreatedEvent`s (at their creation times), its referrals
  (`ReferralCreatedEvent`) and `SpecialtyDemandChangedEvent`s for cells whose demand index moved by at least
  20 % and 0.25 since the previous day.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta

import numpy as np

from integrations.sandbox.entities import Entity
from integrations.sandbox.events import EventLog
from integrations.sandbox.ids import iso, stable_uuid
from integrations.sandbox.market import DAY_SECONDS, day_start
from integrations.sandbox.names import FREEMAIL_DOMAINS
from integrations.sandbox.replies import reply_body
from integrations.sandbox.specialties import SPECIALTY_SLUGS
from integrations.sandbox.state import Incentive, Message, Runtime
from integrations.sandbox.users import User
from integrations.sandbox.world import World, normalize_license

MESSAGING_NUMBER = "+18445550123"  # the number SMS replies are sent to
BOUNCE_REASON = "550 5.1.1 The email account that you tried to reach does not exist"
COMPLAINT_REASON = "Recipient marked the message as spam (feedback loop)"
DEMAND_CHANGE_RELATIVE = 0.20
DEMAND_CHANGE_ABSOLUTE = 0.25
CAMPAIGN_REFERRAL_RATE = 0.3  # share of contractors won by a campaign who refer a peer through it, days later


class Reactions:
    def __init__(self, world: World, runtime: Runtime, log: EventLog) -> None:
        self.world, self.runtime, self.log = world, runtime, log
        self.seed = world.seed
        self.referrals_by_day: dict[int, list] = {}
        for referral in world.referrals:
            day = int(referral.emit_at // DAY_SECONDS)
            self.referrals_by_day.setdefault(day, []).append(referral)

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(map(str, (self.seed, *parts))))

    def _event_id(self, *parts: object) -> str:
        return stable_uuid(self.seed, "event", *parts)

    # ----- messaging -----
    def _status(self, message: Message, status: str, at: float, reason: str | None = None, effect=None) -> None:
        data = {"message_id": message.message_id, "channel": message.channel, "status": status, "reason": reason,
                "occurred_at": iso(at)}
        self.log.schedule("MessageStatusUpdatedEvent", self._event_id(message.message_id, status), at, data,
                          message.message_id, effect)

    def _bounces(self, message: Message, entity: Entity | None) -> bool:
        if message.channel != "email":
            return False
        address = message.to.lower()
        if entity is not None:
            return address == entity.email and entity.email_status == "bounces"
        domain = address.rsplit("@", 1)[-1]
        return domain in FREEMAIL_DOMAINS and address not in self.runtime.user_by_email

    def on_message(self, message: Message, now: float) -> None:
        """Schedule delivery updates and, maybe, a reply and a sign-up for an accepted message."""
        rng = self._rng("message", message.message_id)
        entity = self.world.entity_by_id.get(message.entity_id) if message.entity_id else None
        sent = now + rng.uniform(2, 30)
        self._status(message, "sent", sent)
        if self._bounces(message, entity):
            bounced = sent + rng.uniform(30, 600)
            self._status(message, "bounced", bounced, BOUNCE_REASON,
                         effect=lambda: self._suppress(message.to, bounced))
            return
        delivered = sent + rng.uniform(5, 120)
        self._status(message, "delivered", delivered)
        p_respond = entity.p_respond if entity else 0.03
        if message.channel == "email" and rng.random() < 0.2 + 0.6 * p_respond:
            opened = delivered + min(rng.lognormvariate(math.log(2 * 3600), 1.0), 5 * DAY_SECONDS)
            self._status(message, "opened", opened)
            if rng.random() < 0.3:
                self._status(message, "clicked", opened + rng.uniform(10, 1200))
        if message.channel == "email" and rng.random() < 0.003:
            complained = delivered + rng.uniform(3600, 2 * DAY_SECONDS)
            self._status(message, "complained", complained, COMPLAINT_REASON,
                         effect=lambda: self._suppress(message.to, complained))
            return
        if entity is None:
            if rng.random() < 0.02:
                self._reply(message, None, "wrong_contact", delivered, rng)
            return
        self._maybe_reply(message, entity, delivered, rng)

    def _maybe_reply(self, message: Message, entity: Entity, delivered: float, rng: random.Random) -> None:
        prior = self.runtime.contacts[entity.entity_id] - 1
        if entity.entity_id in self.runtime.closed:
            return
        stale = entity.stale_contact == ("phone" if message.channel == "sms" else "email") and (
            message.to in (entity.phone, entity.mobile) or message.to.lower() == entity.email)
        if stale:
            if rng.random() < 0.35:
                self._reply(message, entity, "wrong_contact", delivered, rng)
            return
        factor = 1.15 if message.channel == "sms" else 0.85
        if rng.random() >= min(0.95, entity.p_respond * factor * 0.75**prior):
            if rng.random() < 0.15 * entity.p_convert:
                self._organic_signup(entity, delivered + rng.uniform(1, 6) * DAY_SECONDS, message.message_id)
            return
        roll = rng.random()
        if roll < entity.p_interest * 0.7:
            intent = "interested"
        elif roll < entity.p_interest:
            intent = "question"
        else:
            intent = rng.choices(("not_interested", "opt_out", "auto_reply", "wrong_contact"),
                                 cum_weights=(45, 75, 90, 100))[0]
        if intent == "opt_out" and message.has_unsubscribe_header and rng.random() < 0.4:
            at = delivered + rng.uniform(60, DAY_SECONDS)
            self._status(message, "unsubscribed", at, None, effect=lambda: self._close(entity, message.to, at))
            return
        reply_at = self._reply(message, entity, intent, delivered, rng)
        if intent == "interested" and rng.random() < 0.25:
            self._organic_signup(entity, reply_at + rng.uniform(1, 5) * DAY_SECONDS, message.message_id)

    def _reply(self, message: Message, entity: Entity | None, intent: str, delivered: float,
               rng: random.Random) -> float:
        if intent == "auto_reply":
            at = delivered + rng.uniform(5, 120)
        else:
            at = delivered + min(max(rng.lognormvariate(math.log(3 * 3600), 1.0), 300), 4 * DAY_SECONDS)
        first = (entity.first if entity else "there")
        context = {
            "first": first, "last": entity.last if entity else "",
            "business": entity.base_name if entity else "our company",
            "city": entity.city.name if entity else "your area",
            "specialty": entity.specialties[0].replace("_", " ") if entity else "contracting",
        }
        body = reply_body(rng, message.channel, intent, context, message.body, iso(message.accepted_at))
        reply_id = stable_uuid(self.seed, "reply", message.message_id)
        data = {
            "message_id": reply_id,
            "in_reply_to_message_id": message.message_id if rng.random() < 0.92 else None,
            "channel": message.channel,
            "from": message.to,
            "to": (message.reply_to or "replies@messaging.instabids.example")
            if message.channel == "email" else MESSAGING_NUMBER,
            "subject": f"Re: {message.subject}" if message.channel == "email" else None,
            "body_text": body,
            "received_at": iso(at),
        }

        def effect() -> bool:
            if entity is not None and intent in ("opt_out", "not_interested"):
                self.runtime.closed.add(entity.entity_id)
            if intent == "opt_out":
                self.runtime.suppress(message.to, at)
            return True

        self.log.schedule("MessageReceivedEvent", self._event_id("reply", message.message_id), at, data,
                          reply_id, effect)
        return at

    def _suppress(self, address: str, since: float) -> bool:
        self.runtime.suppress(address, since)
        return True

    def _close(self, entity: Entity, address: str, since: float) -> bool:
        self.runtime.closed.add(entity.entity_id)
        self.runtime.suppress(address, since)
        return True

    def _organic_signup(self, entity: Entity, at: float, cause: str) -> None:
        user = User(
            stable_uuid(self.seed, "organic-user", entity.entity_id), "contractor",
            entity.email if entity.email and entity.email_status == "ok" else None, entity.mobile or entity.phone,
            entity.business_name, iso(at), city_index=entity.city_index, specialties=entity.specialties,
            entity_id=entity.entity_id,
        )

        def effect() -> bool:
            if entity.entity_id in self.runtime.registered or self.runtime.user_exists(user.email, user.phone):
                return False  # registered meanwhile (through us or another path): no second account
            self.runtime.add_user(user)
            return True

        self.log.schedule("UserCreatedEvent", self._event_id("organic", entity.entity_id, cause), at,
                          self.user_created_data(user), user.user_id, effect)

    @staticmethod
    def user_created_data(user: User) -> dict:
        return {"user_id": user.user_id, "role": user.role, "email": user.email, "phone": user.phone,
                "business_name": user.business_name, "prospect_id": user.prospect_id, "created_at": user.created_at}

    # ----- accounts, incentives, verification -----
    def on_contractor_created(self, user: User, now: float) -> None:
        rng = self._rng("user", user.user_id)
        at = now + rng.uniform(5, 300)
        self.log.schedule("UserCreatedEvent", self._event_id("user", user.user_id), at,
                          self.user_created_data(user), user.user_id)
        link = self.runtime.prospects.get(user.prospect_id) if user.prospect_id else None
        if link and link.latest_campaign and rng.random() < CAMPAIGN_REFERRAL_RATE:
            self._campaign_referral(user, link.latest_campaign, at + rng.uniform(1, 5) * DAY_SECONDS, rng)

    def _campaign_referral(self, user: User, campaign_id: str, at: float, rng: random.Random) -> None:
        """A contractor won by a campaign refers a peer of their city through it: `ReferralCreatedEvent` with the
        campaign's id, which Outreach announces as `OutreachReferralEvent`."""
        peers = sorted(e.entity_id for e in self.world.entities
                       if e.city_index == user.city_index and e.entity_id != user.entity_id
                       and e.entity_id not in self.runtime.registered)
        if not peers:
            return
        referral = self.world._referral(rng, self.world.entity_by_id[rng.choice(peers)], user.user_id)
        data = {**referral.data, "campaign_id": campaign_id, "created_at": iso(at),
                "referral_id": stable_uuid(self.seed, "campaign-referral", user.user_id)}
        self.log.schedule("ReferralCreatedEvent", self._event_id("referral", data["referral_id"]), at, data,
                          data["referral_id"])

    def on_incentive(self, incentive: Incentive, now: float) -> None:
        rng = self._rng("incentive", incentive.incentive_id)
        at = now + rng.uniform(1800, 6 * 3600)
        status = "issued" if rng.random() < 0.97 else "failed"
        data = {"incentive_id": incentive.incentive_id, "status": status, "amount_cents": incentive.amount_cents,
                "currency": incentive.currency, "updated_at": iso(at)}

        def effect() -> bool:
            incentive.status, incentive.updated_at = status, iso(at)
            return True

        self.log.schedule("PaymentIncentiveStatusEvent", self._event_id("incentive", incentive.incentive_id), at,
                          data, incentive.incentive_id, effect)

    def verdict(self, license_number: str | None, license_state: str | None, at: float) -> tuple[str, list[str]]:
        """Verification outcome for a license at sandbox time `at`."""
        if not license_number or not license_state:
            return "rejected", ["license_missing"]
        entity = self.world.entity_by_license.get((license_state, normalize_license(license_number)))
        if entity is None or entity.license is None:
            return "rejected", ["license_not_found"]
        lic = entity.license
        if lic.status in ("suspended", "inactive"):
            return "rejected", [f"license_{lic.status}"]
        if lic.status == "expired" or day_start(lic.expires) + DAY_SECONDS <= at:
            return "rejected", ["license_expired"]
        return "verified", []

    def on_verification_request(self, event_id: str, data: dict, now: float) -> None:
        rng = self._rng("verification", event_id)
        at = now + rng.uniform(2 * 3600, 36 * 3600)
        status, reasons = self.verdict(data.get("license_number"), data.get("license_state"), at)
        payload = {"user_id": data["user_id"], "prospect_id": data.get("prospect_id"), "status": status,
                   "reasons": reasons, "completed_at": iso(at)}
        self.log.schedule("VerificationCompletedEvent", self._event_id("verification", event_id), at, payload,
                          data["user_id"])

    # ----- the passing days -----
    def schedule_day(self, day: date, after: float) -> None:
        """The day's projects, referrals and demand changes (only those after `after`)."""
        market = self.world.market
        projects = market.day_projects(day)
        for i in np.nonzero(projects.created > after)[0]:
            data = market.created_event_data(projects, int(i))
            self.log.schedule("ProjectCreatedEvent", self._event_id("project", data["project_id"]),
                              float(projects.created[i]), data, data["project_id"])
        for referral in self.referrals_by_day.get(int(day_start(day) // DAY_SECONDS), []):
            if referral.emit_at > after:
                self.log.schedule("ReferralCreatedEvent", self._event_id("referral", referral.data["referral_id"]),
                                  referral.emit_at, referral.data, referral.data["referral_id"])
        changed_at = day_start(day) + 30
        if changed_at > after:
            self._demand_changes(day, changed_at)

    def _demand_changes(self, day: date, changed_at: float) -> None:
        market = self.world.market
        active = self.runtime.active_contractors()
        now_start, before_start = day_start(day), day_start(day - timedelta(days=1))
        current = market.demand_index(market.open_stats(_utc(now_start)).open, active)
        previous = market.demand_index(market.open_stats(_utc(before_start)).open, active)
        moved = (np.abs(current - previous) >= DEMAND_CHANGE_ABSOLUTE) & (
            np.abs(current - previous) >= DEMAND_CHANGE_RELATIVE * np.maximum(previous, 1e-9))
        for r, s in zip(*np.nonzero(moved), strict=True):
            region, specialty = market.regions[r], SPECIALTY_SLUGS[s]
            data = {"specialty": specialty, "region": region,
                    "previous_demand_index": round(float(previous[r, s]), 3),
                    "demand_index": round(float(current[r, s]), 3), "changed_at": iso(changed_at)}
            self.log.schedule("SpecialtyDemandChangedEvent", self._event_id("demand", day.isoformat(), region,
                                                                             specialty), changed_at, data)


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)
