"""The event bus: `POST /event-bus/events` (what we publish) and `GET /event-bus/events` (what arrived)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from integrations.sandbox.routes.common import ok, sandbox_of

router = APIRouter(tags=["event-bus"])


@router.post("/event-bus/events")
async def publish(request: Request) -> JSONResponse:
    body = await request.body()
    sandbox = sandbox_of(request)
    return ok(await run_in_threadpool(sandbox.bus.publish, body, request.headers), status=202)


@router.get("/event-bus/events")
def received(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    cursor = sandbox.pager.open(request.query_params, request.url.path)
    return ok(sandbox.pager.page(sandbox.bus.select(request.query_params.get("type")), cursor, lambda r: r.item()))
