"""Emails: syntax check and normalization (`email-validator`, never a network lookup), typo suggestions for the
big mail providers, free-mail and role-account flags.

Why: an address we cannot send to wastes a step of a campaign and hurts sender reputation, a typo of gmail.com is
almost always the person's real gmail address, a free-mail domain says nothing about the business's website, and a
role account (`info@`) reaches a shared inbox rather than the owner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from email_validator import EmailNotValidError, validate_email
from rapidfuzz.distance import OSA
from rapidfuzz.process import extractOne

from outreach.enrichment.fields import Normalized

FREE_MAIL_DOMAINS: Final = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "rocketmail.com", "hotmail.com", "outlook.com",
        "live.com", "msn.com", "aol.com", "icloud.com", "me.com", "mac.com", "comcast.net", "att.net",
        "sbcglobal.net", "bellsouth.net", "verizon.net", "cox.net", "charter.net", "earthlink.net", "juno.com",
        "netzero.net", "optonline.net", "frontier.com", "frontiernet.net", "windstream.net", "centurylink.net",
        "q.com", "roadrunner.com", "rr.com", "twc.com", "protonmail.com", "proton.me", "pm.me", "gmx.com",
        "gmx.us", "mail.com", "email.com", "usa.com", "zoho.com", "yandex.com", "tutanota.com", "fastmail.com",
        "hushmail.com", "inbox.com", "aim.com", "prodigy.net", "pacbell.net", "ameritech.net", "swbell.net",
    }
)  # fmt: skip
"""Consumer mailbox providers: an address there is personal, and its domain is not the business's website."""

ROLE_ACCOUNTS: Final = frozenset(
    {
        "info", "sales", "office", "admin", "administrator", "contact", "contactus", "support", "hello", "service",
        "services", "estimates", "estimate", "bids", "quotes", "billing", "accounts", "accounting", "team", "help",
        "jobs", "careers", "hr", "marketing", "noreply", "no-reply", "donotreply", "webmaster", "postmaster",
        "customerservice", "inquiries", "enquiries", "mail", "dispatch", "scheduling", "schedule", "frontdesk",
        "reception", "general", "projects",
    }
)  # fmt: skip
"""Local parts that name a function, not a person: such a mailbox is shared."""

_KNOWN_TYPOS: Final[dict[str, str]] = {
    "gmial.com": "gmail.com", "gmai.com": "gmail.com", "gamil.com": "gmail.com", "gnail.com": "gmail.com",
    "gmal.com": "gmail.com", "gmaill.com": "gmail.com", "gmail.co": "gmail.com", "gmail.cm": "gmail.com",
    "yaho.com": "yahoo.com", "yahooo.com": "yahoo.com", "yhoo.com": "yahoo.com", "yahoo.co": "yahoo.com",
    "hotmial.com": "hotmail.com", "hotmal.com": "hotmail.com", "hotmai.com": "hotmail.com",
    "hotamil.com": "hotmail.com", "outlok.com": "outlook.com", "outloo.com": "outlook.com", "aol.co": "aol.com",
    "aoll.com": "aol.com", "icloud.co": "icloud.com", "iclod.com": "icloud.com", "comcast.com": "comcast.net",
    "sbcgloabl.net": "sbcglobal.net",
}  # fmt: skip
"""Typos seen often enough to list; the fuzzy match below catches the rest for the long provider names."""

_FUZZY_TARGETS: Final = tuple(sorted(domain for domain in FREE_MAIL_DOMAINS if len(domain) >= 9))
"""Only long provider names are fuzzy-matched: one edit away from a short one (`aol.com`) is often a real domain."""

_TLD_TYPOS: Final[dict[str, str]] = {
    "con": "com", "cmo": "com", "ocm": "com", "vom": "com", "xom": "com", "comm": "com", "coom": "com",
    "cpm": "com", "nte": "net", "nett": "net",
}  # fmt: skip
"""Misspelt top-level domains: no business registers `acme.con`."""

_WRAPPERS = re.compile(r"^(?:mailto:)?\s*(?:[^<]*<\s*([^>]*?)\s*>)?", re.IGNORECASE)
_SPELLED_AT = re.compile(r"^([^\s@]+)\s*(?:\bat\b|\[at\]|\(at\))\s*([^@]+)$", re.IGNORECASE)
_SPELLED_DOT = re.compile(r"\s*(?:\bdot\b|\[dot\]|\(dot\))\s*", re.IGNORECASE)
_SPELLED_OUT_CONFIDENCE: Final = 0.85


