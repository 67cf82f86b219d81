"""What every outreach message must carry, added by code after the template so no template can leave it out.

- Email (CAN-SPAM): identification as a marketing message, the sender's physical postal address, and a clear
  opt-out: an unsubscribe link with a per-recipient token, plus `List-Unsubscribe` (RFC 2369: an https URL and a
  mailto) and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
- The first email to a prospect carries the GDPR Art. 14 notice: who we are, where we found the data (in plain
  words), what we use and why, how to object, their rights, and where the full notice is.
- SMS: the sender's name first, "Reply STOP to opt out." last (on first contact also where we found them).

Unsubscribe tokens are `base64url(version | prospect id | campaign id | HMAC-SHA256 tag)`: anyone holding the key can
verify one (`verify_unsubscribe_token`) and learn whom it unsubscribes, without a lookup table; nobody without the
key can forge one for another prospect.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit
from uuid import UUID

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from outreach.templates.render import RenderedMessage

ONE_CLICK = "List-Unsubscribe=One-Click"
SMS_OPT_OUT = "Reply STOP to opt out."
_TOKEN_VERSION = 1
_TOKEN_CONTEXT = b"instabids-outreach-unsubscribe-v1"
_TAG_BYTES = 16
_NO_CAMPAIGN = UUID(int=0)


@dataclass(frozen=True)
class Sender:
    """Who the messages come from, as the recipient sees it (from settings; see `PersonalizationSettings`)."""

    name: str  # display name: "InstaBids" (email from_name, SMS prefix, sign-off)
    legal_name: str  # "InstaBids, Inc.": the controller named in the notice and footer
    postal_address: str  # a valid physical postal address (CAN-SPAM)
    unsubscribe_base_url: str  # https://outreach.instabids.example/u/
    unsubscribe_mailto: str  # unsubscribe@outreach.instabids.example
    unsubscribe_key: bytes  # HMAC key of the unsubscribe tokens (OUTREACH_UNSUBSCRIBE_KEY)
    privacy_url: str = "https://outreach.instabids.example/privacy"

    def __post_init__(self) -> None:
        for name in ("name", "legal_name", "postal_address", "unsubscribe_mailto"):
            if not getattr(self, name).strip():
                raise ValueError(f"sender {name} is required")
        for name in ("unsubscribe_base_url", "privacy_url"):
            url = urlsplit(getattr(self, name))
            if url.scheme != "https" or not url.hostname:
                raise ValueError(f"sender {name} must be an https URL")
        if "@" not in self.unsubscribe_mailto:
            raise ValueError("sender unsubscribe_mailto must be an email address")
        if len(self.unsubscribe_key) < 16:
            raise ValueError("the unsubscribe key must have at least 16 bytes")

    @property
    def hosts(self) -> frozenset[str]:
        """Hosts of our own links (the only ones a message may contain)."""
        return frozenset(
            host for host in (urlsplit(self.unsubscribe_base_url).hostname, urlsplit(self.privacy_url).hostname) if host
        )


@dataclass(frozen=True)
class Recipient:
    """Whom one message goes to, as far as compliance needs: the unsubscribe token and the first-contact notice."""

    prospect_id: UUID
    campaign_id: UUID | None = None
    first_contact: bool | None = None  # None: the template's catalog entry decides (intro steps are first contact)


@dataclass(frozen=True)
class UnsubscribeClaim:
    prospect_id: UUID
    campaign_id: UUID | None


# --- unsubscribe tokens -----------------------------------------------------------------------------------------


def _tag(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, _TOKEN_CONTEXT + payload, hashlib.sha256).digest()[:_TAG_BYTES]


def unsubscribe_token(key: bytes, prospect_id: UUID, campaign_id: UUID | None = None) -> str:
    """A URL-safe token naming the prospect (and campaign), authenticated with HMAC-SHA256 under `key`."""
    payload = bytes([_TOKEN_VERSION]) + prospect_id.bytes + (campaign_id or _NO_CAMPAIGN).bytes
    return base64.urlsafe_b64encode(payload + _tag(key, payload)).rstrip(b"=").decode("ascii")


def verify_unsubscribe_token(key: bytes, token: str) -> UnsubscribeClaim | None:
    """Whom a token unsubscribes, or None when it is malformed or was not made with `key`."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 33 + _TAG_BYTES or raw[0] != _TOKEN_VERSION:
        return None
    payload, tag = raw[:33], raw[33:]
    if not hmac.compare_digest(tag, _tag(key, payload)):
        return None
    campaign = UUID(bytes=payload[17:33])
    return UnsubscribeClaim(UUID(bytes=payload[1:17]), None if campaign == _NO_CAMPAIGN else campaign)


def unsubscribe_url(sender: Sender, token: str) -> str:
    return sender.unsubscribe_base_url.rstrip("/") + "/" + token


