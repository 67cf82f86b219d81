"""Pydantic models of the bodies our writes send and the single objects the domains answer.

They mirror `integrations/contracts/domains.openapi.yaml` (closed objects: `extra="forbid"`, so a field the
contract does not know fails here rather than as a 400 from the domain). List endpoints are not modelled: ingestion
stores their items as received. Ids are `UUID`s (serialized lowercase, as the contract wants).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
    model_validator,
)

Specialty = Literal[
    "general_contractor", "plumbing", "electrical", "hvac", "roofing", "painting", "flooring", "carpentry",
    "landscaping", "concrete", "drywall", "handyman", "remodeling", "solar", "pest_control", "cleaning",
]  # fmt: skip
ProjectStatus = Literal["open", "awarded", "in_progress", "completed", "cancelled"]
# JSON Schema's `format: email` (what the domains check) only asks for one "@" between two non-empty parts.
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
Phone = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{1,14}$")]
Region = Annotated[str, StringConstraints(max_length=100, pattern=r"^[a-z]{2}-[a-z]{2}-[a-z0-9]+(-[a-z0-9]+)*$")]
State = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
City = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
BusinessName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
PersonName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
TemplateId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$")]
Variant = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
IdempotencyKey = Annotated[str, StringConstraints(min_length=1, max_length=255)]


def _unique(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("specialties must be unique")
    return values


Specialties = Annotated[list[Specialty], Field(min_length=1), AfterValidator(_unique)]

_ONE_CLICK = "List-Unsubscribe=One-Click"
_X_HEADER = re.compile(r"X-[A-Za-z0-9-]+")


def _check_email_headers(headers: dict[str, str]) -> dict[str, str]:
    """Messaging accepts only List-Unsubscribe, List-Unsubscribe-Post (one-click) and X-* headers."""
    for name, value in headers.items():
        if name == "List-Unsubscribe":
            continue
        if name == "List-Unsubscribe-Post":
            if value != _ONE_CLICK:
                raise ValueError(f"List-Unsubscribe-Post must be {_ONE_CLICK!r}")
        elif not _X_HEADER.fullmatch(name):
            raise ValueError(f"header {name!r} is not accepted (List-Unsubscribe, List-Unsubscribe-Post, X-*)")
        elif len(value) > 998:
            raise ValueError(f"header {name!r} is longer than 998 characters")
    return headers


EmailHeaders = Annotated[dict[str, str], AfterValidator(_check_email_headers)]


class WireModel(BaseModel):
    """Closed object of the contract."""

    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """RFC 9457 problem details; open, because problems may carry extension members (e.g. the token `error`)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int = Field(ge=400, le=599)
    detail: str | None = None
    instance: str | None = None

    @property
    def code(self) -> str:
        """The contract's error code: the last path segment of `type` (`.../user_exists` → `user_exists`)."""
        return self.type.rstrip("/").rsplit("/", 1)[-1]


class TokenResponse(WireModel):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int = Field(ge=1)


class User(WireModel):
    id: UUID
    role: Literal["contractor", "homeowner", "admin"]
    email: Email | None
    phone: Phone | None
    business_name: BusinessName | None
    created_at: AwareDatetime


class CreateContractorRequest(WireModel):
    prospect_id: UUID
    business_name: BusinessName
    contact_name: PersonName | None
    email: Email | None
    phone: Phone | None
    specialties: Specialties
    region: Region
    state: State
    city: City
    invite: bool

    @model_validator(mode="after")
    def _reachable(self) -> CreateContractorRequest:
        if self.email is None and self.phone is None:
            raise ValueError("at least one of email and phone is required")
        return self


class CreateContractorResponse(WireModel):
    user_id: UUID
    status: Literal["invited", "created"]


class MessageMetadata(WireModel):
    """Stored by Messaging with the message, so replies and status events can be traced back to the send."""

    prospect_id: UUID
    campaign_id: UUID
    template_id: TemplateId
    variant: Variant
    correlation_id: UUID


class EmailMessage(WireModel):
    to: Email
    from_name: str = Field(min_length=1, max_length=100)
    reply_to: Email
    subject: str = Field(min_length=1, max_length=998)
    body_text: str = Field(min_length=1)
    body_html: str | None = Field(default=None, min_length=1)
    headers: EmailHeaders | None = None
    metadata: MessageMetadata

    @model_serializer(mode="wrap")
    def _omit_absent_optionals(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """`body_html` and `headers` are optional but not nullable in the contract: leave them out when unset."""
        data = handler(self)
        for name in ("body_html", "headers"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class SmsMessage(WireModel):
    to: Phone
    body: str = Field(min_length=1, max_length=1600)
    metadata: MessageMetadata


class MessageAccepted(WireModel):
    message_id: UUID
    status: Literal["queued"]


class BulkEmailMessage(EmailMessage):
    """An email in a bulk send: its own idempotency key, same key space as the single-send header."""

    idempotency_key: IdempotencyKey
    channel: Literal["email"] = "email"


class BulkSmsMessage(SmsMessage):
    idempotency_key: IdempotencyKey
    channel: Literal["sms"] = "sms"


BulkMessage = Annotated[BulkEmailMessage | BulkSmsMessage, Field(discriminator="channel")]


class BulkRequest(WireModel):
    messages: list[BulkMessage] = Field(min_length=1, max_length=500)


class BulkResult(WireModel):
    """One message's outcome; a rejected message is a result (with its problem), not a failed batch."""

    idempotency_key: str
    message_id: UUID | None
    status: Literal["queued", "rejected"]
    error: Problem | None


class BulkResponse(WireModel):
    results: list[BulkResult]


class IssueIncentiveRequest(WireModel):
    recipient_user_id: UUID
    prospect_id: UUID
    campaign_id: UUID
    kind: Literal["signup_credit", "referral_bonus"]
    amount_cents: int = Field(ge=1)
    currency: Currency


class IncentiveCreated(WireModel):
    incentive_id: UUID
    status: Literal["pending"]


class IncentiveStatusResponse(WireModel):
    incentive_id: UUID
    status: Literal["pending", "issued", "failed", "cancelled"]
    updated_at: AwareDatetime
