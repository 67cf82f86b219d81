"""Prospect features: ONE function (`build_features`) that training and scoring both call.

Everything a model sees about a prospect is computed here, from three frames and a point in time, so a training
example and a scored prospect with the same inputs get the same numbers (tests pin it). The function is vectorized
(no Python loop over prospects except parsing `field_confidence` when it arrives as JSON text), never looks at
anything that happened at or after `as_of`, and depends only on each prospect's own row: scoring a subset, or the
rows in another order, gives the same values for every prospect.

The output is a pandas DataFrame with `prospect_id` first and then `FEATURE_COLUMNS` in that fixed order, every
feature a finite float64 (missing inputs become documented constants plus a `*_missing` flag, never NaN), in the
input's row order. Fill values are constants, not statistics of the batch, for the same reason.

Input contract
--------------

`prospects` - one row per prospect, the columns of `app.prospects` (migration 0002):

| column | type | used for |
| --- | --- | --- |
| `prospect_id` | str/uuid, unique | the key (copied as text) |
| `region` | str or null | the demand cell (with the primary specialty) |
| `specialties` | list of str (may be empty/null) | first = primary specialty; count; demand of every specialty |
| `business_name`, `street`, `city`, `state`, `postal_code` | str or null | profile completeness |
| `website_domain`, `license_number` | str or null | profile completeness; `has_website` |
| `license_status` | `active`/`expired`/`suspended`/`inactive`/`unknown`/null | license flags |
| `license_expires_on` | date or null | an `active` license past its expiry at `as_of` counts as lapsed |
| `license_age_years` | float or null | years in business when `years_in_business` is absent |
| `rating`, `review_count` | float / int or null | reputation |
| `sources` | list of str | source flags (`license_*`, `directory`, `social`, `referral`) |
| `source_record_count` | int | how many source records were merged |
| `referred_by_user_id` | uuid or null | referred |
| `field_confidence` | dict or JSON text `{field: 0..1}` | enrichment confidence |
| `is_email_valid`, `is_phone_valid`, `is_sms_eligible` | bool | reachable channels |

Optional: `years_in_business` (float; not yet in `app.prospects`, falls back to `license_age_years`).

`demand` - rows of `marts.specialty_region_demand_daily`: `partition_date` (date), `specialty`, `region`,
`supply_gap_index`, `opportunity_value_cents`, `demand_pressure`, `coverage_shortfall`, `contractor_shortfall`,
`gap_severity_weight`, `wait_pressure`, `coverage_ratio` (floats, null = unknown). For each cell the latest
`partition_date` on or before `as_of`'s date and at most `DEMAND_LOOKBACK_DAYS` old is used; an older or absent
cell is unknown.

`history` (optional, None = no contact yet) - one row per contact event, built by the core from outreach
messages and inbound events: `prospect_id`, `occurred_at` (timestamp, UTC; naive = UTC), `event` one of
`contacted` (a message sent), `responded` (a reply), `bounced`, `converted` (a UserCreatedEvent for the prospect);
other events are ignored. Only rows with `occurred_at < as_of` count.

The features
------------

| feature | meaning |
| --- | --- |
| `profile_completeness` | share of `PROFILE_FIELDS` present (0..1) |
| `enrichment_confidence` | mean of `field_confidence` over `CONFIDENCE_FIELDS` (absent = 0) |
| `license_active` | status `active` and not expired at `as_of` |
| `license_lapsed` | `expired`/`inactive`, or `active` but past its expiry date |
| `license_suspended` | `suspended` |
| `years_in_business` | `years_in_business` else `license_age_years`, clipped 0..60 (0 when unknown) |
| `years_in_business_missing` | neither is known |
| `rating_centered` | rating - 4.2 with at least one review, else 0 |
| `log_reviews` | log10(1 + review_count) |
| `supply_gap_primary`, `supply_gap_missing` | supply-gap index of (primary specialty, region); 0 + flag when unknown |
| `supply_gap_max` | largest known supply-gap index over all the prospect's specialties in its region (0 if none) |
| `log_opportunity_value` | log10(1 + opportunity value in currency units) of the primary cell (0 if unknown) |
| `demand_pressure` ... `wait_pressure` | the five supply-gap components of the primary cell (0 if unknown) |
| `coverage_gap` | 1 - coverage ratio of the primary cell, clipped -1..1 (0 if unknown): unlike `coverage_shortfall` |
| | it tells a balanced cell from an over-supplied one |
| `source_license`, `source_directory`, `source_social`, `source_referral` | discovered through that source family |
| `referred` | social/referral source or a referring user |
| `source_record_count` | merged source records, clipped 0..20 |
| `email_valid`, `phone_valid`, `sms_eligible` | contact flags |
| `reachable_channels` | deliverable email + SMS-capable phone (0..2) |
| `has_website` | a website domain is known |
| `specialty_count` | number of specialties, clipped 0..10 |
| `prior_contacts` | contacts before `as_of`, clipped 0..20 |
| `days_since_last_contact` | days since the last contact, clipped 0..365 (365 = never) |
| `responded_before`, `bounced_before` | any earlier reply / bounce |
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final

import numpy as np
import pandas as pd

FEATURE_COLUMNS: Final[tuple[str, ...]] = (
    "profile_completeness",
    "enrichment_confidence",
    "license_active",
    "license_lapsed",
    "license_suspended",
    "years_in_business",
    "years_in_business_missing",
    "rating_centered",
    "log_reviews",
    "supply_gap_primary",
    "supply_gap_missing",
    "supply_gap_max",
    "log_opportunity_value",
    "demand_pressure",
    "coverage_shortfall",
    "contractor_shortfall",
    "gap_severity_weight",
    "wait_pressure",
    "coverage_gap",
    "source_license",
    "source_directory",
    "source_social",
    "source_referral",
    "referred",
    "source_record_count",
    "email_valid",
    "phone_valid",
    "sms_eligible",
    "reachable_channels",
    "has_website",
    "specialty_count",
    "prior_contacts",
    "days_since_last_contact",
    "responded_before",
    "bounced_before",
)
"""The model's inputs, in the order of the feature matrix. Changing it needs a retrain (artifacts store theirs)."""

