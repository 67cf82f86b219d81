"""Messaging: send outreach email and SMS, one by one or in batches of up to 500."""

from __future__ import annotations

from collections.abc import Sequence

from integrations.instabids.http import DomainClient
from integrations.instabids.wire import (
    BulkEmailMessage,
    BulkRequest,
    BulkResponse,
    BulkResult,
    BulkSmsMessage,
    EmailMessage,
    MessageAccepted,
    SmsMessage,
)


class MessagingClient(DomainClient):
    """Single sends raise `InvalidRecipient`, `Suppressed` or `IdempotencyKeyReused` when refused (422)."""

    def send_email(self, msg: EmailMessage, idempotency_key: str) -> MessageAccepted:
        body = self.http.post_json("/messages/email", msg.model_dump(mode="json"), idempotency_key=idempotency_key)
        return MessageAccepted.model_validate(body)

    def send_sms(self, msg: SmsMessage, idempotency_key: str) -> MessageAccepted:
        body = self.http.post_json("/messages/sms", msg.model_dump(mode="json"), idempotency_key=idempotency_key)
        return MessageAccepted.model_validate(body)

    def send_bulk(
        self, messages: Sequence[BulkEmailMessage | BulkSmsMessage], idempotency_key: str
    ) -> list[BulkResult]:
        """One result per message, in request order; a rejected message is a result with its problem, not an error.

        Each message counts against Messaging's rate limit, so the batch waits until it fits in the window.
        """
        request = BulkRequest(messages=list(messages))
        body = self.http.post_json(
            "/messages/bulk",
            request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
            cost=len(request.messages),
        )
        return BulkResponse.model_validate(body).results
