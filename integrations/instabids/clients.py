"""The bundle of domain clients a job or handler receives: built once from base URLs and credentials."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from types import TracebackType
from typing import Any

from integrations.instabids.auth import TokenProvider, audience_for
from integrations.instabids.http import DEFAULT_PAGE_LIMIT, DomainClient, DomainHttp, HttpConfig
from integrations.instabids.labor import LaborClient
from integrations.instabids.messaging import MessagingClient
from integrations.instabids.payment import PaymentClient
from integrations.instabids.projects import ProjectsClient
from integrations.instabids.social import SocialClient
from integrations.instabids.users import UsersClient

DOMAINS = ("user_management", "project_management", "messaging", "labor_marketplace", "payment", "social")


@dataclass(frozen=True)
class InstaBidsClients:
    """One client per domain, sharing one token cache. Close it (or use it as a context manager) when done."""

    users: UsersClient
    projects: ProjectsClient
    messaging: MessagingClient
    labor: LaborClient
    payment: PaymentClient
    social: SocialClient
    auth_http: DomainHttp  # the token endpoint's own connection pool, retries and breaker

    @classmethod
    def build(
        cls,
        base_urls: Mapping[str, str],
        client_id: str,
        client_secret: str,
        timeout: float = 10.0,
        max_attempts: int = 6,
        **tuning: Any,
    ) -> InstaBidsClients:
        """`base_urls` has one URL per key of `DOMAINS`; `tuning` sets the other `HttpConfig` fields
        (backoff, breaker, injectable `sleep`/`clock`)."""
        missing = [domain for domain in DOMAINS if not base_urls.get(domain)]
        if missing:
            raise ValueError(f"base URL missing for {', '.join(missing)}")
        config = HttpConfig(timeout=timeout, max_attempts=max_attempts, **tuning)
        auth_http = DomainHttp("user_management", base_urls["user_management"], config=config)
        tokens = TokenProvider(
            auth_http, client_id, client_secret, clock=config.clock, refresh_margin=config.token_refresh_margin
        )

        def http(domain: str) -> DomainHttp:
            return DomainHttp(
                domain, base_urls[domain], config=config, tokens=tokens.for_audience(audience_for(domain))
            )

        return cls(
            users=UsersClient(http("user_management")),
            projects=ProjectsClient(http("project_management")),
            messaging=MessagingClient(http("messaging")),
            labor=LaborClient(http("labor_marketplace")),
            payment=PaymentClient(http("payment")),
            social=SocialClient(http("social")),
            auth_http=auth_http,
        )

    def for_domain(self, domain: str) -> DomainClient:
        """The client of a domain key (`project_management`, ...), as ingestion specs name domains."""
        for client in self._domain_clients():
            if client.http.domain == domain:
                return client
        raise ValueError(f"unknown domain {domain!r}; expected one of {', '.join(DOMAINS)}")

    def iter_pages(
        self, domain: str, path: str, params: Mapping[str, Any] | None = None, *, limit: int = DEFAULT_PAGE_LIMIT
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of raw items of any list endpoint, by domain key and path (generic ingestion)."""
        return self.for_domain(domain).iter_pages(path, params, limit=limit)

    def close(self) -> None:
        for client in self._domain_clients():
            client.http.close()
        self.auth_http.close()

    def __enter__(self) -> InstaBidsClients:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _domain_clients(self) -> list[DomainClient]:
        return [value for f in fields(self) if isinstance(value := getattr(self, f.name), DomainClient)]
