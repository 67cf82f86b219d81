"""Handlers of the consumed events that move prospects toward registered, verified contractors.

Each is a plain function `(conn, event, context)`, idempotent: statuses only move forward (`lifecycle.advance`)
and every published event is keyed by what it is about, so a duplicate, a redrive or a replay changes nothing.
Events may arrive in any order: a verification before its sign-up still ends with both recorded and announced.
"""

from __future__ import annotations

from datetime import datetime

import psycopg

from outreach.events.inbox import InboxEvent
from outreach.events.outbox import publish
from outreach.events.processing import HandlerContext
from outreach.prospects.lifecycle import advance


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def find_prospect(conn: psycopg.Connection, context: HandlerContext, prospect_id: str | None,
                  email: str | None, phone: str | None) -> str | None:
    """Our prospect for an event: by its prospect id, else by the blind index of its email or phone."""
    if prospect_id:
        row = conn.execute("select prospect_id from app.prospects where prospect_id = %s", (prospect_id,)).fetchone()
        if row:
            return str(row[0])
    indexer = context.services["indexer"]
    email_bidx = indexer.index("email", email.lower() if email else None)
    phone_bidx = indexer.index("phone", phone)
    if email_bidx is None and phone_bidx is None:
        return None
    row = conn.execute(
        "select prospect_id from app.prospects where email_bidx = %s or phone_bidx = %s "
        "order by discovered_at, prospect_id limit 1",
        (email_bidx, phone_bidx),
    ).fetchone()
    return str(row[0]) if row else None


def attribution(conn: psycopg.Connection, prospect_id: str, before: datetime) -> dict | None:
    """First and last outreach message before `before`, and how many; None when outreach never reached them.

    Messages are placed on their batch clock (`scheduled_at`), the time line the events are on: `sent_at` is the
    wall clock of the hand-over, which for a backfilled or simulated batch lies after the (event-time) sign-up.
    """
    row = conn.execute(
        "select (array_agg(message_id order by scheduled_at, message_id))[1], "
        "(array_agg(message_id order by scheduled_at desc, message_id desc))[1], "
        "(array_agg(campaign_id order by scheduled_at desc, message_id desc))[1], count(*) "
        "from app.outreach_messages where prospect_id = %s and message_id is not null and scheduled_at <= %s",
        (prospect_id, before),
    ).fetchone()
    first, last, campaign_id, touches = row
    if not touches:
        return None
    return {"first": str(first), "last": str(last), "campaign_id": str(campaign_id), "touches": touches}


def on_user_created(conn: psycopg.Connection, event: InboxEvent, context: HandlerContext) -> None:
    data = event.data
    if data["role"] != "contractor":
        return
    prospect_id = find_prospect(conn, context, data.get("prospect_id"), data.get("email"), data.get("phone"))
    if prospect_id is None:
        return
    created_at = datetime.fromisoformat(data["created_at"].replace("Z", "+00:00"))
    advance(conn, prospect_id, "converted")
    conn.execute(
        "update app.prospects set user_id = %s, converted_at = coalesce(converted_at, %s) where prospect_id = %s",
        (data["user_id"], created_at, prospect_id),
    )
    touch = attribution(conn, prospect_id, created_at)
    if touch is not None:
        publish(conn, "ProspectConvertedEvent", key=prospect_id, subject=prospect_id, occurred_at=created_at, data={
            "prospect_id": prospect_id,
            "user_id": data["user_id"],
            "campaign_id": touch["campaign_id"],
            "converted_at": _iso(created_at),
            "attribution": {"first_touch_message_id": touch["first"], "last_touch_message_id": touch["last"],
                            "touches": touch["touches"]},
        })
        if issue := context.services.get("issue_incentive"):
            issue(conn, prospect_id, data["user_id"], touch["campaign_id"])
    prospect = conn.execute(
        "select license_number, license_state, specialties, region from app.prospects where prospect_id = %s",
        (prospect_id,),
    ).fetchone()
    license_number, license_state, specialties, region = prospect
    if specialties and region:
        publish(conn, "ContractorReadyForVerificationEvent", key=prospect_id, subject=data["user_id"],
                occurred_at=context.now, data={
                    "user_id": data["user_id"], "prospect_id": prospect_id, "license_number": license_number,
                    "license_state": license_state, "specialties": list(specialties), "region": region,
                    "ready_at": _iso(context.now),
                })


def on_verification_completed(conn: psycopg.Connection, event: InboxEvent, context: HandlerContext) -> None:
    data = event.data
    prospect_id = data.get("prospect_id")
    if prospect_id is None:
        row = conn.execute("select prospect_id from app.prospects where user_id = %s", (data["user_id"],)).fetchone()
        prospect_id = str(row[0]) if row else None
    if prospect_id is None:
        return
    completed_at = datetime.fromisoformat(data["completed_at"].replace("Z", "+00:00"))
    # Only a newer verification outcome replaces an older one.
    conn.execute(
        "update app.prospects set verification_status = %s, verification_reasons = %s, verified_at = %s, "
        "user_id = coalesce(user_id, %s) where prospect_id = %s and (verified_at is null or verified_at < %s)",
        (data["status"], data["reasons"], completed_at, data["user_id"], prospect_id, completed_at),
    )
    if data["status"] == "verified":
        advance(conn, prospect_id, "verified")


def on_referral_created(conn: psycopg.Connection, event: InboxEvent, context: HandlerContext) -> None:
    """A referral made through one of our campaigns is announced; the referred person is a discovery candidate
    (the `referral_candidates` asset reads the inbox)."""
    data = event.data
    if data.get("campaign_id") is None:
        return
    prospect_id = find_prospect(conn, context, None, data.get("referred_email"), data.get("referred_phone"))
    publish(conn, "OutreachReferralEvent", key=data["referral_id"], subject=data["referral_id"],
            occurred_at=context.now, data={
                "referral_id": data["referral_id"], "campaign_id": data["campaign_id"],
                "referrer_user_id": data["referrer_user_id"], "prospect_id": prospect_id,
                "created_at": data["created_at"],
            })
