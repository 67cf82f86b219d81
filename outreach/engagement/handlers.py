"""Handlers of Messaging's events: delivery statuses and replies.

Replies are analyzed opt-out first (rules, never the LLM), then for intent; the decision is applied at once:
an opt-out suppresses every contact of the person before the next batch can run (a privacy objection is recorded
in the consent ledger as an `objection`, with the rule that matched), an interested reply starts the contractor
account, a wrong contact disqualifies that contact only. What the reply means for the campaign's sequence (stop,
next step now for a question, later for an auto-reply) is recorded with the reply and the step it answers, and
read by the next batch's eligibility. Statuses only move forward, so a late `delivered` never overwrites a
`bounced`, and every side effect is keyed by the inbound message id.
"""

from __future__ import annotations

from datetime import datetime

import psycopg

from integrations.instabids.errors import UserExists
from integrations.instabids.wire import CreateContractorRequest, MessageMetadata, SmsMessage
from outreach.consent.disqualified import disqualify_contacts
from outreach.consent.suppression import suppress
from outreach.conversion.handlers import find_prospect
from outreach.events.inbox import InboxEvent
from outreach.events.outbox import publish
from outreach.events.processing import HandlerContext
from outreach.privacy.access import PiiReader
from outreach.prospects.lifecycle import advance
from outreach.responses import IntentResult, classify_intent, decide
from outreach.responses.decision import Action, FollowUp

STATUS_RANK = {
    "pending": 0, "sent": 1, "delivered": 2, "opened": 3, "clicked": 4, "replied": 5,
    "failed": 6, "bounced": 6, "unsubscribed": 7, "complained": 7,
}
SUPPRESSING_STATUSES = {"complained": "complaint", "unsubscribed": "unsubscribed"}


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _contacts_of(conn: psycopg.Connection, prospect_id: str) -> list[tuple[str, bytes]]:
    email_bidx, phone_bidx = conn.execute(
        "select email_bidx, phone_bidx from app.prospects where prospect_id = %s", (prospect_id,)
    ).fetchone()
    return [(kind, bidx) for kind, bidx in (("email", email_bidx), ("phone", phone_bidx)) if bidx is not None]


def _set_message_status(conn: psycopg.Connection, message_id: str, status: str) -> tuple[str, str, int] | None:
    """Move an outbound message forward to `status`; returns (prospect id, campaign id, step) of the message."""
    row = conn.execute(
        "select prospect_id, campaign_id, step, status from app.outreach_messages where message_id = %s for update",
        (message_id,),
    ).fetchone()
    if row is None:
        return None
    prospect_id, campaign_id, step, current = row
    if STATUS_RANK.get(status, 0) > STATUS_RANK.get(current, 0):
        conn.execute(
            "update app.outreach_messages set status = %s, status_updated_at = now() where message_id = %s",
            (status, message_id),
        )
    return str(prospect_id), str(campaign_id), step


def on_message_status_updated(conn: psycopg.Connection, event: InboxEvent, context: HandlerContext) -> None:
    data = event.data
    found = _set_message_status(conn, data["message_id"], data["status"])
    if found is None:
        return  # not a message of ours
    prospect_id = found[0]
    if reason := SUPPRESSING_STATUSES.get(data["status"]):
        suppress(conn, _contacts_of(conn, prospect_id), reason, prospect_id=prospect_id, basis=reason,
                 evidence={"event_id": event.event_id, "message_id": data["message_id"]})


def _reply_context(
    conn: psycopg.Connection, context: HandlerContext, data: dict
) -> tuple[str, str | None, int | None] | None:
    """(prospect id, campaign id, step) the reply answers: the message it replies to, else the sender's latest
    message from us."""
    if data.get("in_reply_to_message_id"):
        found = _set_message_status(conn, data["in_reply_to_message_id"], "replied")
        if found:
            return found
    sender = data["from"]
    prospect_id = find_prospect(conn, context, None, sender if data["channel"] == "email" else None,
                                sender if data["channel"] == "sms" else None)
    if prospect_id is None:
        return None
    row = conn.execute(
        "select campaign_id, step from app.outreach_messages where prospect_id = %s and message_id is not null "
        "order by sent_at desc nulls last limit 1",
        (prospect_id,),
    ).fetchone()
    return (prospect_id, str(row[0]), row[1]) if row else (prospect_id, None, None)