def list_unsubscribe_headers(sender: Sender, token: str) -> dict[str, str]:
    """RFC 2369 `List-Unsubscribe` (https first, then mailto) and RFC 8058 one-click `List-Unsubscribe-Post`."""
    mailto = f"mailto:{sender.unsubscribe_mailto}?subject={quote(token, safe='')}"
    return {"List-Unsubscribe": f"<{unsubscribe_url(sender, token)}>, <{mailto}>", "List-Unsubscribe-Post": ONE_CLICK}


# --- email footer and notice ------------------------------------------------------------------------------------


def gdpr_notice(sender: Sender, source_description: str) -> str:
    """GDPR Art. 14 information for a first contact whose data we did not collect from them."""
    return (
        f"Why we are writing to you: {sender.legal_name} found your business contact details in "
        f"{source_description}. We use your business name, contact details, specialty and service area only to "
        f"invite you to join {sender.name}, based on our legitimate interest in reaching local professionals "
        f"(GDPR Art. 6(1)(f)). You can object at any time: use the unsubscribe link below or reply "
        f'"unsubscribe", and we will stop contacting you. You can also ask us for a copy of your data, to correct '
        f"or delete it, or complain to a data protection authority. Full privacy notice: {sender.privacy_url}"
    )


def email_footer_text(sender: Sender, token: str, *, source_description: str | None = None) -> str:
    """The plain-text footer; with `source_description` (first contact) it starts with the GDPR notice."""
    lines = ["--"]
    if source_description is not None:
        lines += [gdpr_notice(sender, source_description), ""]
    lines += [
        f"This is a marketing email from {sender.legal_name}, {sender.postal_address}.",
        f"To stop receiving emails from us, unsubscribe with one click: {unsubscribe_url(sender, token)}",
        f"Privacy notice: {sender.privacy_url}",
    ]
    return "\n".join(lines)


def email_footer_html(sender: Sender, token: str, *, source_description: str | None = None) -> Markup:
    url = unsubscribe_url(sender, token)
    style = ' style="color:#666;font-size:12px;line-height:1.4"'
    parts = [Markup("<hr>")]
    if source_description is not None:
        parts.append(Markup("<p{}>{}</p>").format(Markup(style), gdpr_notice(sender, source_description)))
    parts.append(
        Markup("<p{}>This is a marketing email from {}, {}.<br>").format(
            Markup(style), sender.legal_name, sender.postal_address
        )
        + Markup('To stop receiving emails from us, <a href="{}">unsubscribe with one click</a>.<br>').format(url)
        + Markup('<a href="{}">Privacy notice</a></p>').format(sender.privacy_url)
    )
    return Markup("\n").join(parts)


def html_document(subject: str, content: Markup | str, footer: Markup) -> str:
    """The whole HTML body: the template's (escaped) fragment, then the footer, in a minimal document."""
    return str(
        Markup(
            '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{}</title></head>\n'
            '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5">\n{}\n{}\n'
            "</body>\n</html>\n"
        ).format(subject, Markup(content), footer)
    )


# --- SMS --------------------------------------------------------------------------------------------------------


def sms_prefix(sender: Sender) -> str:
    return f"{sender.name}: "


def sms_footer(sender: Sender, *, source_description: str | None = None) -> str:
    """Appended after the content: where we found them (first contact) and the STOP instruction."""
    notice = (
        f" We found your business in {source_description}. Privacy: {sender.privacy_url}"
        if (source_description is not None)
        else ""
    )
    return f"{notice} {SMS_OPT_OUT}"


# --- checks -----------------------------------------------------------------------------------------------------


def missing_compliance(message: RenderedMessage, sender: Sender) -> list[str]:
    """What a finished message lacks of the above (empty when compliant); a guard against assembly mistakes."""
    problems: list[str] = []
    if message.channel == "email":
        token = message.unsubscribe_token or ""
        url = unsubscribe_url(sender, token)
        headers = message.headers or {}
        text = message.body_text or ""
        html = message.body_html or ""
        if not token:
            problems.append("no unsubscribe token")
        if sender.postal_address not in text:
            problems.append("postal address missing from the text body")
        if url not in text:
            problems.append("unsubscribe link missing from the text body")
        if html and (str(escape(sender.postal_address)) not in html or str(escape(url)) not in html):
            problems.append("postal address or unsubscribe link missing from the HTML body")
        if not headers.get("List-Unsubscribe", "").startswith(f"<{url}>"):
            problems.append("List-Unsubscribe header missing or without the https URL")
        if headers.get("List-Unsubscribe-Post") != ONE_CLICK:
            problems.append("List-Unsubscribe-Post one-click header missing")
        if message.first_contact and "Why we are writing to you" not in text:
            problems.append("GDPR notice missing from a first contact")
    else:
        body = message.body or ""
        if not body.startswith(sms_prefix(sender)):
            problems.append("SMS does not start with the sender's name")
        if not body.endswith(SMS_OPT_OUT):
            problems.append("SMS does not end with the STOP instruction")
    return problems