PROSPECT_COLUMNS: Final[tuple[str, ...]] = (
    "prospect_id", "region", "specialties", "business_name", "street", "city", "state", "postal_code",
    "website_domain", "license_number", "license_status", "license_expires_on", "license_age_years", "rating",
    "review_count", "sources", "source_record_count", "referred_by_user_id", "field_confidence", "is_email_valid",
    "is_phone_valid", "is_sms_eligible",
)  # fmt: skip
"""Required columns of `prospects` (all of them columns of `app.prospects`)."""

OPTIONAL_PROSPECT_COLUMNS: Final[tuple[str, ...]] = ("years_in_business",)

DEMAND_COLUMNS: Final[tuple[str, ...]] = (
    "partition_date", "specialty", "region", "supply_gap_index", "opportunity_value_cents", "demand_pressure",
    "coverage_shortfall", "contractor_shortfall", "gap_severity_weight", "wait_pressure", "coverage_ratio",
)  # fmt: skip
"""Required columns of `demand` (columns of `marts.specialty_region_demand_daily`)."""

HISTORY_COLUMNS: Final[tuple[str, ...]] = ("prospect_id", "occurred_at", "event")
HISTORY_EVENTS: Final[tuple[str, ...]] = ("contacted", "responded", "bounced", "converted")

PROFILE_FIELDS: Final[tuple[str, ...]] = (
    "business_name", "street", "city", "state", "postal_code", "website_domain", "license_number", "specialties",
    "rating", "review_count", "contact",
)  # fmt: skip
"""What `profile_completeness` counts; `contact` = a valid email or phone, `specialties` = at least one."""

CONFIDENCE_FIELDS: Final[tuple[str, ...]] = (
    "business_name", "contact_name", "street", "region", "phone", "email", "license_status",
)
"""The keys of `app.prospects.field_confidence` (written by `outreach.prospects.golden`)."""

DEMAND_LOOKBACK_DAYS: Final = 7
"""A cell's demand row older than this (relative to `as_of`) is treated as unknown, not as current."""

RATING_CENTER: Final = 4.2
NEVER_CONTACTED_DAYS: Final = 365.0

