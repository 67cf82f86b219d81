"""What every handler shares in one worker: configuration, the connection pool, the PII keys, the verifiers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from integrations.api.auth import TokenVerifier
from integrations.api.config import ApiConfig
from integrations.api.database import ConnectionPool
from integrations.api.pagination import PageTokens
from integrations.api.webhooks import SignatureVerifier
from outreach.privacy.crypto import BlindIndexer, PiiCipher


@dataclass(frozen=True)
class ApiState:
    config: ApiConfig
    pool: ConnectionPool
    cipher: PiiCipher
    indexer: BlindIndexer
    signatures: SignatureVerifier
    tokens: TokenVerifier
    pages: PageTokens


async def api_state(request: Request) -> ApiState:
    """FastAPI dependency: the state `create_app` set up (async: a plain function would run in a thread)."""
    return request.app.state.api


State = Annotated[ApiState, Depends(api_state)]