@dataclass(frozen=True, slots=True)
class EmailResult:
    """A judged email address and what its parts tell."""

    address: Normalized[str]
    valid: Normalized[bool]
    suggestion: Normalized[str]
    is_free_mail: Normalized[bool]
    is_role_account: Normalized[bool]
    domain: str | None
    """ASCII (IDNA) domain, for comparison with the website's; None when invalid."""


def normalize_email(raw: str | None) -> EmailResult:
    """Validate and normalize one address as a person typed it (`Name <Bob@Gmial.COM>`, `mailto:...`).

    The whole address is lower-cased: the local part is case-sensitive in theory but not at any provider we reach,
    and one spelling is what deduplication needs. Never raises: a malformed address comes back invalid with the
    validator's reason.
    """
    if raw is None or not raw.strip():
        return _invalid("absent", "no email given", checked=False)
    return _normalize_cached(raw.strip())


@lru_cache(maxsize=16384)
def _normalize_cached(text: str) -> EmailResult:
    tidied, spelled_out = _tidy(text)
    try:
        checked = validate_email(tidied, check_deliverability=False)
    except EmailNotValidError as error:
        return _invalid("email_validator", str(error), checked=True)
    address = checked.normalized.lower()
    local, domain = checked.local_part.lower(), checked.ascii_domain.lower()
    suggested_domain = _suggest_domain(domain)
    method = "email_validator" if tidied == text else "email_validator_tidied"
    confidence, note = (_SPELLED_OUT_CONFIDENCE, "written out as 'at' and 'dot'") if spelled_out else (0.95, None)
    if suggested_domain is None:
        address_value = Normalized(address, confidence, method, note)
        suggestion = Normalized(None, 0.0, "typo_check", "domain is not a known typo")
    else:
        why = f"domain {domain} looks like a typo of {suggested_domain}"
        address_value = Normalized(address, 0.3, method, why)
        suggestion = Normalized(f"{local}@{suggested_domain}", 0.6, "typo_check", why)
    final_domain = suggested_domain or domain
    return EmailResult(
        address=address_value,
        valid=Normalized(True, 0.95, "email_validator", "syntax only: deliverability is not checked"),
        suggestion=suggestion,
        is_free_mail=Normalized(final_domain in FREE_MAIL_DOMAINS, 0.95, "free_mail_list"),
        is_role_account=Normalized(local.split("+", 1)[0] in ROLE_ACCOUNTS, 0.9, "role_account_list"),
        domain=domain,
    )


def _tidy(text: str) -> tuple[str, bool]:
    """Undo how people wrap or hide an address: `mailto:a@b.com`, `Name <a@b.com>`, a sentence's final period,
    and `a at b dot com` (the second value says the address was spelled out, which is less certain)."""
    match = _WRAPPERS.match(text)
    tidied = (match.group(1) or text[match.end() :]).strip().rstrip(".,;")
    spelled = _SPELLED_AT.match(tidied)
    if spelled is None:
        return tidied, False
    return f"{spelled.group(1)}@{_SPELLED_DOT.sub('.', spelled.group(2).strip())}", True


def _suggest_domain(domain: str) -> str | None:
    """The provider domain this one is probably a typo of, or None."""
    if domain in FREE_MAIL_DOMAINS:
        return None
    if domain in _KNOWN_TYPOS:
        return _KNOWN_TYPOS[domain]
    best = extractOne(domain, _FUZZY_TARGETS, scorer=OSA.distance, score_cutoff=1)
    if best is not None:
        return best[0]
    name, _, tld = domain.rpartition(".")
    return f"{name}.{_TLD_TYPOS[tld]}" if tld in _TLD_TYPOS else None


def _invalid(method: str, reason: str, *, checked: bool) -> EmailResult:
    missing = Normalized(None, 0.0, method, reason)
    return EmailResult(
        address=missing,
        valid=Normalized(False, 1.0, method, reason) if checked else missing,
        suggestion=missing,
        is_free_mail=missing,
        is_role_account=missing,
        domain=None,
    )
