"""Payment Processing: issue sign-up and referral incentives, and read payment analytics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from integrations.instabids.http import DEFAULT_PAGE_LIMIT, DomainClient, id_segment
from integrations.instabids.wire import IncentiveCreated, IncentiveStatusResponse, IssueIncentiveRequest, Specialty


class PaymentClient(DomainClient):
    def issue_incentive(self, req: IssueIncentiveRequest, idempotency_key: str) -> IncentiveCreated:
        """Starts issuing; the outcome arrives as PaymentIncentiveStatusEvent (or poll `incentive_status`)."""
        body = self.http.post_json(
            "/payment/incentives/issue", req.model_dump(mode="json"), idempotency_key=idempotency_key
        )
        return IncentiveCreated.model_validate(body)

    def incentive_status(self, incentive_id: UUID | str) -> IncentiveStatusResponse:
        body = self.http.get_json(f"/payment/incentives/status/{id_segment(incentive_id)}")
        return IncentiveStatusResponse.model_validate(body)

    def average_project_value(
        self, specialty: Specialty | None = None, region: str | None = None, *, limit: int = DEFAULT_PAGE_LIMIT
    ) -> Iterator[list[dict[str, Any]]]:
        """Paid project values per specialty and region; omitted filters match anything."""
        params = {"specialty": specialty, "region": region}
        return self.iter_pages("/payment/analytics/average-project-value", params, limit=limit)

    def payment_trends(self, *, limit: int = DEFAULT_PAGE_LIMIT) -> Iterator[list[dict[str, Any]]]:
        """Monthly payment volume per specialty and region."""
        return self.iter_pages("/payment/analytics/payment-trends", limit=limit)
