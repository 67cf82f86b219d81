"""What a reply does to the campaign's sequence, from the reply event to the next batches: a question is followed
up at once, an out-of-office postpones the next step, a wrong contact loses only that contact, "not interested"
ends the sequence, and a prospect who did not answer gets the next step on time."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from fixtures.campaign_world import DAY, add_prospects, contacts_of, make_clients, own_campaign

from outreach.campaigns import BasicComposer, run_batch
from outreach.events import inbox
from outreach.events.handlers import handler_context, handlers
from outreach.events.processing import process_pending
from outreach.privacy.crypto import load_blind_indexer, load_cipher
from outreach.responses.decision import DEFAULT_RESCHEDULE_DAYS
from outreach.settings import Settings

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)


def email_reply(sender: str, in_reply_to: str, text: str) -> dict:
    return {
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": "/instabids/messaging",
        "type": "MessageReceivedEvent", "time": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "datacontenttype": "application/json",
        "data": {"message_id": str(uuid.uuid4()), "in_reply_to_message_id": in_reply_to, "channel": "email",
                 "from": sender, "to": "partners@instabids.example", "subject": "Re: your note", "body_text": text,
                 "received_at": NOW.strftime("%Y-%m-%dT%H:%M:%SZ")},
    }


def sent_steps(db, campaign) -> dict[str, list[tuple[int, str, int]]]:
    """prospect -> (step, channel, day offset from DAY) of every message the campaign got accepted."""
    rows = db.execute(
        "select prospect_id::text, step, channel, batch_date from app.outreach_messages "
        "where campaign_id = %s and message_id is not null order by batch_date, step",
        (campaign.campaign_id,),
    ).fetchall()
    steps: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for prospect_id, step, channel, day in rows:
        steps[prospect_id].append((step, channel, (day - DAY).days))
    return steps


def test_each_reply_intent_moves_the_sequence_as_decided(db, sandbox, pipeline_env) -> None:
    settings = Settings()
    cipher, indexer = load_cipher(settings.state_dir), load_blind_indexer(settings.state_dir)
    campaign = own_campaign(db)  # HVAC: initial email, follow-up after 3 days, last call by email after 7 more
    asked, away, wrong, declined, silent = add_prospects(db, cipher, indexer, campaign, 5,
                                                         timezone="America/New_York", is_email_valid=True)

    with make_clients() as clients:
        def batch(offset: int):
            db.commit()
            return run_batch(db, clients, campaign.id, DAY + timedelta(days=offset), BasicComposer(), cipher, indexer)

        assert batch(0).sent == 5
        first = {pid: str(mid) for pid, mid in db.execute(
            "select prospect_id::text, message_id from app.outreach_messages where campaign_id = %s",
            (campaign.campaign_id,))}
        texts = {asked: "How much does it cost?",
                 away: "Automatic reply: I am out of the office until Monday with limited access to email.",
                 wrong: "You have the wrong person, there is no Pat here.",
                 declined: "No thanks, not interested."}
        for prospect_id, text in texts.items():
            inbox.store(db, email_reply(contacts_of(db, cipher, prospect_id)[0], first[prospect_id], text), cipher)
        db.commit()
        process_pending(db, handlers(), handler_context(settings, datetime.now(UTC) + timedelta(minutes=1)),
                        types=("MessageReceivedEvent",))

        decided = dict(db.execute(
            "select prospect_id::text, (action, step, reschedule_days)::text from app.prospect_responses "
            "where campaign_id = %s", (campaign.campaign_id,)).fetchall())
        assert decided == {asked: "(follow_up,0,)", away: f"(reschedule,0,{DEFAULT_RESCHEDULE_DAYS})",
                           wrong: "(disqualify_contact,0,)", declined: "(stop_sequence,0,)"}

        next_day = batch(1)
        assert next_day.sent == 1  # only the question is followed up at once
        assert {e.prospect_id: e.reason for e in next_day.exclusions} == {
            away: "follow_up_not_due", wrong: "follow_up_not_due", silent: "follow_up_not_due",
            declined: "in_conversation"}
        on_time = batch(3)
        assert {e.prospect_id: e.reason for e in on_time.exclusions} == {
            asked: "follow_up_not_due", away: "follow_up_not_due", declined: "in_conversation"}
        batch(6)

    assert sent_steps(db, campaign) == {
        asked: [(0, "email", 0), (1, "email", 1)],
        away: [(0, "email", 0), (1, "email", 3 + DEFAULT_RESCHEDULE_DAYS)],
        wrong: [(0, "email", 0), (1, "sms", 3)],  # the wrong email is dropped, the phone still reaches them
        declined: [(0, "email", 0)],
        silent: [(0, "email", 0), (1, "email", 3)],
    }
    statuses = dict(db.execute("select prospect_id::text, status from app.prospects where prospect_id = any(%s)",
                               ([asked, away, wrong, declined],)).fetchall())
    assert statuses == {asked: "responded", away: "contacted", wrong: "contacted", declined: "responded"}
    email_bidx = indexer.index("email", contacts_of(db, cipher, wrong)[0].lower())
    assert db.execute("select contact_kind, reason from app.disqualified_contacts where contact_bidx = %s",
                      (email_bidx,)).fetchall() == [("email", "wrong_contact")]
    assert db.execute("select count(*) from app.suppressions where prospect_id = %s", (wrong,)).fetchone()[0] == 0
    ledger = db.execute("select channel, state, basis from app.consent_ledger where prospect_id = %s",
                        (wrong,)).fetchall()
    assert ledger == [("email", "revoked", "wrong_contact")]  # SMS consent untouched
