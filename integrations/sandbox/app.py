"""The sandbox as one FastAPI application: every path of `domains.openapi.yaml` on one port, plus the event
bus, the web directory, the registry files and the sandbox-only endpoints."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from integrations.sandbox.config import SandboxConfig
from integrations.sandbox.problems import ProblemError, problem, problem_response
from integrations.sandbox.routes import admin, auth, bus, directory, labor, messaging, payment, projects, social, users
from integrations.sandbox.routes import oracle as oracle_routes
from integrations.sandbox.service import Sandbox

# Paths served "as the domains": failure injection and latency apply here, and nowhere else.
DOMAIN_PREFIXES = ("/auth/", "/users", "/projects", "/messages/", "/labor-marketplace/", "/payment/", "/social/",
                   "/event-bus/")


def create_app(config: SandboxConfig) -> FastAPI:
    """Build the world (deterministic from seed and scale) and the app; background work starts with the app."""
    sandbox = Sandbox(config)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        sandbox.start()
        try:
            yield
        finally:
            await run_in_threadpool(sandbox.stop)

    app = FastAPI(title="InstaBids domains sandbox", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.sandbox = sandbox

    @app.middleware("http")
    async def domain_conditions(request: Request, call_next) -> Response:
        if request.url.path.startswith(DOMAIN_PREFIXES):
            sandbox.calls.record(request.method, request.url.path, request.headers.get("idempotency-key"))
            await run_in_threadpool(sandbox.tick)
            if sandbox.faults.latency_ms:
                await asyncio.sleep(sandbox.faults.latency_ms / 1000)
            if sandbox.faults.should_fail():
                body = problem(503, "service_unavailable", "injected outage (sandbox failure_rate)",
                               request.url.path)
                return problem_response(503, body, {"Retry-After": "1"})
        return await call_next(request)

    @app.exception_handler(ProblemError)
    async def on_problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc.status, exc.body(request.url.path), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(400, problem(400, "invalid_request", str(exc.errors()[:3]), request.url.path))

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "invalid_request")
        return problem_response(exc.status_code, problem(exc.status_code, code, str(exc.detail), request.url.path))

    for module in (admin, oracle_routes, auth, users, projects, messaging, labor, payment, social, directory, bus):
        app.include_router(module.router)
    return app
