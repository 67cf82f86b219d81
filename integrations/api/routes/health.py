"""Liveness (the process answers) and readiness (PostgreSQL answers too), without auth, for load balancers."""

from __future__ import annotations

import asyncio
import logging

import psycopg
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from integrations.api.state import ApiState, State

log = logging.getLogger(__name__)
router = APIRouter(prefix="/ai-outreach", tags=["health"])
READINESS_TIMEOUT_SECONDS = 3.0


@router.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def _postgres_answers(state: ApiState) -> bool:
    async with state.pool.connection() as conn:
        await conn.execute("select 1")
    return True


@router.get("/readyz")
async def readyz(state: State) -> JSONResponse:
    try:
        ready = await asyncio.wait_for(_postgres_answers(state), READINESS_TIMEOUT_SECONDS)
    except (psycopg.Error, TimeoutError) as exc:
        log.warning("not ready: postgres check failed (%s)", type(exc).__name__)
        ready = False
    if ready:
        return JSONResponse({"status": "ok", "checks": {"postgres": "ok"}})
    return JSONResponse({"status": "unavailable", "checks": {"postgres": "failing"}}, status_code=503)
