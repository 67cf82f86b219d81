"""The hidden truth of how likely each business is to answer and to sign up.

Outreach scoring is evaluated against these numbers, so they are a documented function of features that our
pipeline can observe (or estimate) plus per-entity noise that it cannot:

    gap        = clip(1 - supply[region, primary specialty], -1, 1)   (the cell's true under-supply)
    license    = 1 if the license is active and unexpired, else 0
    years      = years in business (0..45)
    reviews    = log10(1 + review_count)
    rating     = rating - 4.2 (0 when there are no reviews)
    channels   = reachable channels: deliverable email + SMS-capable mobile (0..2)
    referred   = 1 if a user referred the business (a social connection or a referral), else 0
    website    = 1 if it has a website

    logit_respond  = -1.7 + 1.5 gap + 0.5 license - 0.02 years - 0.30 reviews + 0.35 (channels - 1)
                     + 0.8 referred + N(0, 0.35)
    logit_interest = -0.6 + 1.3 gap + 0.8 license + 0.3 website + 0.6 referred + 0.5 rating
                     - 0.015 years + N(0, 0.35)
    p_respond  = clip(sigmoid(logit_respond), 0.01, 0.90)     reply to a delivered message
    p_interest = sigmoid(logit_interest)                        share of replies that are interested/questions
    p_convert  = p_respond · p_interest · 0.8                   sign-up after a first contact that is followed up

The reply model in `reactions.py` draws from exactly these probabilities.
"""

from __future__ import annotations

import math

import numpy as np

from integrations.sandbox.entities import Entity
from integrations.sandbox.specialties import SPECIALTY_SLUGS

SIGNUP_AFTER_INTEREST = 0.8


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def features(entity: Entity, supply: np.ndarray, referred: bool, anchor_ordinal: int) -> dict:
    lic = entity.license
    license_active = bool(lic and lic.status == "active" and lic.expires.toordinal() >= anchor_ordinal)
    s = SPECIALTY_SLUGS.index(entity.specialties[0])
    channels = int(entity.email is not None and entity.email_status == "ok") + int(entity.mobile is not None)
    return {
        "supply_gap": round(float(np.clip(1.0 - supply[entity.city_index, s], -1.0, 1.0)), 4),
        "license_active": license_active,
        "years_in_business": entity.years_in_business,
        "review_count": entity.review_count,
        "rating": entity.rating,
        "reachable_channels": channels,
        "referred": referred,
        "has_website": entity.website is not None,
    }


def propensities(f: dict, noise: tuple[float, float]) -> tuple[float, float, float]:
    """(p_respond, p_interest, p_convert) from the features and the entity's two noise draws."""
    reviews = math.log10(1 + f["review_count"])
    rating = (f["rating"] - 4.2) if f["rating"] is not None else 0.0
    logit_respond = (
        -1.7 + 1.5 * f["supply_gap"] + 0.5 * f["license_active"] - 0.02 * f["years_in_business"]
        - 0.30 * reviews + 0.35 * (f["reachable_channels"] - 1) + 0.8 * f["referred"] + noise[0]
    )
    logit_interest = (
        -0.6 + 1.3 * f["supply_gap"] + 0.8 * f["license_active"] + 0.3 * f["has_website"]
        + 0.6 * f["referred"] + 0.5 * rating - 0.015 * f["years_in_business"] + noise[1]
    )
    p_respond = min(max(_sigmoid(logit_respond), 0.01), 0.90)
    p_interest = _sigmoid(logit_interest)
    return p_respond, p_interest, p_respond * p_interest * SIGNUP_AFTER_INTEREST


def assign(entities: list[Entity], supply: np.ndarray, seed: int, anchor_ordinal: int) -> None:
    noise = np.random.default_rng([seed, 5]).normal(0.0, 0.35, (len(entities), 2))
    for entity, (a, b) in zip(entities, noise, strict=True):
        referred = any(src in ("social", "referral") for src in entity.sources)
        entity.features = features(entity, supply, referred, anchor_ordinal)
        p_respond, p_interest, p_convert = propensities(entity.features, (float(a), float(b)))
        entity.p_respond, entity.p_interest = round(p_respond, 4), round(p_interest, 4)
        entity.p_convert = round(p_convert, 4)
