"""A small pool of async psycopg connections, one per worker process.

Why not one connection per request: opening a PostgreSQL connection costs a few milliseconds and a server process,
which would dominate the event intake. Connections are in autocommit mode: a single statement (one intake INSERT)
is its own durable transaction in one round trip; work of several statements opens `conn.transaction()`.
A connection that broke is dropped, and the next request opens a fresh one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg

CONNECT_TIMEOUT_SECONDS = 5


class ConnectionPool:
    def __init__(self, url: str, max_size: int) -> None:
        self._url = url
        self._slots = asyncio.Semaphore(max_size)
        self._idle: list[psycopg.AsyncConnection] = []

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection]:
        async with self._slots:
            conn = self._idle.pop() if self._idle else await psycopg.AsyncConnection.connect(
                self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS, application_name="outreach-api"
            )
            try:
                yield conn
            finally:
                if conn.closed or conn.broken or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    await conn.close()
                else:
                    self._idle.append(conn)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()
