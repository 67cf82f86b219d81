"""Project Management analytics: where projects are created, open and left without a contractor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from integrations.instabids.http import DEFAULT_PAGE_LIMIT, DomainClient
from integrations.instabids.wire import ProjectStatus, Specialty


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _timestamp(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with `Z`, as the contract wants; a naive time would be ambiguous, so it is refused."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class ProjectsClient(DomainClient):
    def trends(
        self, since: date | None = None, until: date | None = None, *, limit: int = DEFAULT_PAGE_LIMIT
    ) -> Iterator[list[dict[str, Any]]]:
        """Projects created per UTC day, specialty and region, `since` to `until` inclusive (domain defaults:
        the 30 days up to today)."""
        params = {"since": _day(since), "until": _day(until)}
        return self.iter_pages("/projects/analytics/trends", params, limit=limit)

    def demand(
        self, as_of: datetime | None = None, *, limit: int = DEFAULT_PAGE_LIMIT
    ) -> Iterator[list[dict[str, Any]]]:
        """Open demand per specialty and region at `as_of` (default now)."""
        return self.iter_pages("/projects/analytics/demand", {"as_of": _timestamp(as_of)}, limit=limit)

    def list_projects(
        self,
        status: ProjectStatus | None = None,
        specialty: Specialty | None = None,
        region: str | None = None,
        *,
        limit: int = DEFAULT_PAGE_LIMIT,
    ) -> Iterator[list[dict[str, Any]]]:
        """Projects, newest first; omitted filters match anything."""
        params = {"status": status, "specialty": specialty, "region": region}
        return self.iter_pages("/projects", params, limit=limit)

    def regional_needs(self, *, limit: int = DEFAULT_PAGE_LIMIT) -> Iterator[list[dict[str, Any]]]:
        """Open, unawarded projects per region and specialty."""
        return self.iter_pages("/projects/analytics/regional-needs", limit=limit)
