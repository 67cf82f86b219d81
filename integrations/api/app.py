"""The inbound API of the AI Outreach domain (`integrations/contracts/ai-outreach.openapi.yaml`).

`create_app(config, database_url)` builds the ASGI app: signed CloudEvent intake into `app.inbox_events`, prospect
search, campaign and conversion analytics, privacy requests, health. The contract's own document is served at
`/ai-outreach/openapi.json` (docs at `/ai-outreach/docs`) rather than one generated from the handlers, so what
clients read is exactly what we promised. Handlers only read and store; processing is for sensors and jobs.

Every request is a server span (OpenTelemetry's ASGI instrumentation) continuing the caller's `traceparent`; the
intake stores that context with each inbox row, so the run that handles the event joins the same trace.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from integrations.api import problems
from integrations.api.auth import JwksCache, TokenVerifier
from integrations.api.config import ApiConfig
from integrations.api.database import ConnectionPool
from integrations.api.intake import CONSUMED_TYPES, warm_validators
from integrations.api.openapi import bundled_openapi
from integrations.api.pagination import PageTokens
from integrations.api.routes import analytics, events, health, privacy, prospects
from integrations.api.state import ApiState
from integrations.api.webhooks import SignatureVerifier
from outreach.privacy.crypto import BlindIndexer, PiiCipher, load_blind_indexer, load_cipher

log = logging.getLogger(__name__)

OPENAPI_PATH = "/ai-outreach/openapi.json"
UNTRACED_PATHS = "/ai-outreach/healthz,/ai-outreach/readyz"
DOCS_PATH = "/ai-outreach/docs"
JWKS_TIMEOUT_SECONDS = 5.0


def _page_token_key(indexer: BlindIndexer) -> bytes:
    """A key every worker derives alike from a secret they already share, separate from the index itself."""
    return hmac.new(indexer.key, b"ai-outreach api page tokens", hashlib.sha256).digest()


def create_app(config: ApiConfig, database_url: str, *, cipher: PiiCipher | None = None,
               indexer: BlindIndexer | None = None) -> FastAPI:
    """The app; `cipher`/`indexer` default to the project's PII keys (`OUTREACH_PII_KEYS`, ... or the key files)."""
    if cipher is None or indexer is None:
        from outreach.settings import Settings

        state_dir = Settings().state_dir
        cipher = cipher or load_cipher(state_dir)
        indexer = indexer or load_blind_indexer(state_dir)
    if unset := config.services_on_development_secrets():
        log.warning("webhook secrets not configured for %s: using the public development secrets "
                    "(set INSTABIDS_WEBHOOK_SECRET_<SERVICE> in production)", ", ".join(unset))
    jwks_client = httpx.AsyncClient(timeout=JWKS_TIMEOUT_SECONDS)
    pool = ConnectionPool(database_url, config.db_pool_size)
    state = ApiState(
        config=config,
        pool=pool,
        cipher=cipher,
        indexer=indexer,
        signatures=SignatureVerifier(config.webhook_secrets()),
        tokens=TokenVerifier(JwksCache(config.jwks_url(), jwks_client), issuer=config.jwt_issuer,
                             audience=config.jwt_audience, leeway_seconds=config.jwt_leeway_seconds),
        pages=PageTokens(_page_token_key(indexer)),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await pool.close()
            await jwks_client.aclose()

    app = FastAPI(title="AI Outreach API", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.api = state
    problems.install(app)
    for module in (events, prospects, analytics, privacy, health):
        app.include_router(module.router)

    @app.get(OPENAPI_PATH, include_in_schema=False)
    async def openapi_document() -> JSONResponse:
        return JSONResponse(bundled_openapi())

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=OPENAPI_PATH, title="AI Outreach API")

    # Probes are polled every few seconds and would drown the traces; per-message receive/send spans add nothing.
    FastAPIInstrumentor.instrument_app(app, excluded_urls=UNTRACED_PATHS, exclude_spans=["receive", "send"])
    return app


def create_app_from_env() -> FastAPI:
    """The app configured from the environment alone: what each uvicorn worker process builds.

    The worker owns its process, so it also prepares it for serving: the contract validators are built before the
    first request, and everything made so far is moved out of the garbage collector's sight (it lives as long as
    the process; full collections over it were the largest source of tail latency in the intake benchmark)."""
    from outreach.observability import configure_observability
    from outreach.settings import Settings
    from outreach.storage.database import database_url

    url = database_url(Settings())
    configure_observability("outreach-api", dead_letters_from=lambda: url)
    app = create_app(ApiConfig(), url)
    warm_validators(CONSUMED_TYPES)
    gc.collect()
    gc.freeze()
    return app
