"""Checks a model-written text must pass before it goes into a message; any violation means the template is used.

- Numbers: every number or amount in the text must be one of the facts. Forms are normalized ("1,234", "1234",
  "$1,234.00"; "$1.2k" / "1.2 thousand" match a fact that rounds to it; "three" is 3). An amount with a currency
  sign must match a money fact; a percentage never matches (no fact is one).
- Claims: no promise of income or results ("guaranteed", "earn", "income", "make $X", "$X per month", ...), and no
  referral unless the prospect was referred.
- Links and contact data: no URL except ours (or one that is part of the facts), no email address, no phone number.
- Markup: no HTML tags or template syntax.
- Length: email subject ≤ 78 characters, opening ≤ 700, whole text body ≤ 8,000; SMS: sender prefix + text at most 2
  segments before the footer, whole SMS ≤ 1,600 characters.
- Compliance: the finished message still carries its footer and headers (`compliance.missing_compliance`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from outreach.personalization.facts import Facts
from outreach.templates import compliance, sms
from outreach.templates.compliance import Sender
from outreach.templates.render import Channel, Draft, RenderedMessage

SUBJECT_MAX_CHARS = 78
EMAIL_OPENING_MAX_CHARS = 700
EMAIL_BODY_MAX_CHARS = 8000
SMS_MAX_SEGMENTS_BEFORE_FOOTER = 2
SMS_MAX_CHARS = 1600


@dataclass(frozen=True)
class Violation:
    code: str  # number_not_in_facts, income_claim, invented_referral, foreign_url, contact_data, markup,
    #            too_long, empty, compliance
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


# --- numbers ----------------------------------------------------------------------------------------------------

_QUANTITY = re.compile(
    r"""
    (?<![\d.])
    (?P<currency>US\$|CA\$|A\$|\$|€|£|USD\s?)?
    (?P<int>\d{1,3}(?:,\d{3})+|\d+)
    (?:\.(?P<frac>\d+))?
    (?:
        \s?(?P<suffix>k|K|thousand|m|M|mm|MM|mn|million|bn|billion)(?![A-Za-z])
      | (?P<ordinal>st|nd|rd|th)(?![A-Za-z])
    )?
    (?:\s?(?P<percent>%|percent\b|per\scent\b))?
    (?:\s?(?P<currency_word>dollars?\b|USD\b|bucks\b))?
    """,
    re.VERBOSE,
)
_SCALES = {
    "k": 1000, "thousand": 1000,
    "m": 1_000_000, "mm": 1_000_000, "mn": 1_000_000, "million": 1_000_000,
    "bn": 1_000_000_000, "billion": 1_000_000_000,
}  # fmt: skip
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD_NUMBERS = {
    **{word: value for word, value in _UNITS.items() if word != "one"},  # "one" is mostly a pronoun
    "zero": 0, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "hundred": 100, "thousand": 1000,
    "million": 1_000_000, "billion": 1_000_000_000, "dozen": 12,
    "dozens": None, "hundreds": None, "thousands": None, "millions": None,  # None: no fact can back these
}  # fmt: skip
_WORD_NUMBER = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_TENS)})(?:[- ](?P<unit>{'|'.join(_UNITS)}))?|(?P<word>{'|'.join(_WORD_NUMBERS)}))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quantity:
    text: str
    value: Decimal | None  # None: a vague quantity ("hundreds")
    mantissa: Decimal  # the number as written, before its k/million scale
    decimals: int  # digits after the point as written (the precision of an abbreviated amount)
    scale: int  # 1, 1000, 1,000,000 ...
    money: bool
    percent: bool


def quantities(text: str) -> list[Quantity]:
    """Every number in a text, digits and words, normalized."""
    found: list[Quantity] = []
    spans: list[tuple[int, int]] = []
    for match in _QUANTITY.finditer(text):
        spans.append(match.span())
        digits = match["int"].replace(",", "") + (f".{match['frac']}" if match["frac"] else "")
        try:
            mantissa = Decimal(digits)
        except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
            continue
        scale = _SCALES.get((match["suffix"] or "").lower(), 1)
        found.append(
            Quantity(
                text=match.group(0).strip(),
                value=mantissa * scale,
                mantissa=mantissa,
                decimals=len(match["frac"] or ""),
                scale=scale,
                money=bool(match["currency"] or match["currency_word"]),
                percent=bool(match["percent"]),
            )
        )
    for match in _WORD_NUMBER.finditer(text):
        if any(start <= match.start() < end for start, end in spans):  # the "thousand" of "2 thousand"
            continue
        if match["tens"]:
            value: int | None = _TENS[match["tens"].lower()] + _UNITS.get((match["unit"] or "").lower(), 0)
        else:
            value = _WORD_NUMBERS[match["word"].lower()]
        number = None if value is None else Decimal(value)
        found.append(Quantity(match.group(0), number, number or Decimal(0), 0, 1, False, False))
    return found


def _fact_quantities(facts: Facts) -> list[Quantity]:
    found = quantities(" | ".join(facts.texts()))
    if facts.open_projects is not None:
        value = Decimal(facts.open_projects)
        found.append(Quantity(str(facts.open_projects), value, value, 0, 1, False, False))
    return found


def _backed(quantity: Quantity, facts: list[Quantity]) -> bool:
    if quantity.value is None or quantity.percent:
        return any(fact.percent and fact.value == quantity.value for fact in facts) if quantity.percent else False
    for fact in facts:
        if fact.value is None or fact.percent or (quantity.money and not fact.money):
            continue
        if quantity.scale == 1 and quantity.value == fact.value:
            return True
        if quantity.scale > 1:  # "$12.3k" stands for a fact of 12,346 at the precision it shows
            rounded = (fact.value / quantity.scale).quantize(Decimal(1).scaleb(-quantity.decimals))
            if rounded == quantity.mantissa:
                return True
    return False


def check_numbers(text: str, facts: Facts) -> list[Violation]:
    known = _fact_quantities(facts)
    return [
        Violation("number_not_in_facts", f"{quantity.text!r} is not one of the facts")
        for quantity in quantities(text)
        if not _backed(quantity, known)
    ]


# --- claims, links, contact data, markup ------------------------------------------------------------------------

_INCOME_CLAIMS = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\bguarantee(?:d|s|ing)?\b",
        r"\bincomes?\b",
        r"\bearn(?:s|ed|ing|ings)?\b",
        r"\bmake\s+(?:up\s+to\s+|over\s+|more\s+than\s+|at\s+least\s+)?(?:\$|€|£|\d|(?:more\s+|extra\s+|real\s+)?money\b|a\s+fortune|a\s+killing|bank\b)",
        r"\b(?:salary|salaries|paycheck|profits?|profitable|revenue|wealth|wealthy|rich)\b",
        r"\b(?:risk[- ]free|no[- ]risk|can'?t\s+lose|cannot\s+lose|sure\s+thing|promise[ds]?|assured?)\b",
        r"\b(?:extra|easy|fast|quick)\s+(?:cash|money)\b",
        r"\b(?:double|triple|multiply)\s+your\b",
        r"(?:\$|€|£|\bdollars?\b|\busd\b)[^.!?\n]{0,30}\b(?:per|a|an|each|every)\s+(?:hour|day|week|month|year)\b",
    )
]
_REFERRAL = re.compile(
    r"\b(?:referr(?:ed|al|er)|recommended\s+(?:you|your)|suggested\s+(?:we|I|that\s+we|you)|friend\s+of)\b",
    re.IGNORECASE,
)
_URL = re.compile(
    r"(?:\bhttps?://|\bwww\.)[^\s<>\"')\]]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|co|us|biz|info|app|dev|ly|me|site|online|example|ai|xyz)\b(?:/[^\s<>\"')\]]*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<!\w)[+(]?\d(?:[\s().-]*\d){6,}")
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][^>]*>|\{\{|\}\}|\{%|%\}|\{#|#\}")


def _host(url: str) -> str:
    candidate = url if "://" in url else "https://" + url
    return (urlsplit(candidate).hostname or "").lower()


def _allowed(host: str, allowed: Iterable[str]) -> bool:
    return any(host == ours or host.endswith("." + ours) for ours in allowed)


def check_text(text: str, facts: Facts, *, allowed_hosts: Iterable[str] = ()) -> list[Violation]:
    """Numbers, claims, links, contact data and markup of one model-written text."""
    violations = check_numbers(text, facts)
    for pattern in _INCOME_CLAIMS:
        if match := pattern.search(text):
            violations.append(Violation("income_claim", f"{match.group(0)!r} reads as a promise of income"))
    if facts.referrer_first_name is None and (match := _REFERRAL.search(text)):
        violations.append(Violation("invented_referral", f"{match.group(0)!r} but the prospect was not referred"))
    fact_text = " ".join(facts.texts())
    hosts = {*(host.lower() for host in allowed_hosts), *(_host(url) for url in _URL.findall(fact_text))}
    text_without_emails = _EMAIL.sub(" ", text)
    for url in _URL.findall(text_without_emails):
        if not _allowed(_host(url), hosts):
            violations.append(Violation("foreign_url", f"{url!r} is not one of our links"))
    for email in _EMAIL.findall(text):
        violations.append(Violation("contact_data", f"email address {email!r}"))
    for phone in _PHONE.findall(text):
        if phone.strip() not in fact_text:
            violations.append(Violation("contact_data", f"phone number {phone.strip()!r}"))
    if match := _MARKUP.search(text):
        violations.append(Violation("markup", f"{match.group(0)!r}: plain text only"))
    return violations


# --- drafts and finished messages -------------------------------------------------------------------------------


def check_draft(draft: Draft, channel: Channel, facts: Facts, sender: Sender) -> list[Violation]:
    """A model's draft: presence and length of its parts, then `check_text` on each."""
    violations: list[Violation] = []
    parts = {"opening": draft.opening}
    if channel == "email":
        parts["subject"] = draft.subject
    for name, value in parts.items():
        text = " ".join((value or "").split())
        if not text:
            violations.append(Violation("empty", f"the {name} is empty"))
            continue
        limit = SUBJECT_MAX_CHARS if name == "subject" else EMAIL_OPENING_MAX_CHARS if channel == "email" else None
        if limit is not None and len(text) > limit:
            violations.append(Violation("too_long", f"the {name} has {len(text)} characters (max {limit})"))
        violations += check_text(text, facts, allowed_hosts=sender.hosts)
    return violations


def check_message(message: RenderedMessage, sender: Sender) -> list[Violation]:
    """A finished message: compliance parts present and channel length limits."""
    violations = [Violation("compliance", problem) for problem in compliance.missing_compliance(message, sender)]
    if message.channel == "email":
        if len(message.subject or "") > SUBJECT_MAX_CHARS:
            violations.append(Violation("too_long", f"subject of {len(message.subject or '')} characters"))
        if len(message.body_text or "") > EMAIL_BODY_MAX_CHARS:
            violations.append(Violation("too_long", f"text body of {len(message.body_text or '')} characters"))
    else:
        before_footer = sms.measure(message.content)
        if before_footer.segments > SMS_MAX_SEGMENTS_BEFORE_FOOTER:
            violations.append(
                Violation(
                    "too_long",
                    f"SMS text takes {before_footer.segments} {before_footer.encoding} segments before the footer "
                    f"(max {SMS_MAX_SEGMENTS_BEFORE_FOOTER})",
                )
            )
        if len(message.body or "") > SMS_MAX_CHARS:
            violations.append(
                Violation("too_long", f"SMS of {len(message.body or '')} characters (max {SMS_MAX_CHARS})")
            )
    return violations
