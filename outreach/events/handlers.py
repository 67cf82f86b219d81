"""Which handler takes each consumed event type, and the context they run with.

ProjectCreatedEvent and SpecialtyDemandChangedEvent change no state of ours: sensors read them from the inbox to
launch extra outreach batches, so their handler only marks them processed.
"""

from __future__ import annotations

from datetime import datetime

import psycopg

from outreach.events.inbox import InboxEvent
from outreach.events.processing import Handler, HandlerContext
from outreach.privacy.crypto import load_blind_indexer, load_cipher
from outreach.settings import Settings


def _observed_only(conn: psycopg.Connection, event: InboxEvent, context: HandlerContext) -> None:
    """Nothing to change: the event is read by sensors (demand signals)."""


def handlers() -> dict[str, Handler]:
    from outreach.campaigns.incentives import on_payment_incentive_status
    from outreach.conversion.handlers import on_referral_created, on_user_created, on_verification_completed
    from outreach.engagement.handlers import on_message_received, on_message_status_updated

    return {
        "PaymentIncentiveStatusEvent": on_payment_incentive_status,
        "MessageReceivedEvent": on_message_received,
        "MessageStatusUpdatedEvent": on_message_status_updated,
        "UserCreatedEvent": on_user_created,
        "VerificationCompletedEvent": on_verification_completed,
        "ReferralCreatedEvent": on_referral_created,
        "ProjectCreatedEvent": _observed_only,
        "SpecialtyDemandChangedEvent": _observed_only,
    }


def handler_context(settings: Settings, now: datetime, clients=None, **services: object) -> HandlerContext:
    """With `clients` (the domain clients) handlers also act outward: contractor accounts, incentives,
    opt-out confirmations; without them they only record."""
    if clients is not None:
        from outreach.campaigns.incentives import incentive_issuer

        services = {"clients": clients, "issue_incentive": incentive_issuer(clients.payment), **services}
    return HandlerContext(
        cipher=load_cipher(settings.state_dir),
        now=now,
        services={"indexer": load_blind_indexer(settings.state_dir), **services},
    )