_GAP_COMPONENTS: Final = (
    "demand_pressure", "coverage_shortfall", "contractor_shortfall", "gap_severity_weight", "wait_pressure",
)  # fmt: skip


class FeatureInputError(ValueError):
    """An input frame breaks the column contract of `build_features`."""


def _require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise FeatureInputError(f"{name} is missing columns {missing}")


def as_utc_timestamp(value: datetime | date | str | pd.Timestamp) -> pd.Timestamp:
    """A point in time as a UTC pandas Timestamp (naive values are read as UTC; a date is its midnight)."""
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _present(values: pd.Series) -> np.ndarray:
    """Not null and, for text, not blank."""
    mask = values.notna().to_numpy(dtype=bool, copy=True)
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
        text = values.astype("string")
        mask &= (text.str.strip().str.len().fillna(0) > 0).to_numpy(dtype=bool)
    return mask


def _bool(values: pd.Series) -> np.ndarray:
    return values.fillna(False).astype(bool).to_numpy(dtype=np.float64)


def _float(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _exploded(values: pd.Series) -> pd.Series:
    """A list column exploded, index = row position; empty or null lists give no row."""
    exploded = values.explode()
    return exploded[exploded.notna()]


def _confidence(values: pd.Series) -> np.ndarray:
    parsed: list[Mapping[str, Any]] = [
        json.loads(v) if isinstance(v, str | bytes) else (v if isinstance(v, Mapping) else {}) for v in values
    ]
    table = pd.DataFrame.from_records(parsed, columns=list(CONFIDENCE_FIELDS))
    numbers = table.apply(pd.to_numeric, errors="coerce").clip(0.0, 1.0).fillna(0.0)
    return numbers.to_numpy(dtype=np.float64).mean(axis=1) if len(table) else np.zeros(0)


def latest_demand(demand: pd.DataFrame, as_of: datetime | date | str | pd.Timestamp) -> pd.DataFrame:
    """Each cell's latest demand row on or before `as_of`'s date, within `DEMAND_LOOKBACK_DAYS`."""
    _require(demand, DEMAND_COLUMNS, "demand")
    day = as_utc_timestamp(as_of).tz_localize(None).normalize()
    days = pd.to_datetime(demand["partition_date"])
    recent = demand.loc[(days <= day) & (days > day - pd.Timedelta(days=DEMAND_LOOKBACK_DAYS)), list(DEMAND_COLUMNS)]
    recent = recent.assign(partition_date=pd.to_datetime(recent["partition_date"]))
    recent = recent.sort_values(["specialty", "region", "partition_date"], kind="mergesort")
    latest = recent.drop_duplicates(["specialty", "region"], keep="last")
    return latest.astype({"specialty": object, "region": object}).reset_index(drop=True)


def _demand_features(prospects: pd.DataFrame, demand: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, np.ndarray]:
    n = len(prospects)
    cells = latest_demand(demand, as_of)
    values = ["supply_gap_index", "opportunity_value_cents", "coverage_ratio", *_GAP_COMPONENTS]
    specialties = _exploded(prospects["specialties"])
    pairs = pd.DataFrame(
        {
            "row": specialties.index.to_numpy(dtype=np.int64),
            "specialty": specialties.to_numpy(dtype=object),
        }
    )
    pairs["region"] = prospects["region"].to_numpy(dtype=object)[pairs["row"].to_numpy()]
    pairs["primary"] = ~pairs["row"].duplicated(keep="first").to_numpy()
    joined = pairs.merge(cells[["specialty", "region", *values]], on=["specialty", "region"], how="left", sort=False)
    out: dict[str, np.ndarray] = {}
    primary = joined[joined["primary"].to_numpy()]
    rows = primary["row"].to_numpy()
    for column in values:
        full = np.full(n, np.nan)
        full[rows] = pd.to_numeric(primary[column], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        out[column] = full
    gap_max = np.zeros(n)
    known = joined[joined["supply_gap_index"].notna().to_numpy()]
    if len(known):
        by_row = known.groupby("row", sort=False)["supply_gap_index"].max()
        gap_max[by_row.index.to_numpy()] = by_row.to_numpy(dtype=np.float64)
    gap = out["supply_gap_index"]
    result = {
        "supply_gap_primary": np.nan_to_num(np.clip(gap, 0.0, 1.0), nan=0.0),
        "supply_gap_missing": np.isnan(gap).astype(np.float64),
        "supply_gap_max": np.clip(gap_max, 0.0, 1.0),
        "log_opportunity_value": np.nan_to_num(
            np.log10(1.0 + np.clip(out["opportunity_value_cents"], 0.0, None) / 100.0), nan=0.0
        ),
    }
    for column in _GAP_COMPONENTS:
        result[column] = np.nan_to_num(np.clip(out[column], 0.0, 1.0), nan=0.0)
    result["coverage_gap"] = np.nan_to_num(np.clip(1.0 - out["coverage_ratio"], -1.0, 1.0), nan=0.0)
    return result


def _history_features(ids: pd.Series, history: pd.DataFrame | None, as_of: pd.Timestamp) -> dict[str, np.ndarray]:
    n = len(ids)
    result = {
        "prior_contacts": np.zeros(n),
        "days_since_last_contact": np.full(n, NEVER_CONTACTED_DAYS),
        "responded_before": np.zeros(n),
        "bounced_before": np.zeros(n),
    }
    if history is None or len(history) == 0:
        return result
    _require(history, HISTORY_COLUMNS, "history")
    seconds_before = (as_of - pd.to_datetime(history["occurred_at"], utc=True)).dt.total_seconds().to_numpy()
    past = seconds_before > 0
    rows = pd.Index(ids.to_numpy(dtype=object)).get_indexer(
        history["prospect_id"].astype(str).to_numpy(dtype=object)[past]
    )
    events = history["event"].to_numpy(dtype=object)[past]
    seconds_before = seconds_before[past]
    known = rows >= 0
    contacted = known & (events == "contacted")
    if contacted.any():
        result["prior_contacts"] = np.clip(np.bincount(rows[contacted], minlength=n).astype(np.float64), 0, 20)
        last = pd.Series(seconds_before[contacted]).groupby(rows[contacted], sort=False).min()
        days = np.clip(last.to_numpy() / 86400.0, 0.0, NEVER_CONTACTED_DAYS)
        result["days_since_last_contact"][last.index.to_numpy()] = days
    for event, feature in (("responded", "responded_before"), ("bounced", "bounced_before")):
        result[feature][rows[known & (events == event)]] = 1.0
    return result


def build_features(
    prospects: pd.DataFrame,
    demand: pd.DataFrame,
    history: pd.DataFrame | None,
    as_of: datetime | date | str | pd.Timestamp,
) -> pd.DataFrame:
    """The feature frame of `prospects` at `as_of`: `prospect_id` + `FEATURE_COLUMNS` (see the module docstring).

    Args:
        prospects: one row per prospect with `PROSPECT_COLUMNS` (+ optional `years_in_business`).
        demand: `marts.specialty_region_demand_daily` rows with `DEMAND_COLUMNS` (any days; the latest usable
            day per cell is picked, see `latest_demand`).
        history: contact events with `HISTORY_COLUMNS`, or None.
        as_of: the point in time the features describe (naive = UTC). Training passes the start of the label
            window, scoring passes "now".

    Raises:
        FeatureInputError: a required column is missing or `prospect_id` repeats.
    """
    _require(prospects, PROSPECT_COLUMNS, "prospects")
    at = as_utc_timestamp(as_of)
    frame = prospects.reset_index(drop=True)
    ids = frame["prospect_id"].astype(str)
    if ids.duplicated().any():
        raise FeatureInputError("prospects has repeated prospect_id values")
    n = len(frame)
    f: dict[str, np.ndarray] = {}

    # Profile completeness and enrichment confidence.
    specialty_count = frame["specialties"].map(len, na_action="ignore").fillna(0).to_numpy(dtype=np.float64)
    email_valid, phone_valid = _bool(frame["is_email_valid"]), _bool(frame["is_phone_valid"])
    sms = _bool(frame["is_sms_eligible"])
    present = [
        _present(frame[c])
        for c in ("business_name", "street", "city", "state", "postal_code", "website_domain", "license_number",
                  "rating", "review_count")
    ]  # fmt: skip
    present += [specialty_count > 0, (email_valid + phone_valid) > 0]
    f["profile_completeness"] = np.mean(np.vstack(present).astype(np.float64), axis=0) if n else np.zeros(0)
    f["enrichment_confidence"] = _confidence(frame["field_confidence"])

    # License.
    status = frame["license_status"].astype("string").str.strip().str.lower()
    expires = pd.to_datetime(frame["license_expires_on"], errors="coerce")
    expired_by_date = (expires < at.tz_localize(None).normalize()).fillna(False).to_numpy(dtype=bool)
    is_active = (status == "active").fillna(False).to_numpy(dtype=bool)
    f["license_active"] = (is_active & ~expired_by_date).astype(np.float64)
    lapsed = status.isin(["expired", "inactive"]).fillna(False).to_numpy(dtype=bool) | (is_active & expired_by_date)
    f["license_lapsed"] = lapsed.astype(np.float64)
    f["license_suspended"] = (status == "suspended").fillna(False).to_numpy(dtype=np.float64)

    # Years in business.
    years = _float(frame["license_age_years"])
    if "years_in_business" in frame.columns:
        stated = _float(frame["years_in_business"])
        years = np.where(np.isnan(stated), years, stated)
    f["years_in_business"] = np.nan_to_num(np.clip(years, 0.0, 60.0), nan=0.0)
    f["years_in_business_missing"] = np.isnan(years).astype(np.float64)

    # Reputation.
    reviews = np.clip(np.nan_to_num(_float(frame["review_count"]), nan=0.0), 0.0, None)
    rating = _float(frame["rating"])
    f["rating_centered"] = np.where((reviews > 0) & ~np.isnan(rating), rating - RATING_CENTER, 0.0)
    f["log_reviews"] = np.log10(1.0 + reviews)

    # Market: the specialty x region cell.
    f.update(_demand_features(frame, demand, at))

    # Sources.
    sources = _exploded(frame["sources"]).astype(str)
    for feature, test in (
        ("source_license", sources.str.startswith("license")),
        ("source_directory", sources == "directory"),
        ("source_social", sources == "social"),
        ("source_referral", sources == "referral"),
    ):
        hit = np.zeros(n)
        hit[np.unique(sources.index.to_numpy()[test.to_numpy(dtype=bool)]).astype(np.int64)] = 1.0
        f[feature] = hit
    referred_by = frame["referred_by_user_id"].notna().to_numpy(dtype=np.float64)
    f["referred"] = np.maximum.reduce([f["source_social"], f["source_referral"], referred_by])
    f["source_record_count"] = np.clip(np.nan_to_num(_float(frame["source_record_count"]), nan=0.0), 0.0, 20.0)

    # Channels.
    f["email_valid"], f["phone_valid"], f["sms_eligible"] = email_valid, phone_valid, sms
    f["reachable_channels"] = email_valid + sms
    f["has_website"] = _present(frame["website_domain"]).astype(np.float64)
    f["specialty_count"] = np.clip(specialty_count, 0.0, 10.0)

    # Contact history.
    f.update(_history_features(ids, history, at))

    out = pd.DataFrame({"prospect_id": ids.to_numpy(dtype=object)})
    matrix = np.column_stack([np.asarray(f[c], dtype=np.float64) for c in FEATURE_COLUMNS]) if n else None
    features = pd.DataFrame(
        matrix if matrix is not None else np.zeros((0, len(FEATURE_COLUMNS))), columns=list(FEATURE_COLUMNS)
    )
    return pd.concat([out, features], axis=1)


def feature_matrix(features: pd.DataFrame, columns: tuple[str, ...] = FEATURE_COLUMNS) -> np.ndarray:
    """The float64 C-ordered matrix of `columns` (what the models are fitted on and predict from)."""
    missing = [c for c in columns if c not in features.columns]
    if missing:
        raise FeatureInputError(f"features are missing columns {missing}")
    return np.ascontiguousarray(features[list(columns)].to_numpy(dtype=np.float64))


def supply_gap(features: pd.DataFrame) -> np.ndarray:
    """The primary cell's supply-gap index per prospect, NaN where unknown (the input of `outreach_priority`)."""
    return np.where(
        features["supply_gap_missing"].to_numpy() > 0, np.nan, features["supply_gap_primary"].to_numpy(np.float64)
    )
