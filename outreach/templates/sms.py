"""SMS length in segments: GSM-7 (3GPP TS 23.038 basic table + extension table) or UCS-2.

A text made only of GSM-7 characters is sent in GSM-7: 160 septets in one message, 153 per segment when
concatenated (the user-data header takes 7), and an extension-table character (`^{}\\[~]|€` and form feed) costs
two septets (escape + code), never split across segments. Anything else makes the whole message UCS-2: 70 UTF-16
code units in one message, 67 per segment, and a character outside the BMP (an emoji) takes two units, never split.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The basic character set, in code order (0x1B, the escape to the extension table, is left out: it is not text).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"  # 0x00-0x1F (0x1B omitted)
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_GSM7 = 160
MULTI_GSM7 = 153
SINGLE_UCS2 = 70
MULTI_UCS2 = 67

Encoding = Literal["GSM-7", "UCS-2"]

# Typographic characters a writer (or a model) uses where a GSM-7 one reads the same; replacing them keeps a text
# in GSM-7, which more than doubles what fits in a segment.
_TO_GSM = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "′": "'",
        "“": '"', "”": '"', "„": '"', "″": '"',
        "–": "-", "—": "-", "‑": "-", "−": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ",
        "…": "...", "•": "-", "·": "-",
    }
)  # fmt: skip


@dataclass(frozen=True)
class SmsLength:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    characters: int


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def encoding(text: str) -> Encoding:
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def to_gsm(text: str) -> str:
    """Replace typographic punctuation with its GSM-7 look-alike (curly quotes, dashes, ellipsis, odd spaces)."""
    return text.translate(_TO_GSM)


def _unit_sizes(text: str, enc: Encoding) -> list[int]:
    if enc == "GSM-7":
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def measure(text: str) -> SmsLength:
    """Encoding, units and segments of one SMS body (an empty text is one empty segment: 0 units, 1 segment)."""
    enc = encoding(text)
    sizes = _unit_sizes(text, enc)
    units = sum(sizes)
    single, multi = (SINGLE_GSM7, MULTI_GSM7) if enc == "GSM-7" else (SINGLE_UCS2, MULTI_UCS2)
    if units <= single:
        return SmsLength(enc, units, 1, len(text))
    segments, used = 1, 0
    for size in sizes:  # a two-unit character never straddles two segments
        if used + size > multi:
            segments += 1
            used = 0
        used += size
    return SmsLength(enc, units, segments, len(text))


def segment_count(text: str) -> int:
    return measure(text).segments