def on_message_received(conn: psycopg.Connection, event: InboxEvent, context: HandlerContext) -> None:
    data = event.data
    found = _reply_context(conn, context, data)
    if found is None:
        return
    prospect_id, campaign_id, step = found
    # Replies of one person are handled one at a time (concurrent workers wait here): the second of two opt-outs
    # then sees the first one's confirmation, so at most one is ever sent.
    conn.execute("select 1 from app.prospects where prospect_id = %s for update", (prospect_id,))
    result = classify_intent(data["body_text"], data["channel"], context.services.get("llm"),
                             subject=data.get("subject"))
    confirmed = conn.execute(
        "select 1 from app.prospect_responses where prospect_id = %s and intent = 'opt_out' and channel = 'sms' "
        "and message_id <> %s",
        (prospect_id, data["message_id"]),
    ).fetchone()
    decision = decide(result, data["channel"], confirmation_already_sent=confirmed is not None)
    received_at = _ts(data["received_at"])
    recorded = conn.execute(
        "insert into app.prospect_responses (message_id, prospect_id, campaign_id, in_reply_to_message_id, channel, "
        "intent, confidence, analyzed_by, action, received_at, step, reschedule_days) "
        "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) on conflict (message_id) do nothing",
        (data["message_id"], prospect_id, campaign_id, data.get("in_reply_to_message_id"), data["channel"],
         result.intent.value, result.confidence, result.analyzed_by, decision.action.value, received_at, step,
         decision.reschedule_days),
    ).rowcount
    if campaign_id is not None:
        publish(conn, "ProspectResponseReceivedEvent", key=data["message_id"], subject=prospect_id,
                occurred_at=received_at, data={
                    "prospect_id": prospect_id, "campaign_id": campaign_id, "message_id": data["message_id"],
                    **result.event_fields(), "received_at": data["received_at"],
                })
    _apply(conn, context, decision, result, prospect_id, campaign_id, event, data, first_time=bool(recorded))


def _apply(conn: psycopg.Connection, context: HandlerContext, decision: FollowUp, result: IntentResult,
           prospect_id: str, campaign_id: str | None, event: InboxEvent, data: dict, first_time: bool) -> None:
    evidence = {"event_id": event.event_id, "message_id": data["message_id"]}
    if decision.action is Action.SUPPRESS_ALL:
        indexer = context.services["indexer"]
        sender = data["from"]
        contacts = [
            *_contacts_of(conn, prospect_id),
            ("email", indexer.index("email", sender.lower())) if data["channel"] == "email"
            else ("phone", indexer.index("phone", sender)),
        ]
        # A GDPR Art. 21 / CCPA objection is a revocation with a legal basis of its own: the ledger says so.
        objection = result.opt_out is not None and result.opt_out.category == "privacy"
        if result.opt_out is not None:
            evidence["rule"] = result.opt_out.rule
        suppress(conn, contacts, "opt_out", prospect_id=prospect_id, basis="objection" if objection else "opt_out",
                 evidence=evidence)
        if decision.send_confirmation_sms and first_time and campaign_id and "clients" in context.services:
            _confirm_opt_out(context, prospect_id, campaign_id, data, decision.confirmation_text)
        return
    if decision.action is Action.DISQUALIFY_CONTACT:
        kind = "email" if decision.disqualify_channel == "email" else "phone"
        contacts = [c for c in _contacts_of(conn, prospect_id) if c[0] == kind]
        disqualify_contacts(conn, prospect_id, contacts, "wrong_contact", evidence=evidence)
        return
    if decision.action is Action.RESCHEDULE:
        return  # an out-of-office message is no answer from the person: only the sequence's timing changes
    advance(conn, prospect_id, "responded")
    if decision.action is Action.CONVERT:
        advance(conn, prospect_id, "interested")
        if "clients" in context.services:
            create_contractor_account(conn, context, prospect_id)


def _confirm_opt_out(context: HandlerContext, prospect_id: str, campaign_id: str, data: dict, text: str) -> None:
    """One confirmation SMS at most: the idempotency key is per prospect, so Messaging never sends a second."""
    message = SmsMessage(to=data["from"], body=text, metadata=MessageMetadata(
        prospect_id=prospect_id, campaign_id=campaign_id, template_id="opt_out_confirmation", variant="a",
        correlation_id=data["message_id"]))
    context.services["clients"].messaging.send_sms(message, idempotency_key=f"opt-out-confirmation:{prospect_id}")


def create_contractor_account(conn: psycopg.Connection, context: HandlerContext, prospect_id: str) -> str | None:
    """`POST /users/contractors` for an interested prospect (invited; idempotent per prospect); on 409 the
    existing account is found by contact and recorded. Returns the user id."""
    reader = PiiReader(context.cipher, "contractor account creation")
    row = conn.execute(
        "select business_name, contact_name_enc, email_enc, phone_enc, specialties, region, state, city "
        "from app.prospects where prospect_id = %s",
        (prospect_id,),
    ).fetchone()
    business_name, name_enc, email_enc, phone_enc, specialties, region, state, city = row
    email = reader.decrypt(email_enc, "app.prospects.email", prospect_id)
    phone = reader.decrypt(phone_enc, "app.prospects.phone", prospect_id)
    contact_name = reader.decrypt(name_enc, "app.prospects.contact_name", prospect_id)
    reader.record(conn)
    if not (business_name and specialties and region and state and city and (email or phone)):
        return None
    request = CreateContractorRequest(
        prospect_id=prospect_id, business_name=business_name, contact_name=contact_name,
        email=email, phone=phone, specialties=list(specialties), region=region, state=state, city=city, invite=True,
    )
    users = context.services["clients"].users
    try:
        user_id = str(users.create_contractor(request, idempotency_key=f"contractor:{prospect_id}").user_id)
    except UserExists:
        criteria = {"email": email} if email else {"phone": phone}
        user_id = next((str(u["id"]) for page in users.search(**criteria) for u in page), None)
    if user_id:
        conn.execute("update app.prospects set user_id = %s where prospect_id = %s and user_id is null",
                     (user_id, prospect_id))
    return user_id
