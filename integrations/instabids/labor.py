"""Labor Marketplace analytics: how well each specialty and region is covered by active contractors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from integrations.instabids.http import DEFAULT_PAGE_LIMIT, DomainClient


class LaborClient(DomainClient):
    def coverage(self, *, limit: int = DEFAULT_PAGE_LIMIT) -> Iterator[list[dict[str, Any]]]:
        """Active contractors, response time and coverage ratio per specialty and region."""
        return self.iter_pages("/labor-marketplace/analytics/coverage", limit=limit)

    def regional_gaps(self, *, limit: int = DEFAULT_PAGE_LIMIT) -> Iterator[list[dict[str, Any]]]:
        """Contractor shortfalls per region and specialty."""
        return self.iter_pages("/labor-marketplace/analytics/regional-gaps", limit=limit)
