"""The synthetic world: deterministic, internally consistent and dirty in the documented ways."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime

import numpy as np
import phonenumbers
import pytest

from integrations.contracts import component_validator
from integrations.sandbox.geo import CITIES
from integrations.sandbox.specialties import SPECIALTY_SLUGS
from integrations.sandbox.world import SOURCES, World

ANCHOR = date(2026, 3, 2)


@pytest.fixture(scope="module")
def world() -> World:
    return World(42, 1500, ANCHOR)


def test_same_seed_and_scale_give_the_same_world(world: World) -> None:
    assert World(42, 1500, ANCHOR).fingerprint() == world.fingerprint()


def test_another_seed_gives_another_world(world: World) -> None:
    other = World(43, 1500, ANCHOR)
    assert other.fingerprint() != world.fingerprint()
    assert {e.business_name for e in other.entities} != {e.business_name for e in world.entities}


def test_there_are_scale_entities_with_unique_ids_and_emails(world: World) -> None:
    assert len(world.entities) == 1500
    assert len({e.entity_id for e in world.entities}) == 1500
    emails = [e.email for e in world.entities if e.email]
    assert len(emails) == len(set(emails))


def test_only_family_businesses_share_a_phone_and_it_is_their_office_landline(world: World) -> None:
    by_phone: dict[str, list] = {}
    for entity in world.entities:
        by_phone.setdefault(entity.phone, []).append(entity)
    shared = [group for group in by_phone.values() if len(group) > 1]
    assert shared
    for group in shared:
        assert len({e.last for e in group}) == 1 and {e.phone_type for e in group} == {"landline"}
        assert len({e.specialties[0] for e in group}) > 1
    mobiles = [e.mobile for e in world.entities if e.mobile and e.mobile != e.phone]
    assert len(mobiles) == len(set(mobiles)) and not set(mobiles) & set(by_phone)
    emails = [e.email for e in world.entities if e.email]
    assert len(emails) == len(set(emails))


def test_cities_are_real_places_spread_over_many_states() -> None:
    assert 40 <= len(CITIES) <= 60
    assert len({c.state for c in CITIES}) >= 20
    for city in CITIES:
        assert re.fullmatch(r"us-[a-z]{2}-[a-z0-9]+(-[a-z0-9]+)*", city.region)


def test_phones_are_valid_e164_numbers_with_an_area_code_of_the_city(world: World) -> None:
    for entity in world.entities[:300]:
        parsed = phonenumbers.parse(entity.phone)
        assert phonenumbers.is_valid_number(parsed), entity.phone
        assert entity.phone[2:5] in entity.city.area_codes


def test_every_entity_is_seen_by_one_to_three_sources(world: World) -> None:
    by_entity: dict[str, set[str]] = {}
    for record in world.records:
        assert record.source in SOURCES
        by_entity.setdefault(record.entity_id, set()).add(record.source)
    assert set(by_entity) == {e.entity_id for e in world.entities}
    assert all(1 <= len(sources) <= 3 for sources in by_entity.values())
    counts = Counter(len(s) for s in by_entity.values())
    assert counts[2] + counts[3] > 0.15 * len(world.entities)  # enough real duplicates to resolve


def test_record_ids_are_unique_per_source_and_some_sources_repeat_an_entity(world: World) -> None:
    keys = [(r.source, r.record_id) for r in world.records]
    assert len(keys) == len(set(keys))
    repeated = Counter((r.source, r.entity_id) for r in world.records if r.source in ("social", "directory"))
    assert any(n == 2 for n in repeated.values())


def test_about_a_tenth_of_entities_are_already_registered_users(world: World) -> None:
    registered = [e for e in world.entities if e.registered_user_id]
    assert 0.06 < len(registered) / len(world.entities) < 0.14
    for entity in registered:
        assert world.user_by_id[entity.registered_user_id].entity_id == entity.entity_id


def test_registered_businesses_are_not_offered_as_potential_contractors(world: World) -> None:
    registered = {e.entity_id for e in world.entities if e.registered_user_id}
    assert not registered & {world.social_entity[item["candidate_id"]] for item in world.social}


def test_potential_contractors_are_contract_valid_and_messy(world: World) -> None:
    validator = component_validator("domains", "PotentialContractor")
    for item in world.social:
        validator.validate(item)
    emails = [item["email"] for item in world.social if item["email"]]
    phones = [item["phone"] for item in world.social if item["phone"]]
    assert any(e != e.strip().lower() or "@" not in e for e in emails)
    assert len({re.sub(r"\d", "9", p) for p in phones}) > 5  # many formats
    assert any(item["business_name"] is None for item in world.social)


def test_referrals_are_valid_event_data_emitted_after_the_anchor(world: World) -> None:
    from integrations.contracts import event_data_validator

    validator = event_data_validator("ReferralCreatedEvent")
    start = datetime(ANCHOR.year, ANCHOR.month, ANCHOR.day, tzinfo=UTC).timestamp()
    for referral in world.referrals:
        validator.validate(referral.data)
        assert referral.emit_at > start


def test_licenses_include_stale_expired_and_suspended_ones(world: World) -> None:
    statuses = Counter(e.license.status for e in world.entities if e.license)
    assert statuses["active"] > statuses["expired"] > 0
    assert statuses["suspended"] > 0
    assert any(e.license.status == "expired" and e.license.registry_status == "active"
               for e in world.entities if e.license)


def test_propensities_are_probabilities_that_follow_the_documented_features(world: World) -> None:
    respond = np.array([e.p_respond for e in world.entities])
    convert = np.array([e.p_convert for e in world.entities])
    assert ((respond > 0) & (respond <= 0.9)).all()
    assert (convert <= respond).all()
    gap = np.array([e.features["supply_gap"] for e in world.entities])
    assert np.corrcoef(gap, respond)[0, 1] > 0.2
    referred = np.array([e.features["referred"] for e in world.entities])
    assert respond[referred].mean() > respond[~referred].mean()


def test_demand_is_high_where_supply_is_low() -> None:
    world = World(7, 20000, ANCHOR)
    market = world.market
    stats = market.open_stats(datetime(2026, 3, 2, 12, tzinfo=UTC))
    demand = market.demand_index(stats.open, world.active_base)
    busy = market.base > np.quantile(market.base, 0.7)
    under = busy & (market.supply < 0.7)
    assert demand[under].mean() > 1.3 * demand[busy & ~under].mean()


def test_demand_changes_from_day_to_day(world: World) -> None:
    market = world.market
    day1 = market.trend_counts(date(2026, 3, 3), datetime(2026, 3, 10, tzinfo=UTC))
    day2 = market.trend_counts(date(2026, 3, 4), datetime(2026, 3, 10, tzinfo=UTC))
    assert day1.shape == (len(CITIES), len(SPECIALTY_SLUGS))
    assert not np.array_equal(day1, day2)
    assert np.array_equal(day1, market.trend_counts(date(2026, 3, 3), datetime(2026, 3, 10, tzinfo=UTC)))


def _source_view(world: World) -> tuple[dict, dict]:
    social = {item["candidate_id"]: item for item in world.social}
    listings = {listing.listing_id: listing for city in world.listings.values() for listing in city}
    return social, listings


def test_churn_changes_or_adds_the_given_share_of_records_deterministically(world: World) -> None:
    churned = World(42, 1500, ANCHOR, daily_churn=0.02, churn_days=1)
    assert churned.fingerprint() == World(42, 1500, ANCHOR, daily_churn=0.02, churn_days=1).fingerprint()
    assert churned.fingerprint() != world.fingerprint()
    assert [e.entity_id for e in churned.entities] == [e.entity_id for e in world.entities]
    (social, listings), (social_after, listings_after) = _source_view(world), _source_view(churned)
    assert set(social_after) == set(social) and set(listings) <= set(listings_after)
    new = set(listings_after) - set(listings)
    changed = [k for k in social if social[k] != social_after[k]]
    changed += [k for k in listings if listings[k] != listings_after[k]]
    changeable = sum(1 for r in world.records if r.source in ("social", "directory"))
    assert new and changed
    assert len(new) + len(changed) <= round(0.02 * changeable)
    assert len(new) + len(changed) >= 0.6 * round(0.02 * changeable)  # a re-typed record may come out the same
    record_ids = {r.record_id for r in churned.records}
    assert new <= record_ids


def test_no_churn_is_the_default(world: World) -> None:
    assert World(42, 1500, ANCHOR, daily_churn=0.5, churn_days=0).fingerprint() == world.fingerprint()
