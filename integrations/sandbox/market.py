"""Homeowner demand and contractor supply per region × specialty: deterministic functions of seed and date.

Nothing here is stored per request: each UTC day's projects are drawn from an RNG seeded with (seed, day), so the
same day always has the same projects, whenever it is asked for. The model:

- `base[r, s]`: expected projects per day (city weight × specialty share × scale × noise);
- per day: `base × season(specialty, day of year) × weekday factor × weekly shock(r, s, week)`, drawn Poisson;
- `supply[r, s]`: the true supply factor (≈ coverage ratio over a year). About a quarter of the cells are
  under-supplied (0.25..0.65); the others sit around 0.9 (off-season they look over-supplied). Under-supplied
  cells keep projects open longer (`tau`), get fewer bids (`bid_rate`) and have fewer active contractors
  (`target_active`);
- a project is open from `created_at` for an exponential time of mean `tau[r, s]` days, then cancelled (6 %) or
  awarded → in_progress (after 4 days) → completed (after 25 days);
- `demand_index = (open + 1) / (active × CAPACITY + 1)`: Project Management's instantaneous view of a cell (open
  projects against the active contractors' capacity, smoothed by one for empty cells). With a few projects and
  about one contractor per cell it is mostly counting noise;
- `coverage_ratio`: the Labor Marketplace's own measure of a cell, its network's capacity over demand across the
  trailing year - the supply factor, read with a little weekly measurement noise (`COVERAGE_NOISE`). A real
  marketplace knows its contractors' capacity and the year's demand; reporting today's integer head count over
  today's handful of open projects would hide from its analytics the very gap the market is built on.
  `contractors_needed` is the capacity short of full coverage, in contractors.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from integrations.sandbox.geo import City
from integrations.sandbox.ids import iso, stable_uuid
from integrations.sandbox.specialties import SPECIALTIES

DAY_SECONDS = 86_400
PROJECT_WINDOW_DAYS = 90  # /projects shows projects created in the last 90 days
CAPACITY_PER_CONTRACTOR = 3  # open projects one active contractor can take on
CANCEL_SHARE = 0.06
COVERAGE_NOISE = 0.08  # sigma of the weekly lognormal measurement noise of the trailing-year coverage ratio
WEEKDAY_FACTOR = np.array([1.1, 1.1, 1.1, 1.05, 1.0, 0.8, 0.65])


def day_start(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


@dataclass(frozen=True)
class Projects:
    """Projects of one or more days as parallel arrays (cell = region × S + specialty)."""

    day: np.ndarray  # ordinal of the creation day
    index: np.ndarray  # position within that day (with `day`, the project's identity)
    cell: np.ndarray
    created: np.ndarray  # epoch seconds
    open_for: np.ndarray  # seconds the project stays open
    cancelled: np.ndarray
    budget_min: np.ndarray
    budget_max: np.ndarray
    title: np.ndarray
    deadline_days: np.ndarray  # bid deadline after creation; 0 = none

    def take(self, mask: np.ndarray) -> Projects:
        return Projects(*(getattr(self, f)[mask] for f in self.__dataclass_fields__))

    @staticmethod
    def concat(parts: list[Projects]) -> Projects:
        return Projects(
            *(np.concatenate([getattr(p, f) for p in parts]) for f in Projects.__dataclass_fields__)
        )

    def __len__(self) -> int:
        return len(self.day)


@dataclass(frozen=True)
class OpenStats:
    open: np.ndarray  # [R, S] open projects
    avg_bids: np.ndarray  # [R, S] mean bids on open projects
    median_age_days: np.ndarray  # [R, S] median days open (0 where none)


class Market:
    """Demand, supply and money per region × specialty; pure functions of (seed, scale, date)."""

    def __init__(self, seed: int, scale: int, cities: tuple[City, ...]) -> None:
        self.seed = seed
        self.cities = cities
        self.regions = tuple(c.region for c in cities)
        self.n_regions, self.n_specialties = len(cities), len(SPECIALTIES)
        rng = np.random.default_rng([seed, 101])
        city_w = np.array([c.weight for c in cities])
        spec_w = np.array([s.share for s in SPECIALTIES])
        total_daily = min(20 + 0.03 * scale, 2500.0)
        shape = (self.n_regions, self.n_specialties)
        self.base = (
            total_daily * (city_w / city_w.sum())[:, None] * (spec_w / spec_w.sum())[None, :]
            * rng.lognormal(0.0, 0.35, shape)
        )
        supply = rng.lognormal(math.log(0.9), 0.25, shape)
        under = rng.random(shape) < 0.25
        supply[under] = rng.uniform(0.25, 0.65, int(under.sum()))
        self.supply = supply
        self.tau_days = np.clip(8.0 / np.sqrt(supply), 4.0, 30.0)
        self.bid_rate = 0.7 * np.sqrt(supply)
        self.target_active = self.base * self.tau_days * supply / CAPACITY_PER_CONTRACTOR
        cost = np.array([c.cost for c in cities])
        median = np.array([s.median_value_cents for s in SPECIALTIES], dtype=float)
        self.median_value = median[None, :] * cost[:, None] * rng.lognormal(0.0, 0.12, shape)
        self.value_sigma = 0.55
        self.response_noise = rng.lognormal(0.0, 0.2, shape)
        self.peak_doy = np.array([(s.season_peak_month - 1) * 30.4 + 15 for s in SPECIALTIES])
        self.amplitude = np.array([s.seasonality for s in SPECIALTIES])
        self._lock = threading.Lock()
        self._days: OrderedDict[int, Projects] = OrderedDict()
        self._windows: OrderedDict[tuple[int, int], Projects] = OrderedDict()

    # ----- daily draws -----
    def expected(self, day: date) -> np.ndarray:
        """Expected projects created on `day` per cell."""
        doy = day.timetuple().tm_yday
        season = 1.0 + self.amplitude * np.cos(2 * np.pi * (doy - self.peak_doy) / 365.25)
        iso = day.isocalendar()
        shock = np.random.default_rng([self.seed, 102, iso.year * 100 + iso.week]).lognormal(
            0.0, 0.3, self.base.shape
        )
        return self.base * season[None, :] * WEEKDAY_FACTOR[day.weekday()] * shock

    def day_projects(self, day: date) -> Projects:
        """Every project created on `day` (cached; the same arrays for the same seed and day)."""
        key = day.toordinal()
        with self._lock:
            hit = self._days.get(key)
            if hit is not None:
                self._days.move_to_end(key)
                return hit
        projects = self._draw_day(day)
        with self._lock:
            self._days[key] = projects
            while len(self._days) > 400:
                self._days.popitem(last=False)
        return projects

    def _draw_day(self, day: date) -> Projects:
        rng = np.random.default_rng([self.seed, 103, day.toordinal()])
        counts = rng.poisson(self.expected(day)).ravel()
        n = int(counts.sum())
        cell = np.repeat(np.arange(counts.size, dtype=np.int32), counts)
        order = rng.permutation(n)
        cell = cell[order]
        created = day_start(day) + np.sort(rng.uniform(5 * 3600, 23 * 3600, n))
        r, s = np.divmod(cell, self.n_specialties)
        open_for = rng.exponential(1.0, n) * self.tau_days[r, s] * DAY_SECONDS
        value = self.median_value[r, s] * rng.lognormal(0.0, self.value_sigma, n)
        budget_min = (np.round(value * 0.8 / 5000) * 5000).astype(np.int64)
        budget_max = budget_min + (np.round(value * 0.5 / 5000) * 5000).astype(np.int64) + 5000
        return Projects(
            day=np.full(n, day.toordinal(), dtype=np.int64),
            index=np.arange(n, dtype=np.int64),
            cell=cell,
            created=created,
            open_for=open_for,
            cancelled=rng.random(n) < CANCEL_SHARE,
            budget_min=budget_min,
            budget_max=budget_max,
            title=rng.integers(0, 4, n),
            deadline_days=rng.choice(np.array([0, 7, 14, 14, 21]), n),
        )

    def window(self, at: datetime, days: int = PROJECT_WINDOW_DAYS) -> Projects:
        """Projects created in the `days` days up to `at` (inclusive), newest first."""
        key = (at.date().toordinal(), days)
        with self._lock:
            merged = self._windows.get(key)
        if merged is None:
            parts = [self.day_projects(at.date() - timedelta(days=k)) for k in range(days)]
            merged = Projects.concat(parts)
            merged = merged.take(np.argsort(-merged.created, kind="stable"))
            with self._lock:
                self._windows[key] = merged
                while len(self._windows) > 4:
                    self._windows.popitem(last=False)
        return merged.take(merged.created <= at.timestamp())

    # ----- per-project views -----
    def project_id(self, day_ordinal: int, index: int) -> str:
        return stable_uuid(self.seed, "project", day_ordinal, index)

    def statuses(self, projects: Projects, at: datetime) -> np.ndarray:
        t = at.timestamp()
        closed_at = projects.created + projects.open_for
        since_close = (t - closed_at) / DAY_SECONDS
        status = np.full(len(projects), "open", dtype=object)
        closed = since_close >= 0
        status[closed & (since_close < 4)] = "awarded"
        status[closed & (since_close >= 4) & (since_close < 25)] = "in_progress"
        status[closed & (since_close >= 25)] = "completed"
        status[closed & projects.cancelled] = "cancelled"
        return status

    def bids(self, projects: Projects, at: datetime) -> np.ndarray:
        r, s = np.divmod(projects.cell, self.n_specialties)
        open_days = np.minimum(at.timestamp() - projects.created, projects.open_for) / DAY_SECONDS
        return np.minimum(np.floor(self.bid_rate[r, s] * open_days + 0.3), 40).astype(np.int64)

    def project_item(self, projects: Projects, i: int, status: str, bids: int) -> dict:
        r, s = divmod(int(projects.cell[i]), self.n_specialties)
        city, spec = self.cities[r], SPECIALTIES[s]
        created = float(projects.created[i])
        deadline = int(projects.deadline_days[i])
        return {
            "id": self.project_id(int(projects.day[i]), int(projects.index[i])),
            "title": f"{spec.project_titles[int(projects.title[i])]} in {city.name}",
            "specialty": spec.slug,
            "region": city.region,
            "state": city.state,
            "city": city.name,
            "budget_min_cents": int(projects.budget_min[i]),
            "budget_max_cents": int(projects.budget_max[i]),
            "currency": "USD",
            "status": status,
            "bids_count": bids,
            "created_at": iso(created),
            "bid_deadline": iso(created + deadline * DAY_SECONDS) if deadline else None,
        }

    def created_event_data(self, projects: Projects, i: int) -> dict:
        item = self.project_item(projects, i, "open", 0)
        return {
            "project_id": item["id"],
            **{k: item[k] for k in ("specialty", "region", "state", "city")},
            "budget_min_cents": item["budget_min_cents"],
            "budget_max_cents": item["budget_max_cents"],
            "currency": "USD",
            "created_at": item["created_at"],
        }

    # ----- analytics -----
    def open_stats(self, at: datetime) -> OpenStats:
        projects = self.window(at)
        t = at.timestamp()
        is_open = t < projects.created + projects.open_for
        p = projects.take(is_open)
        size = self.n_regions * self.n_specialties
        shape = (self.n_regions, self.n_specialties)
        count = np.bincount(p.cell, minlength=size)
        bids = np.bincount(p.cell, weights=self.bids(p, at), minlength=size)
        avg_bids = np.divide(bids, count, out=np.zeros(size), where=count > 0)
        ages = (t - p.created) / DAY_SECONDS
        median_age = np.zeros(size)
        if len(p):
            order = np.lexsort((ages, p.cell))
            cells, starts = np.unique(p.cell[order], return_index=True)
            for cell, group in zip(cells, np.split(ages[order], starts[1:]), strict=True):
                median_age[cell] = float(np.median(group))
        return OpenStats(count.reshape(shape), avg_bids.reshape(shape), median_age.reshape(shape))

    @staticmethod
    def demand_index(open_projects: np.ndarray, active: np.ndarray) -> np.ndarray:
        return (open_projects + 1.0) / (active * CAPACITY_PER_CONTRACTOR + 1.0)

    def coverage_ratio(self, at: datetime) -> np.ndarray:
        """[R, S] trailing-year capacity / demand of the network: the supply factor, measured once a week."""
        week = at.isocalendar()
        noise = np.random.default_rng([self.seed, 105, week.year * 100 + week.week]).lognormal(
            0.0, COVERAGE_NOISE, self.supply.shape
        )
        return np.round(self.supply * noise, 3)

    def contractors_needed(self, coverage: np.ndarray) -> np.ndarray:
        """[R, S] contractors missing for full coverage (at least one wherever coverage is short of 1)."""
        full = self.base * self.tau_days / CAPACITY_PER_CONTRACTOR  # contractors that cover the demand
        return np.where(coverage < 1.0, np.maximum(np.ceil(full * (1.0 - coverage)), 1), 0).astype(np.int64)

    def trend_counts(self, day: date, at: datetime) -> np.ndarray:
        """Projects created on `day` per cell, counting only those created by `at`."""
        if day > at.date():
            return np.zeros((self.n_regions, self.n_specialties), dtype=np.int64)
        p = self.day_projects(day)
        if day == at.date():
            p = p.take(p.created <= at.timestamp())
        counts = np.bincount(p.cell, minlength=self.n_regions * self.n_specialties)
        return counts.reshape(self.n_regions, self.n_specialties)

    def average_values(self) -> Iterator[tuple[int, int, int, int, int]]:
        """(region, specialty, avg_cents, median_cents, sample_size) for cells with paid projects."""
        sample = np.round(self.base * 365 * 0.55).astype(np.int64)
        avg = self.median_value * math.exp(self.value_sigma**2 / 2)
        for r in range(self.n_regions):
            for s in range(self.n_specialties):
                if sample[r, s] > 0:
                    yield r, s, int(avg[r, s]), int(self.median_value[r, s]), int(sample[r, s])

    def payment_month(self, year: int, month: int, at: datetime) -> tuple[np.ndarray, np.ndarray]:
        """(projects_paid, total_volume_cents) per cell for one month; the current month counts days so far."""
        first = date(year, month, 1)
        nxt = date(year + month // 12, month % 12 + 1, 1)
        days = (min(nxt, at.date() + timedelta(days=1)) - first).days
        if days <= 0:
            zero = np.zeros_like(self.base, dtype=np.int64)
            return zero, zero
        mid = first + timedelta(days=14)
        rng = np.random.default_rng([self.seed, 104, year * 12 + month])
        paid = rng.poisson(self.expected(mid) * days * 0.55)
        avg = self.median_value * math.exp(self.value_sigma**2 / 2)
        volume = np.round(paid * avg * rng.lognormal(0.0, 0.15, self.base.shape)).astype(np.int64)
        return paid, volume

    def response_hours(self, demand: np.ndarray) -> np.ndarray:
        return np.round(2.0 + 8.0 * np.sqrt(np.clip(demand, 0, 9)) * self.response_noise, 1)



def each_day(since: date, until: date) -> Iterator[date]:
    day = since
    while day <= until:
        yield day
        day += timedelta(days=1)

