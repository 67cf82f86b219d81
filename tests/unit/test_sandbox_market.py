"""Projects, statuses and demand: pure functions of seed and date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

from integrations.contracts import component_validator, event_data_validator
from integrations.sandbox.geo import CITIES
from integrations.sandbox.market import Market

AT = datetime(2026, 6, 15, 12, tzinfo=UTC)


def test_a_day_has_the_same_projects_whenever_it_is_drawn() -> None:
    first, second = Market(3, 5000, CITIES), Market(3, 5000, CITIES)
    a, b = first.day_projects(date(2026, 6, 1)), second.day_projects(date(2026, 6, 1))
    assert len(a) > 0
    assert np.array_equal(a.cell, b.cell) and np.array_equal(a.budget_min, b.budget_min)
    assert first.project_id(int(a.day[0]), 0) == second.project_id(int(b.day[0]), 0)


def test_projects_move_from_open_to_closed_and_never_back() -> None:
    market = Market(3, 5000, CITIES)
    projects = market.window(AT)
    earlier = market.statuses(projects, AT)
    later = market.statuses(projects, AT + timedelta(days=40))
    assert (earlier == "open").any()
    assert not ((earlier != "open") & (later == "open")).any()
    assert set(later) <= {"open", "awarded", "in_progress", "completed", "cancelled"}


def test_project_items_and_events_match_the_contract() -> None:
    market = Market(3, 5000, CITIES)
    projects = market.window(AT)
    statuses = market.statuses(projects, AT)
    bids = market.bids(projects, AT)
    validator = component_validator("domains", "Project")
    for i in range(0, len(projects), max(1, len(projects) // 50)):
        item = market.project_item(projects, i, str(statuses[i]), int(bids[i]))
        validator.validate(item)
        assert item["budget_max_cents"] >= item["budget_min_cents"]
        event_data_validator("ProjectCreatedEvent").validate(market.created_event_data(projects, i))


def test_coverage_ratio_is_the_inverse_of_the_demand_index() -> None:
    market = Market(3, 5000, CITIES)
    stats = market.open_stats(AT)
    active = np.round(market.target_active).astype(int)
    demand = market.demand_index(stats.open, active)
    assert (demand > 0).all()
    assert np.allclose(1 / demand, (active * 3 + 1) / (stats.open + 1))


def test_trends_count_only_projects_created_by_the_given_time() -> None:
    market = Market(3, 5000, CITIES)
    morning = market.trend_counts(AT.date(), AT.replace(hour=8)).sum()
    evening = market.trend_counts(AT.date(), AT.replace(hour=23)).sum()
    assert morning < evening == len(market.day_projects(AT.date()))
    assert market.trend_counts(AT.date() + timedelta(days=1), AT).sum() == 0


def test_the_labor_marketplace_reports_its_trailing_year_coverage_of_each_cell() -> None:
    market = Market(3, 5000, CITIES)
    coverage = market.coverage_ratio(AT)  # a Monday: the measurement holds for its ISO week
    assert np.array_equal(coverage, market.coverage_ratio(AT + timedelta(days=6)))
    assert not np.array_equal(coverage, market.coverage_ratio(AT + timedelta(days=7)))
    # the true supply factor behind the hidden propensity, read with a little noise (not counting noise)
    assert np.corrcoef(coverage.ravel(), market.supply.ravel())[0, 1] > 0.9
    needed = market.contractors_needed(coverage)
    assert ((needed > 0) == (coverage < 1.0)).all()
