"""`GET /ai-outreach/campaigns/analytics` and `GET /ai-outreach/prospects/conversion-metrics`, read from the dbt
marts through `integrations.api.queries` (empty until the marts exist). The default window end is the time of the
first page's request and travels in the page token, so later pages read the same window. An empty window
(`from` at or after `to`) is no error: it holds no data."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from integrations.api import params, queries
from integrations.api.auth import Reader
from integrations.api.pagination import Cursor
from integrations.api.state import ApiState, State

router = APIRouter(prefix="/ai-outreach", tags=["analytics"])

GROUPINGS = ("specialty", "region", "campaign", "source", "channel")


def _window(request: Request, state: ApiState, start_raw: str | None, end_raw: str | None,
            page_token: str | None) -> tuple[datetime | None, datetime, Cursor]:
    start = params.timestamp("from", start_raw)
    end = params.timestamp("to", end_raw) or datetime.now(tz=UTC)
    cursor = state.pages.open(request, params.page_token(page_token), {"to": queries.iso(end)})
    return start, datetime.fromisoformat(cursor.snapshot["to"]), cursor


def _page(request: Request, state: ApiState, cursor: Cursor, items: list[dict], size: int, key: str) -> JSONResponse:
    page = items[:size]
    token = state.pages.next_token(request, cursor, [page[-1][key]]) if len(items) > size else None
    return JSONResponse({"items": page, "next_page_token": token})


@router.get("/campaigns/analytics")
async def campaign_analytics(
    request: Request,
    _: Reader,
    state: State,
    campaign_id: str | None = Query(None),
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    limit: str | None = Query(None),
    page_token: str | None = Query(None),
) -> JSONResponse:
    campaign = params.contract("campaign_id", campaign_id, "Id")
    size = params.limit(limit)
    window_start, window_end, cursor = _window(request, state, start, end, page_token)
    async with state.pool.connection() as conn:
        items = await queries.campaign_analytics(
            conn, campaign_id=campaign, start=window_start, end=window_end,
            after=cursor.after[0] if cursor.after else None, limit=size + 1,
        )
    return _page(request, state, cursor, items, size, "campaign_id")


@router.get("/prospects/conversion-metrics")
async def conversion_metrics(
    request: Request,
    _: Reader,
    state: State,
    group_by: str | None = Query(None),
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    limit: str | None = Query(None),
    page_token: str | None = Query(None),
) -> JSONResponse:
    grouping = params.required_choice("group_by", group_by, GROUPINGS)
    size = params.limit(limit)
    window_start, window_end, cursor = _window(request, state, start, end, page_token)
    async with state.pool.connection() as conn:
        items = await queries.conversion_metrics(
            conn, group_by=grouping, start=window_start, end=window_end,
            after=cursor.after[0] if cursor.after else None, limit=size + 1,
        )
    return _page(request, state, cursor, items, size, "group")
