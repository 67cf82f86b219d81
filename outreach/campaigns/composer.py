"""What a message says: the `MessageComposer` seam, and `BasicComposer`, a compliant template filler.

Delivery depends only on the protocol; the personalization engine (`outreach/personalization`, `outreach/templates`)
plugs in behind it later. Whatever composes, the result must be a pure function of its inputs: a message waiting to
be re-sent is re-sent from its stored payload, but a composer that varied from run to run would make Thompson
statistics and audits lie.

Facts carry no email address or phone number: the recipient is added by delivery, so no composer (or model
behind it) ever sees contact data it does not need.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlencode

from outreach.campaigns.models import Campaign, Channel, Step, Variant

SPECIALTY_NAMES = {
    "general_contractor": "general contracting", "hvac": "HVAC", "pest_control": "pest control",
}  # fmt: skip
SMS_OPT_OUT = "Reply STOP to opt out."
UNKNOWN_REFERRER = "Someone in the InstaBids network"
"""`{referrer}` when the referrer's name is unknown (the placeholder starts a sentence)."""
SMS_MAX = 1600


@dataclass(frozen=True)
class ProspectFacts:
    """What a composer may know about the recipient (no contact data)."""

    prospect_id: str
    business_name: str | None = None
    contact_name: str | None = None
    city: str | None = None
    state: str | None = None
    region: str | None = None
    specialties: tuple[str, ...] = ()
    """The prospect's specialties, those the campaign targets first."""
    referrer_first_name: str | None = None
    """For a referred prospect, the first name of who referred them, when we know it."""


@dataclass(frozen=True)
class Composed:
    """A composed message: `subject`, `body_text`, `body_html`, `headers` for email; `body` for SMS."""

    template_id: str
    method: str
    subject: str | None = None
    body_text: str | None = None
    body_html: str | None = None
    headers: dict[str, str] | None = field(default=None)
    body: str | None = None


class MessageComposer(Protocol):
    def compose(
        self, prospect_facts: ProspectFacts, campaign: Campaign, step: int, variant: str, channel: Channel
    ) -> Composed: ...


def specialty_name(slug: str | None) -> str:
    if not slug:
        return "contracting"
    return SPECIALTY_NAMES.get(slug, slug.replace("_", " "))


def first_name(contact_name: str | None, default: str | None = "there") -> str | None:
    """The first name of a contact name ("Pat Tester", "Tester, Pat" -> "Pat"), `default` without one."""
    if not contact_name or not contact_name.strip():
        return default
    name = contact_name.strip()
    if "," in name:  # "Last, First"
        name = name.split(",", 1)[1].strip() or name
    return name.split()[0].capitalize() if name.split() else default


def template_values(facts: ProspectFacts, campaign: Campaign) -> dict[str, str]:
    return {
        "business_name": facts.business_name or "your business",
        "first_name": first_name(facts.contact_name),
        "city": facts.city or "your area",
        "state": facts.state or "",
        "specialty": specialty_name(facts.specialties[0] if facts.specialties else None),
        "incentive": campaign.incentive.display() if campaign.incentive else "",
        "company": campaign.sender.company,
        "referrer": facts.referrer_first_name or UNKNOWN_REFERRER,
    }


def step_texts(campaign: Campaign, step: int, variant: str) -> tuple[Step, str, str, str]:
    """(step, subject, email body, SMS body): the variant's texts replace the initial step's where it has them."""
    definition = campaign.steps[step]
    chosen: Variant | None = campaign.variant(variant) if step == 0 else None
    subject = (chosen.subject if chosen else None) or definition.subject
    email_body = (chosen.email_body if chosen else None) or definition.email_body
    sms_body = (chosen.sms_body if chosen else None) or definition.sms_body
    return definition, subject, email_body, sms_body


def unsubscribe_link(campaign: Campaign, prospect_id: str) -> str:
    query = urlencode({"p": prospect_id, "c": campaign.campaign_id})
    return f"{campaign.sender.unsubscribe_url}?{query}"


def _collapse(text: str) -> str:
    return " ".join(text.split())


class BasicComposer:
    """Fills the campaign's templates and adds what the law and the carriers require.

    Email (CAN-SPAM, 15 U.S.C. 7704): identified as an advertisement, the sender's physical postal address, a working
    opt-out link and reply option; RFC 8058 one-click `List-Unsubscribe` / `List-Unsubscribe-Post` headers.
    SMS (CTIA): the sender's name first and "Reply STOP to opt out." last.
    """

    method = "basic"

    def compose(
        self, prospect_facts: ProspectFacts, campaign: Campaign, step: int, variant: str, channel: Channel
    ) -> Composed:
        definition, subject, email_body, sms_body = step_texts(campaign, step, variant)
        values = template_values(prospect_facts, campaign)
        if channel == "sms":
            return Composed(
                template_id=definition.template_id,
                method=self.method,
                body=self._sms(sms_body.format(**values), campaign),
            )
        link = unsubscribe_link(campaign, prospect_facts.prospect_id)
        body = email_body.format(**values).strip()
        footer = self._footer(campaign, values, link)
        return Composed(
            template_id=definition.template_id,
            method=self.method,
            subject=_collapse(subject.format(**values))[:998],
            body_text=f"{body}\n\n--\n{footer}\n",
            body_html=self._html(body, footer, link),
            headers={
                "List-Unsubscribe": f"<mailto:{campaign.sender.unsubscribe_mailto}?subject=unsubscribe>, <{link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "X-InstaBids-Campaign": campaign.campaign_id,
            },
        )

    @staticmethod
    def _sms(text: str, campaign: Campaign) -> str:
        name = campaign.sender.from_name
        text = _collapse(text)
        prefix = "" if text.startswith(name) else f"{name}: "
        suffix = f" {SMS_OPT_OUT}"
        room = SMS_MAX - len(prefix) - len(suffix)
        return f"{prefix}{text[:room]}{suffix}"

    @staticmethod
    def _footer(campaign: Campaign, values: dict[str, str], link: str) -> str:
        sender = campaign.sender
        return (
            f"This is an advertisement from {sender.company}, {sender.postal_address}.\n"
            f"You are receiving it because {values['business_name']} is publicly listed as a "
            f"{values['specialty']} business in {values['city']}.\n"
            f'To stop all messages from {sender.from_name}, unsubscribe at {link} or reply "unsubscribe".'
        )

    @staticmethod
    def _html(body: str, footer: str, link: str) -> str:
        paragraphs = "".join(
            f"<p>{html.escape(p.strip()).replace(chr(10), '<br>')}</p>" for p in body.split("\n\n") if p.strip()
        )
        escaped_footer = html.escape(footer).replace("\n", "<br>")
        escaped_link = html.escape(link)
        escaped_footer = escaped_footer.replace(escaped_link, f'<a href="{escaped_link}">{escaped_link}</a>')
        return f'<html><body>{paragraphs}<hr><p style="font-size:12px;color:#666">{escaped_footer}</p></body></html>'
