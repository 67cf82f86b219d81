"""Social Sharing & Referrals: contractors' networks and the people they know who are not contractors yet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from integrations.instabids.http import DEFAULT_PAGE_LIMIT, DomainClient


class SocialClient(DomainClient):
    def network_contractors(self, *, limit: int = DEFAULT_PAGE_LIMIT) -> Iterator[list[dict[str, Any]]]:
        """Connections and referral counts per contractor user."""
        return self.iter_pages("/social/network/contractors", limit=limit)

    def potential_contractors(self, *, limit: int = DEFAULT_PAGE_LIMIT) -> Iterator[list[dict[str, Any]]]:
        """Candidates known to existing users. Their email and phone are raw, as people typed them."""
        return self.iter_pages("/social/connections/potential-contractors", limit=limit)
