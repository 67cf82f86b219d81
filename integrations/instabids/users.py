"""User Management: find existing users (to avoid duplicates) and create contractor accounts for conversions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from integrations.instabids.http import DEFAULT_PAGE_LIMIT, DomainClient, id_segment
from integrations.instabids.wire import CreateContractorRequest, CreateContractorResponse, User


class UsersClient(DomainClient):
    def search(
        self,
        email: str | None = None,
        phone: str | None = None,
        business_name: str | None = None,
        *,
        limit: int = DEFAULT_PAGE_LIMIT,
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of users matching every given filter; at least one is required (the domain answers 400 else)."""
        if email is None and phone is None and business_name is None:
            raise ValueError("search needs at least one of email, phone, business_name")
        params = {"email": email, "phone": phone, "business_name": business_name}
        return self.iter_pages("/users/search", params, limit=limit)

    def get_user(self, user_id: UUID | str) -> User:
        return User.model_validate(self.http.get_json(f"/users/{id_segment(user_id)}"))

    def create_contractor(self, req: CreateContractorRequest, idempotency_key: str) -> CreateContractorResponse:
        """Raises `UserExists` when the email or phone belongs to a user already (then `search` finds it)."""
        body = self.http.post_json("/users/contractors", req.model_dump(mode="json"), idempotency_key=idempotency_key)
        return CreateContractorResponse.model_validate(body)
