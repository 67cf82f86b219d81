"""Payment Processing: incentives (issued later, see reactions.py) and payment analytics."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from integrations.sandbox.auth import Principal
from integrations.sandbox.ids import iso, parse_iso, stable_uuid
from integrations.sandbox.problems import ProblemError
from integrations.sandbox.routes.common import (
    UUID_RE,
    JsonBody,
    guard,
    idempotent,
    ok,
    q_region,
    q_specialty,
    sandbox_of,
    validate,
)
from integrations.sandbox.specialties import SPECIALTY_SLUGS
from integrations.sandbox.state import Incentive

router = APIRouter(tags=["payment"])
SERVICE = "payment"
PaymentRead = Annotated[Principal, guard(SERVICE, "payment.read")]
PaymentWrite = Annotated[Principal, guard(SERVICE, "payment.write")]
TREND_MONTHS = 12


@router.post("/payment/incentives/issue")
def issue_incentive(request: Request, payload: JsonBody,
                    principal: PaymentWrite) -> JSONResponse:
    validate("IssueIncentiveRequest", payload)
    sandbox = sandbox_of(request)

    def execute() -> tuple[int, dict]:
        if payload["recipient_user_id"] not in sandbox.runtime.user_by_id:
            raise ProblemError(404, "not_found", f"no user {payload['recipient_user_id']}")
        now = sandbox.clock.timestamp()
        incentive = Incentive(
            stable_uuid(sandbox.config.seed, "incentive", principal.client_id, request.headers["idempotency-key"]),
            payload["recipient_user_id"], payload["prospect_id"], payload["amount_cents"], payload["currency"],
            "pending", iso(now),
        )
        sandbox.runtime.incentives[incentive.incentive_id] = incentive
        sandbox.reactions.on_incentive(incentive, now)
        return 201, {"incentive_id": incentive.incentive_id, "status": "pending"}

    return idempotent(request, principal, SERVICE, payload, execute)


@router.get("/payment/incentives/status/{incentive_id}")
def incentive_status(incentive_id: str, request: Request,
                     principal: PaymentRead) -> JSONResponse:
    sandbox = sandbox_of(request)
    with sandbox.lock:
        incentive = sandbox.runtime.incentives.get(incentive_id) if UUID_RE.match(incentive_id) else None
        if incentive is None:
            raise ProblemError(404, "not_found", f"no incentive {incentive_id}")
        return ok({"incentive_id": incentive.incentive_id, "status": incentive.status,
                   "updated_at": incentive.updated_at})


@router.get("/payment/analytics/average-project-value")
def average_project_value(request: Request,
                          principal: PaymentRead) -> JSONResponse:
    sandbox = sandbox_of(request)
    specialty, region = q_specialty(request), q_region(request)
    cursor = sandbox.pager.open(request.query_params, request.url.path)
    market = sandbox.world.market
    rows = [row for row in market.average_values()
            if (specialty is None or SPECIALTY_SLUGS[row[1]] == specialty)
            and (region is None or market.regions[row[0]] == region)]
    return ok(sandbox.pager.page(rows, cursor, lambda row: {
        "specialty": SPECIALTY_SLUGS[row[1]], "region": market.regions[row[0]],
        "avg_project_value_cents": row[2], "median_project_value_cents": row[3], "currency": "USD",
        "sample_size": row[4]}))


@router.get("/payment/analytics/payment-trends")
def payment_trends(request: Request, principal: PaymentRead) -> JSONResponse:
    sandbox = sandbox_of(request)
    cursor = sandbox.pager.open(request.query_params, request.url.path, lambda: {"at": iso(sandbox.clock.now())})
    at = parse_iso(cursor.context["at"])
    market = sandbox.world.market
    rows = []
    index = at.year * 12 + at.month - 1
    for k in range(TREND_MONTHS - 1, -1, -1):
        year, month0 = divmod(index - k, 12)
        paid, volume = market.payment_month(year, month0 + 1, at)
        period = date(year, month0 + 1, 1).strftime("%Y-%m")
        for r, s in zip(*np.nonzero(paid), strict=True):
            rows.append((period, int(r), int(s), int(volume[r, s]), int(paid[r, s])))
    return ok(sandbox.pager.page(rows, cursor, lambda row: {
        "period": row[0], "specialty": SPECIALTY_SLUGS[row[2]], "region": market.regions[row[1]],
        "total_volume_cents": row[3], "currency": "USD", "projects_paid": row[4]}))
