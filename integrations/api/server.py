"""Running the API: `serve(host, port)` is what `outreach serve` calls.

Several worker processes (`OUTREACH_API_WORKERS`, default 2, one per core of the reference machine) share the
port; each builds its app from the environment (`create_app_from_env`), so configuration and secrets travel as
environment variables, never as arguments on a command line. The access log is off: query strings of the
prospect search may hold an email address or a phone number. Uvicorn's own logging setup is off too
(`log_config=None`): each worker's `configure_observability` routes its log lines as JSON like every process's.
"""

from __future__ import annotations

import uvicorn

from integrations.api.config import ApiConfig


def serve(host: str | None = None, port: int | None = None, workers: int | None = None) -> None:
    """Serve until SIGTERM/SIGINT; arguments left None come from `ApiConfig` (the environment)."""
    from outreach.observability import configure_logging

    configure_logging()  # the supervising process; each worker configures its own (`create_app_from_env`)
    config = ApiConfig()
    uvicorn.run(
        "integrations.api.app:create_app_from_env",
        factory=True,
        host=host or config.host,
        port=config.port if port is None else port,
        workers=workers or config.workers,
        access_log=False,
        log_config=None,
        log_level="info",
        proxy_headers=False,
        timeout_graceful_shutdown=10,
    )
