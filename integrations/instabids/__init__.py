"""Outbound HTTP clients of the other InstaBids domains, over one shared HTTP layer.

Build the bundle with `InstaBidsClients.build(base_urls, client_id, client_secret, ...)` (the core does it from
its settings in `outreach.domain_clients`). List methods yield pages of raw item dicts; writes take wire models and
a caller-chosen, deterministic Idempotency-Key, and return wire models.
"""

from integrations.instabids.clients import DOMAINS, InstaBidsClients
from integrations.instabids.errors import (
    CircuitOpen,
    Forbidden,
    IdempotencyKeyReused,
    InstaBidsError,
    InvalidRecipient,
    InvalidRequest,
    NotFound,
    ProblemError,
    RetriesExhausted,
    Suppressed,
    Unauthorized,
    UserExists,
)
from integrations.instabids.http import HttpConfig, correlation_scope, current_correlation_id

__all__ = [
    "DOMAINS",
    "CircuitOpen",
    "Forbidden",
    "HttpConfig",
    "IdempotencyKeyReused",
    "InstaBidsClients",
    "InstaBidsError",
    "InvalidRecipient",
    "InvalidRequest",
    "NotFound",
    "ProblemError",
    "RetriesExhausted",
    "Suppressed",
    "Unauthorized",
    "UserExists",
    "correlation_scope",
    "current_correlation_id",
]
