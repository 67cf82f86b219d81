"""A synthetic world for the scoring tests and the benchmark, from a known propensity function with noise.

`make_world` builds prospects (the columns of `app.prospects`), a demand mart and a contact history whose
conversions are drawn from a known per-prospect propensity: by default the sandbox's documented function
(`docs/sandbox.md`, "Hidden propensity"), or `interaction_propensity`, where the effect of the supply gap flips with
the license (a linear model cannot represent it, trees can). Deterministic from the seed, vectorized (a million
prospects in a few seconds).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from ml.features import PROSPECT_COLUMNS

SPECIALTIES = (
    "general_contractor", "plumbing", "electrical", "hvac", "roofing", "painting", "flooring", "carpentry",
    "landscaping", "concrete", "drywall", "handyman", "remodeling", "solar", "pest_control", "cleaning",
)  # fmt: skip
REGIONS = tuple(f"us-ca-city-{i}" for i in range(12))
START = pd.Timestamp("2025-01-06", tz="UTC")
HORIZON = timedelta(days=14)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class Truth:
    """The hidden, true attributes of each prospect (what the sandbox knows and we estimate)."""

    gap: np.ndarray
    license_active: np.ndarray
    years: np.ndarray
    review_count: np.ndarray
    rating: np.ndarray
    channels: np.ndarray
    referred: np.ndarray
    website: np.ndarray


def sandbox_propensity(t: Truth, rng: np.random.Generator) -> np.ndarray:
    """p_convert of docs/sandbox.md: p_respond x p_interest x 0.8, with N(0, 0.35) noise on both logits."""
    reviews = np.log10(1 + t.review_count)
    rating = np.where(t.review_count > 0, t.rating - 4.2, 0.0)
    noise = rng.normal(0.0, 0.35, size=(2, t.gap.size))
    logit_respond = (
        -1.7 + 1.5 * t.gap + 0.5 * t.license_active - 0.02 * t.years - 0.30 * reviews + 0.35 * (t.channels - 1)
        + 0.8 * t.referred + noise[0]
    )  # fmt: skip
    logit_interest = (
        -0.6 + 1.3 * t.gap + 0.8 * t.license_active + 0.3 * t.website + 0.6 * t.referred + 0.5 * rating
        - 0.015 * t.years + noise[1]
    )  # fmt: skip
    return np.clip(_sigmoid(logit_respond), 0.01, 0.90) * _sigmoid(logit_interest) * 0.8


def interaction_propensity(t: Truth, rng: np.random.Generator) -> np.ndarray:
    """The gap helps licensed businesses and hurts unlicensed ones; referrals only count when reachable twice."""
    sign = np.where(t.license_active > 0, 1.0, -1.0)
    logit = (
        -2.2 + 3.5 * sign * (t.gap - 0.5) + 1.5 * t.referred * (t.channels == 2) - 0.8 * t.referred * (t.channels < 2)
        + rng.normal(0.0, 0.2, t.gap.size)
    )  # fmt: skip
    return _sigmoid(logit)


@dataclass
class World:
    prospects: pd.DataFrame
    demand: pd.DataFrame
    history: pd.DataFrame
    truth: pd.DataFrame  # prospect_id, true_propensity
    start: pd.Timestamp
    days: int

    @property
    def end(self) -> pd.Timestamp:
        return self.start + pd.Timedelta(days=self.days)

    @property
    def observed_until(self) -> pd.Timestamp:
        return self.end + pd.Timedelta(HORIZON)


def _ids(rng: np.random.Generator, n: int) -> list[str]:
    raw = rng.integers(0, 2**63, size=(n, 2), dtype=np.int64)
    hexes = [f"{a:016x}{b:016x}" for a, b in raw.tolist()]
    return [f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}" for h in hexes]


def make_demand(rng: np.random.Generator, start: pd.Timestamp, days: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Daily rows per specialty x region from a week before `start`; returns the frame and the cells' true gap."""
    cells = len(SPECIALTIES) * len(REGIONS)
    base_gap = rng.beta(2.0, 2.0, size=cells)
    day_list = pd.date_range((start - pd.Timedelta(days=7)).tz_localize(None), periods=days + 7, freq="D").date
    n = cells * len(day_list)
    cell = np.tile(np.arange(cells), len(day_list))
    gap = np.clip(base_gap[cell] + rng.normal(0.0, 0.02, n), 0.0, 1.0)
    unknown = rng.random(n) < 0.03
    frame = pd.DataFrame(
        {
            "partition_date": np.repeat(np.array(day_list, dtype=object), cells),
            "specialty": np.array(SPECIALTIES, dtype=object)[cell // len(REGIONS)],
            "region": np.array(REGIONS, dtype=object)[cell % len(REGIONS)],
            "supply_gap_index": np.where(unknown, np.nan, np.round(gap, 4)),
            "opportunity_value_cents": np.where(unknown, np.nan, np.round(rng.integers(1, 40, n) * 250_000 * gap)),
            "demand_pressure": np.clip(gap + rng.normal(0, 0.05, n), 0, 1),
            # the marketplace's coverage ratio is 1 - this unclipped shortfall (no extra draw: same data as before)
            "coverage_shortfall": np.clip(coverage_gap := gap + rng.normal(0, 0.05, n), 0, 1),
            "contractor_shortfall": np.clip(gap + rng.normal(0, 0.1, n), 0, 1),
            "gap_severity_weight": np.round(np.clip(gap, 0, 1) * 4) / 4,
            "wait_pressure": np.clip(gap * 0.8 + rng.normal(0, 0.1, n), 0, 1),
            "coverage_ratio": np.where(unknown, np.nan, np.clip(1.0 - coverage_gap, 0, None)),
        }
    )
    return frame, base_gap


def make_prospects(rng: np.random.Generator, n: int, base_gap: np.ndarray) -> tuple[pd.DataFrame, Truth]:
    region = rng.integers(0, len(REGIONS), n)
    primary = rng.integers(0, len(SPECIALTIES), n)
    second = (primary + rng.integers(1, len(SPECIALTIES), n)) % len(SPECIALTIES)
    has_second = rng.random(n) < 0.4
    names = np.array(SPECIALTIES, dtype=object)
    specialties = [
        [a, b] if two else [a]
        for a, b, two in zip(names[primary].tolist(), names[second].tolist(), has_second.tolist(), strict=True)
    ]
    years = np.round(rng.uniform(0, 45, n), 1)
    licensed = rng.random(n) < 0.7
    status = np.where(
        licensed, rng.choice(np.array(["active", "expired", "suspended", "inactive"]), n, p=[0.7, 0.15, 0.05, 0.1]),
        None,
    )
    expires = np.where(
        licensed, (START.tz_localize(None) + pd.to_timedelta(rng.integers(-120, 700, n), unit="D")).date, None
    )
    license_active = (status == "active") & licensed & (pd.to_datetime(expires) >= START.tz_localize(None))
    license_age = np.where(licensed, np.clip(years - rng.uniform(0, 3, n), 0, None), np.nan)
    review_count = np.where(rng.random(n) < 0.35, 0, np.floor(rng.lognormal(2.5, 1.2, n))).astype(np.int64)
    rating = np.where(review_count > 0, np.round(np.clip(rng.normal(4.3, 0.4, n), 1, 5), 1), np.nan)
    email_valid = rng.random(n) < 0.7
    phone_valid = rng.random(n) < 0.85
    sms = phone_valid & (rng.random(n) < 0.6)
    website = rng.random(n) < 0.45
    directory, social, referral = rng.random(n) < 0.5, rng.random(n) < 0.25, rng.random(n) < 0.08
    directory |= ~(licensed | social | referral)
    source_lists = [
        [s for s, on in (("directory", d), ("license_ca", lic), ("referral", r), ("social", so)) if on]
        for d, lic, r, so in zip(directory.tolist(), licensed.tolist(), referral.tolist(), social.tolist(), strict=True)
    ]
    confidence = rng.uniform(0.5, 1.0, size=(n, 4)).round(2).tolist()
    field_confidence = [
        {"business_name": a, "region": b, "phone": c if p else 0.0, "email": d if e else 0.0}
        for (a, b, c, d), p, e in zip(confidence, phone_valid.tolist(), email_valid.tolist(), strict=True)
    ]
    ids = _ids(rng, n)
    present = lambda share: rng.random(n) < share  # noqa: E731
    prospects = pd.DataFrame(
        {
            "prospect_id": ids,
            "region": np.array(REGIONS, dtype=object)[region],
            "specialties": specialties,
            "business_name": np.where(present(0.97), "Acme Builders", None),
            "street": np.where(present(0.8), "1 Main St", None),
            "city": np.where(present(0.95), "City", None),
            "state": np.where(present(0.95), "CA", None),
            "postal_code": np.where(present(0.85), "90001", None),
            "website_domain": np.where(website, "acme.example", None),
            "license_number": np.where(licensed, "1234567", None),
            "license_status": status,
            "license_expires_on": expires,
            "license_age_years": license_age,
            "rating": rating,
            "review_count": np.where(review_count > 0, review_count, np.where(rng.random(n) < 0.5, 0, -1)),
            "sources": source_lists,
            "source_record_count": np.array([len(s) for s in source_lists]) + rng.integers(0, 3, n),
            "referred_by_user_id": np.where(referral, ids, None),
            "field_confidence": field_confidence,
            "is_email_valid": email_valid,
            "is_phone_valid": phone_valid,
            "is_sms_eligible": sms,
        }
    )
    prospects["review_count"] = prospects["review_count"].astype("Int64").mask(prospects["review_count"] < 0)
    cell = primary * len(REGIONS) + region
    truth = Truth(
        gap=base_gap[cell],
        license_active=license_active.astype(np.float64),
        years=years,
        review_count=review_count,
        rating=np.nan_to_num(rating, nan=0.0),
        channels=(email_valid.astype(int) + sms.astype(int)).astype(np.float64),
        referred=(social | referral).astype(np.float64),
        website=website.astype(np.float64),
    )
    return prospects[list(PROSPECT_COLUMNS)], truth


def make_history(
    rng: np.random.Generator, ids: list[str], p_convert: np.ndarray, start: pd.Timestamp, days: int,
    contact_share: float,
) -> pd.DataFrame:
    """Contacts spread over the days, a follow-up for some, replies, bounces, and conversions within 10 days."""
    n = len(ids)
    ids_array = np.array(ids, dtype=object)
    contacted = np.flatnonzero(rng.random(n) < contact_share)
    at = start + pd.to_timedelta(rng.uniform(0, days * 86400, contacted.size), unit="s")
    events = [pd.DataFrame({"prospect_id": ids_array[contacted], "occurred_at": at, "event": "contacted"})]
    follow = rng.random(contacted.size) < 0.3
    events.append(
        pd.DataFrame(
            {"prospect_id": ids_array[contacted[follow]], "occurred_at": at[follow] + pd.Timedelta(days=3),
             "event": "contacted"}
        )
    )  # fmt: skip
    replied = rng.random(contacted.size) < np.clip(p_convert[contacted] * 2.5, 0, 1)
    events.append(
        pd.DataFrame(
            {"prospect_id": ids_array[contacted[replied]], "occurred_at": at[replied] + pd.Timedelta(days=1),
             "event": "responded"}
        )
    )  # fmt: skip
    bounced = rng.random(contacted.size) < 0.05
    events.append(
        pd.DataFrame(
            {"prospect_id": ids_array[contacted[bounced]], "occurred_at": at[bounced] + pd.Timedelta(hours=1),
             "event": "bounced"}
        )
    )  # fmt: skip
    converted = rng.random(contacted.size) < p_convert[contacted]
    delay = pd.to_timedelta(rng.uniform(0.5, 10.0, converted.sum()), unit="D")
    events.append(
        pd.DataFrame({"prospect_id": ids_array[contacted[converted]], "occurred_at": at[converted] + delay,
                      "event": "converted"})
    )  # fmt: skip
    history = pd.concat(events, ignore_index=True)
    return history.sort_values(["occurred_at", "prospect_id"], kind="mergesort").reset_index(drop=True)


def make_world(
    n: int = 20_000,
    seed: int = 1,
    *,
    days: int = 56,
    contact_share: float = 0.9,
    propensity=sandbox_propensity,
    with_history: bool = True,
) -> World:
    rng = np.random.default_rng(seed)
    demand, base_gap = make_demand(rng, START, days)
    prospects, truth = make_prospects(rng, n, base_gap)
    p_convert = propensity(truth, rng)
    ids = prospects["prospect_id"].tolist()
    history = (
        make_history(rng, ids, p_convert, START, days, contact_share)
        if with_history
        else pd.DataFrame(columns=["prospect_id", "occurred_at", "event"])
    )
    truth_frame = pd.DataFrame({"prospect_id": ids, "true_propensity": p_convert})
    return World(prospects, demand, history, truth_frame, START, days)


@functools.lru_cache(maxsize=4)
def labelled_world(n: int = 20_000, seed: int = 1, interaction: bool = False) -> tuple[World, pd.DataFrame]:
    """A world and its training frame (labels of weekly windows + features + true propensity), cached per process."""
    from ml.labels import build_label_windows
    from ml.training import build_training_frame

    world = make_world(n, seed, propensity=interaction_propensity if interaction else sandbox_propensity)
    labels = build_label_windows(
        world.history, world.start, world.end, timedelta(days=7), HORIZON, world.observed_until
    )
    labels = labels.merge(world.truth, on="prospect_id", how="left")
    return world, build_training_frame(world.prospects, world.demand, world.history, labels)


def test_the_world_is_deterministic_from_its_seed() -> None:
    a, b = make_world(500, seed=3), make_world(500, seed=3)
    pd.testing.assert_frame_equal(a.history, b.history)
    assert a.prospects["prospect_id"].tolist() == b.prospects["prospect_id"].tolist()
    assert make_world(500, seed=4).prospects["prospect_id"].tolist() != a.prospects["prospect_id"].tolist()


def test_the_world_has_the_app_prospects_columns_and_a_plausible_base_rate() -> None:
    world = make_world(5000, seed=2)
    assert tuple(world.prospects.columns) == PROSPECT_COLUMNS
    assert world.prospects["prospect_id"].is_unique
    rate = world.truth["true_propensity"].mean()
    assert 0.03 < rate < 0.3
