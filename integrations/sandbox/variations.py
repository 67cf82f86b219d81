"""How each discovery source distorts the truth: the dirty data that enrichment and entity resolution must undo.

Every function takes the caller's `random.Random`, so a world is reproducible from its seed. The distortions are
the ones seen in real contractor data: phone formats and extensions, missing area codes, emails typed with
spaces, capitals, `mailto:` or a misspelled domain, nicknames, "LAST, FIRST" owners, upper-cased registry names
without punctuation, dropped legal suffixes, "&" for "and", and the odd typo.
"""

from __future__ import annotations

import random
import re

from integrations.sandbox.names import NICKNAMES, TYPO_DOMAINS

_PUNCT = re.compile(r"[.,']")


def national(e164: str) -> tuple[str, str, str]:
    """+16195550142 → ("619", "555", "0142")."""
    digits = e164[-10:]
    return digits[:3], digits[3:6], digits[6:]


def phone_display(e164: str, style: int) -> str:
    """A phone as a website prints it (style 0..3)."""
    area, exchange, line = national(e164)
    return (
        f"({area}) {exchange}-{line}",
        f"{area}-{exchange}-{line}",
        f"{area}.{exchange}.{line}",
        f"+1 {area} {exchange} {line}",
    )[style % 4]


def raw_phone(rng: random.Random, e164: str) -> str:
    """A phone as a person typed it: any format, sometimes an extension, sometimes no area code."""
    area, exchange, line = national(e164)
    roll = rng.random()
    if roll < 0.03:
        return f"{exchange}-{line}"  # no area code: unusable without the city
    if roll < 0.05:
        return f"{area}-{exchange}-{line[:3]}"  # a digit short: malformed
    styles = (
        f"({area}) {exchange}-{line}",
        f"{area}-{exchange}-{line}",
        f"{area}.{exchange}.{line}",
        f"{area}{exchange}{line}",
        f"+1 {area} {exchange} {line}",
        f"1-{area}-{exchange}-{line}",
        f"+1{area}{exchange}{line}",
        f"{area} {exchange} {line}",
    )
    text = rng.choice(styles)
    if rng.random() < 0.05:
        text += rng.choice((" ext. 12", " x204", " ext 3", " (cell)", " - mobile"))
    return text


def raw_email(rng: random.Random, email: str) -> str:
    """An email as a person typed it: capitals, spaces, `mailto:`, a misspelled domain, or "at"/"dot"."""
    local, domain = email.split("@")
    roll = rng.random()
    if roll < 0.04 and domain in TYPO_DOMAINS:
        return f"{local}@{rng.choice(TYPO_DOMAINS[domain])}"
    if roll < 0.06:
        return f"{local} at {domain.replace('.', ' dot ')}"
    if roll < 0.08:
        return f"{local}.{domain}"  # the @ got lost: malformed
    if roll < 0.11:
        return f"mailto:{email}"
    if roll < 0.22:
        return email.upper() if rng.random() < 0.3 else f"{local.capitalize()}@{domain.capitalize()}"
    if roll < 0.30:
        return f" {email} " if rng.random() < 0.5 else f"{email}."
    return email


def informal_first(rng: random.Random, first: str) -> str:
    nicks = NICKNAMES.get(first)
    return rng.choice(nicks) if nicks and rng.random() < 0.6 else first


def social_person_name(rng: random.Random, first: str, middle: str, last: str) -> str:
    """The name a person shows on a social profile or a referral form."""
    roll = rng.random()
    given = informal_first(rng, first)
    if roll < 0.05:
        return f"{last}, {first}"
    if roll < 0.10:
        return f"{given} {last}".lower()
    if roll < 0.15:
        return f"{first} {middle[:1]}. {last}" if middle else f"{first} {last}"
    if roll < 0.18:
        return f"{given} {last[:1]}."
    return f"{given} {last}"


def registry_upper(name: str) -> str:
    """`Acme Plumbing, Inc.` → `ACME PLUMBING INC` (registries drop punctuation)."""
    return re.sub(r"\s+", " ", _PUNCT.sub("", name)).upper().strip()


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip: swap two neighbouring letters or drop one (never the first)."""
    positions = [i for i in range(1, len(text) - 1) if text[i].isalpha() and text[i + 1].isalpha()]
    if not positions:
        return text
    i = rng.choice(positions)
    if rng.random() < 0.5:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


def casual_business_name(rng: random.Random, base: str, canonical: str) -> str:
    """A business name as a friend or a directory writes it."""
    roll = rng.random()
    if roll < 0.40:
        return canonical
    if roll < 0.75:
        return base
    if roll < 0.83:
        return base.replace(" & ", " and ") if " & " in base else base.replace(" and ", " & ")
    if roll < 0.88:
        return typo(rng, base)
    if roll < 0.94:
        return base.lower()
    return registry_upper(canonical)


def street_line(rng: random.Random, number: int, street: str, abbr: str, full: str, suite: str | None) -> str:
    """`123 Oak St`, `123 Oak Street`, `123 OAK ST STE 4`, ..."""
    suffix = abbr if rng.random() < 0.6 else full
    line = f"{number} {street} {suffix}"
    if suite:
        line += rng.choice((f", Suite {suite}", f" Ste {suite}", f" #{suite}", f", Unit {suite}"))
    return line.upper() if rng.random() < 0.1 else line
