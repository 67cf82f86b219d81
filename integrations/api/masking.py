"""Masked contact fields for callers without `outreach.pii`, in the contract's shapes: `j***@example.com` (first
character of the local part kept) and `+1******1234` (first and last four digits kept).

A value that cannot be masked into that shape without showing most of it (a phone of fewer than six digits, an
address without a usable local part) is answered as null rather than half-revealed.
"""

from __future__ import annotations

import re

_MASKED_EMAIL = re.compile(r"^[^@\s]\*{3}@[^@\s]+$")


def mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    local, _, domain = email.rpartition("@")
    masked = f"{local[:1]}***@{domain}"
    return masked if local and _MASKED_EMAIL.match(masked) else None


def mask_phone(phone: str | None) -> str | None:
    if not phone or not phone.startswith("+"):
        return None
    digits = phone[1:]
    if not (digits.isascii() and digits.isdigit()) or len(digits) < 6:
        return None
    return f"+{digits[0]}{'*' * (len(digits) - 5)}{digits[-4:]}"
