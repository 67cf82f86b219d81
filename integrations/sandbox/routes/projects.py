"""Project Management: projects and demand analytics, computed from the market model at sandbox time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from integrations.sandbox.auth import Principal
from integrations.sandbox.ids import iso, parse_iso
from integrations.sandbox.market import each_day
from integrations.sandbox.problems import bad_request
from integrations.sandbox.routes.common import guard, ok, q_date, q_region, q_specialty, q_timestamp, sandbox_of
from integrations.sandbox.specialties import SPECIALTY_SLUGS

router = APIRouter(tags=["project-management"])
SERVICE = "project-management"
ProjectsRead = Annotated[Principal, guard(SERVICE, "projects.read")]
PROJECT_STATUSES = ("open", "awarded", "in_progress", "completed", "cancelled")
MAX_TREND_DAYS = 366


@router.get("/projects/analytics/trends")
def project_trends(request: Request, principal: ProjectsRead) -> JSONResponse:
    sandbox = sandbox_of(request)
    since, until = q_date(request, "since"), q_date(request, "until")

    def snapshot() -> dict:
        now = sandbox.clock.now()
        last = until or now.date()
        first = since or last - timedelta(days=30)
        return {"since": first.isoformat(), "until": last.isoformat(), "at": iso(now)}

    cursor = sandbox.pager.open(request.query_params, request.url.path, snapshot)
    first, last = date.fromisoformat(cursor.context["since"]), date.fromisoformat(cursor.context["until"])
    if first > last:
        raise bad_request("since must not be after until")
    if (last - first).days >= MAX_TREND_DAYS:
        raise bad_request(f"at most {MAX_TREND_DAYS} days per request")
    at = parse_iso(cursor.context["at"])
    market = sandbox.world.market
    rows = []
    for day in each_day(first, last):
        counts = market.trend_counts(day, at)
        for r, s in zip(*np.nonzero(counts), strict=True):
            rows.append((day.isoformat(), int(r), int(s), int(counts[r, s])))
    return ok(sandbox.pager.page(rows, cursor, lambda row: {
        "date": row[0], "specialty": SPECIALTY_SLUGS[row[2]], "region": market.regions[row[1]],
        "projects_created": row[3]}))


@router.get("/projects/analytics/demand")
def specialty_demand(request: Request, principal: ProjectsRead) -> JSONResponse:
    sandbox = sandbox_of(request)
    as_of = q_timestamp(request, "as_of")
    cursor = sandbox.pager.open(request.query_params, request.url.path,
                                lambda: {"as_of": iso(as_of or sandbox.clock.now())})
    market = sandbox.world.market
    stats = market.open_stats(parse_iso(cursor.context["as_of"]))
    with sandbox.lock:
        active = sandbox.runtime.active_contractors()
    demand = market.demand_index(stats.open, active)
    cells = [(r, s) for r in range(market.n_regions) for s in range(market.n_specialties)]
    return ok(sandbox.pager.page(cells, cursor, lambda c: {
        "specialty": SPECIALTY_SLUGS[c[1]], "region": market.regions[c[0]],
        "open_projects": int(stats.open[c]), "avg_bids_per_project": round(float(stats.avg_bids[c]), 2),
        "demand_index": round(float(demand[c]), 3)}))


@router.get("/projects")
def list_projects(request: Request, principal: ProjectsRead) -> JSONResponse:
    sandbox = sandbox_of(request)
    status = request.query_params.get("status")
    if status is not None and status not in PROJECT_STATUSES:
        raise bad_request(f"status must be one of {', '.join(PROJECT_STATUSES)}")
    specialty, region = q_specialty(request), q_region(request)
    cursor = sandbox.pager.open(request.query_params, request.url.path, lambda: {"at": iso(sandbox.clock.now())})
    at = parse_iso(cursor.context["at"])
    market = sandbox.world.market
    projects = market.window(at)
    statuses = market.statuses(projects, at)
    mask = np.ones(len(projects), dtype=bool)
    if status:
        mask &= statuses == status
    if specialty:
        mask &= (projects.cell % market.n_specialties) == SPECIALTY_SLUGS.index(specialty)
    if region:
        regions = [i for i, name in enumerate(market.regions) if name == region]
        mask &= np.isin(projects.cell // market.n_specialties, regions)
    selected = np.nonzero(mask)[0]
    page = sandbox.pager.page(selected, cursor)
    chosen = np.asarray(page["items"], dtype=np.int64)
    bids = market.bids(projects.take(chosen), at) if len(chosen) else []
    page["items"] = [market.project_item(projects, int(i), str(statuses[i]), int(b))
                     for i, b in zip(chosen, bids, strict=True)]
    return ok(page)


@router.get("/projects/analytics/regional-needs")
def regional_needs(request: Request, principal: ProjectsRead) -> JSONResponse:
    sandbox = sandbox_of(request)
    cursor = sandbox.pager.open(request.query_params, request.url.path, lambda: {"at": iso(sandbox.clock.now())})
    market = sandbox.world.market
    stats = market.open_stats(parse_iso(cursor.context["at"]))
    cells = [(int(r), int(s)) for r, s in zip(*np.nonzero(stats.open), strict=True)]
    return ok(sandbox.pager.page(cells, cursor, lambda c: {
        "region": market.regions[c[0]], "specialty": SPECIALTY_SLUGS[c[1]],
        "unfulfilled_projects": int(stats.open[c]),
        "median_days_unfulfilled": round(float(stats.median_age_days[c]), 1)}))
