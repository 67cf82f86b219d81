"""Labor Marketplace: coverage and regional gaps of its network over the trailing year (see market.py)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from integrations.sandbox.auth import Principal
from integrations.sandbox.ids import iso, parse_iso
from integrations.sandbox.routes.common import guard, ok, sandbox_of
from integrations.sandbox.specialties import SPECIALTY_SLUGS

router = APIRouter(tags=["labor-marketplace"])
SERVICE = "labor-marketplace"
LaborRead = Annotated[Principal, guard(SERVICE, "labor.read")]


def _severity(coverage: float) -> str:
    if coverage < 0.25:
        return "critical"
    if coverage < 0.5:
        return "high"
    if coverage < 0.75:
        return "medium"
    return "low"


def _snapshot(request: Request):
    sandbox = sandbox_of(request)
    cursor = sandbox.pager.open(request.query_params, request.url.path, lambda: {"at": iso(sandbox.clock.now())})
    market = sandbox.world.market
    at = parse_iso(cursor.context["at"])
    with sandbox.lock:
        active = sandbox.runtime.active_contractors()
    return sandbox, cursor, market, market.open_stats(at), active, market.coverage_ratio(at)


@router.get("/labor-marketplace/analytics/coverage")
def coverage(request: Request, principal: LaborRead) -> JSONResponse:
    sandbox, cursor, market, stats, active, coverage = _snapshot(request)
    hours = market.response_hours(market.demand_index(stats.open, active))
    cells = [(r, s) for r in range(market.n_regions) for s in range(market.n_specialties)]
    return ok(sandbox.pager.page(cells, cursor, lambda c: {
        "specialty": SPECIALTY_SLUGS[c[1]], "region": market.regions[c[0]],
        "active_contractors": int(active[c]),
        "avg_response_hours": float(hours[c]) if active[c] else None,
        "coverage_ratio": float(coverage[c])}))


@router.get("/labor-marketplace/analytics/regional-gaps")
def regional_gaps(request: Request, principal: LaborRead) -> JSONResponse:
    sandbox, cursor, market, _, _, coverage = _snapshot(request)
    needed = market.contractors_needed(coverage)
    cells = [(int(r), int(s)) for r, s in zip(*np.nonzero(needed > 0), strict=True)]
    return ok(sandbox.pager.page(cells, cursor, lambda c: {
        "region": market.regions[c[0]], "specialty": SPECIALTY_SLUGS[c[1]],
        "contractors_needed": int(needed[c]), "gap_severity": _severity(float(coverage[c]))}))
