"""Normalization of inbound replies: what the prospect wrote, without what they quoted, in a form rules can match.

`body_text` of a MessageReceivedEvent is the raw body: quoted history is not stripped, email may be HTML, and
anyone can send anything (megabytes, control characters, look-alike letters). Every function here is total and
linear in its (bounded) input:

1. **bound** — only the first `MAX_INPUT_CHARS` characters are looked at (a reply comes before the history it
   quotes), and the reply itself is cut to `MAX_REPLY_CHARS`;
2. **clean** — HTML to text (quoted `<blockquote>`s dropped), control and invisible format characters removed
   (zero-width spaces, soft hyphens, bidi marks), line endings unified, Unicode NFKC (fullwidth and mathematical
   letters → ASCII);
3. **strip quoted history** — lines starting with `>`, and everything from the first history marker on ("On ...
   wrote:" and its French/German/Spanish forms, "-----Original Message-----", "Begin forwarded message:", an
   Outlook `From:`/`Sent:` header block, a `____` separator), the signature after a `-- ` line, "Sent from my
   iPhone" footers and confidentiality disclaimers. When the marker comes first (bottom-posting), the unquoted
   lines after it are the reply;
4. **fold** — case-folded, accents dropped, confusable letters (Cyrillic/Greek look-alikes, small capitals,
   regional-indicator emoji) mapped to ASCII, curly quotes straightened, whitespace collapsed;
5. **words** — the folded text as space-separated alphanumeric tokens, apostrophes dropped inside words
   (`don't` → `dont`), every other punctuation and emoji a separator.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

MAX_INPUT_CHARS: Final = 20_000
MAX_REPLY_CHARS: Final = 4_000

_LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*(?:html|body|div|p|br|span|table|td|tr|blockquote|font|a|b|i|strong)\b", re.I)
_HTML_DROP = re.compile(r"<(script|style|head|title)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HTML_INNER_QUOTE = re.compile(r"<blockquote\b[^>]*>(?:(?!<blockquote\b).)*?</blockquote\s*>", re.I | re.S)
_HTML_BREAK = re.compile(r"<\s*(?:br|/p|/div|/li|/tr|/h\d|p|div|li|tr|h\d)\b[^>]*>", re.I)
_ENTITY = re.compile(r"&(?:[a-z]{2,8}|#\d{1,7}|#x[0-9a-f]{1,6});", re.I)
_HTML_TAG = re.compile(r"<[^<>]{0,2000}>")

_CONFUSABLES: Final[dict[int, str]] = str.maketrans({
    # Cyrillic (after case folding)
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ɡ": "g", "һ": "h", "ԛ": "q", "ԝ": "w",
    "ո": "n", "ս": "u", "ӏ": "l",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "ϲ": "c", "ς": "s",
    # Latin small capitals and other look-alikes NFKC leaves alone
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k",
    "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ꞯ": "q", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v",
    "ᴡ": "w", "ʏ": "y", "ᴢ": "z", "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe",
    # quotes and dashes
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
})
# 🇦..🇿 (regional indicators) spell letters: "🇸🇹🇴🇵".
_CONFUSABLES.update({0x1F1E6 + i: chr(ord("a") + i) for i in range(26)})

_QUOTE_LINE = re.compile(r"^\s*(?:>|&gt;)")
_ATTRIBUTION_ONE_LINE = re.compile(
    r"^\s*(?:on\b.{0,300}\b(?:wrote|writes)\s*:?|le\b.{0,300}\ba\s+[ée]crit\s*:|am\b.{0,300}\bschrieb\b.{0,60}:|"
    r"el\b.{0,300}\bescribi[óo]\s*:|.{0,200}\b(?:wrote|writes)\s*:)\s*$",
    re.I,
)
_ATTRIBUTION_START = re.compile(r"^\s*(?:on|le|am|el)\s+\S", re.I)
_ATTRIBUTION_END = re.compile(r"(?:wrote|writes|a\s+[ée]crit|schrieb|escribi[óo])\s*:\s*$", re.I)
_HISTORY_MARKER = re.compile(
    r"^\s*(?:-{2,}\s*(?:original|forwarded)\s+message\s*-{2,}|-{5,}\s*original\b.*|_{8,}\s*|"
    r"begin\s+forwarded\s+message\s*:?|-{2,}\s*reply\s+above\s+this\s+line\s*-{2,}|"
    r"#{2,}\s*(?:please\s+)?(?:type\s+your\s+)?reply\s+above\s+this\s+line.*)\s*$",
    re.I,
)
_HEADER_FROM = re.compile(r"^\s*\**\s*(?:from|de|von)\s*:\**\s*\S", re.I)
_HEADER_NEXT = re.compile(r"^\s*\**\s*(?:sent|date|to|subject|cc|envoy[ée]|gesendet|enviado|an|betreff)\s*:", re.I)
_SIGNATURE = re.compile(r"^(?:--|-- |__)\s*$")
_FOOTER = re.compile(
    r"^\s*(?:sent\s+(?:from|via|with)\s+(?:my\s+)?(?:iphone|ipad|android|samsung|galaxy|mobile|phone|"
    r"blackberry|outlook|yahoo\s+mail|aol)|get\s+outlook\s+for\s+(?:ios|android)|"
    r"confidentiality\s+notice|disclaimer\s*:|this\s+(?:e-?mail|message)\s+(?:and\s+any\s+(?:files|attachments)|"
    r"is\s+confidential|may\s+contain\s+confidential))",
    re.I,
)

_INVISIBLE_CATEGORIES: Final = frozenset({"Cf", "Co", "Cs", "Cn"})
_WS_IN_LINE = re.compile(r"[^\S\n]+")
_MANY_BLANK = re.compile(r"\n\s*\n+")
_WORD_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_CLAUSE_SPLIT = re.compile(r"[.!?;,\n¡¿:()\[\]{}\"]+|(?:^|\s)-+(?:\s|$)|\s/+\s")
_SENTENCE_SPLIT = re.compile(r"[.!?;\n¡¿]+")


def bound(text: str | None, limit: int = MAX_INPUT_CHARS) -> str:
    """`text` cut to `limit` characters; None → ''."""
    if not text:
        return ""
    return text if len(text) <= limit else text[:limit]


def html_to_text(text: str) -> str:
    """Plain text of an HTML body (quoted `<blockquote>`s dropped); other text unchanged."""
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)  # entities, also escaped markup (`&lt;b&gt;STOP&lt;/b&gt;`)
    if "<" not in text or not _LOOKS_LIKE_HTML.search(text):
        return text
    text = _HTML_COMMENT.sub(" ", text)
    text = _HTML_DROP.sub(" ", text)
    for _ in range(20):  # innermost first; bounded for pathological nesting
        stripped = _HTML_INNER_QUOTE.sub("\n", text)
        if stripped == text:
            break
        text = stripped
    text = re.sub(r"<blockquote\b.*", "\n", text, flags=re.I | re.S)  # an unclosed one: the rest is quoted
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_TAG.sub(" ", text)
    return html.unescape(text) if "&" in text else text


def clean(text: str | None) -> str:
    """Bounded, HTML-free, NFKC text without control or invisible characters; lines kept, spaces collapsed."""
    text = html_to_text(bound(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = unicodedata.normalize("NFKC", text)
    out = []
    for ch in text:
        if ch == "\n" or ch == "\t":
            out.append(" " if ch == "\t" else ch)
            continue
        category = unicodedata.category(ch)
        if category == "Cc" or category == "Zl" or category == "Zp":
            out.append(" ")
        elif category in _INVISIBLE_CATEGORIES:
            continue  # zero-width, bidi marks, soft hyphen, private use: dropped, they split no word
        else:
            out.append(ch)
    lines = [_WS_IN_LINE.sub(" ", line).strip() for line in "".join(out).split("\n")]
    return "\n".join(lines).strip()


def _is_attribution(lines: list[str], i: int) -> int:
    """How many lines the reply attribution ("On <date>, <name> wrote:") starting at `i` spans; 0 if none."""
    line = lines[i]
    if _ATTRIBUTION_ONE_LINE.match(line) and len(line) <= 400:
        return 1
    if _ATTRIBUTION_START.match(line) and len(line) <= 300:
        for span in (2, 3):
            if i + span - 1 < len(lines) and _ATTRIBUTION_END.search(lines[i + span - 1]):
                return span
    return 0


def strip_quoted(text: str, _depth: int = 0) -> str:
    """The reply without quoted history, forwarded originals, signature and mail-client footers."""
    lines = text.split("\n")
    kept = lines
    for i, line in enumerate(lines):
        if _SIGNATURE.match(line) or _FOOTER.match(line):
            kept = lines[:i]
            break
        attribution = 0
        if not (_HISTORY_MARKER.match(line) or (
                _HEADER_FROM.match(line) and any(_HEADER_NEXT.match(nxt) for nxt in lines[i + 1:i + 5]))):
            attribution = _is_attribution(lines, i)
            if not attribution:
                continue
        if any(x.strip() and not _QUOTE_LINE.match(x) for x in lines[:i]):
            kept = lines[:i]
        elif attribution and _depth < 3:
            # bottom-posting: the attribution and its `>` quote come first, the answer after the quote
            rest = "\n".join(x for x in lines[i + attribution:] if not _QUOTE_LINE.match(x))
            kept = strip_quoted(rest, _depth + 1).split("\n")
        else:
            kept = []  # a forwarded/original message with nothing written above it
        break
    reply = "\n".join(x for x in kept if not _QUOTE_LINE.match(x))
    return _MANY_BLANK.sub("\n\n", reply).strip()


def fold(text: str) -> str:
    """Case-folded, accent-free, confusable-free text with straight quotes; lines kept, spaces collapsed."""
    text = text.casefold().translate(_CONFUSABLES)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.translate(_CONFUSABLES)
    return "\n".join(_WS_IN_LINE.sub(" ", line).strip() for line in text.split("\n")).strip()


def words(folded: str) -> str:
    """Folded text → space-separated alphanumeric tokens (`don't stop!!` → `dont stop`)."""
    return _NON_WORD.sub(" ", _WORD_APOSTROPHE.sub("", folded)).strip()


def clauses(folded: str) -> tuple[str, ...]:
    """The words-form of each clause: split at sentence punctuation, commas, colons, dashes and line breaks."""
    return tuple(c for c in (words(part) for part in _CLAUSE_SPLIT.split(folded)) if c)


def sentences(folded: str) -> tuple[str, ...]:
    """The words-form of each sentence (split at . ! ? ; and line breaks, not at commas)."""
    return tuple(s for s in (words(part) for part in _SENTENCE_SPLIT.split(folded)) if s)


@dataclass(frozen=True)
class NormalizedReply:
    """A reply in the forms the analysers use. `reply` keeps case and punctuation (for the LLM)."""

    reply: str
    folded: str
    words: str
    clauses: tuple[str, ...]
    sentences: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.words


def normalize_reply(text: str | None) -> NormalizedReply:
    """Clean, strip quoted history, bound and fold an inbound body."""
    reply = bound(strip_quoted(clean(text)), MAX_REPLY_CHARS)
    folded = fold(reply)
    return NormalizedReply(reply=reply, folded=folded, words=words(folded), clauses=clauses(folded),
                           sentences=sentences(folded))


def normalize_subject(subject: str | None) -> str:
    """Words-form of an email subject without its `Re:`/`Fwd:` prefixes."""
    folded = fold(clean(bound(subject, 1_000)).replace("\n", " "))
    folded = re.sub(r"^(?:\s*(?:re|fw|fwd|aw|wg|tr|sv|vs)\s*(?:\[\d+\])?\s*:\s*)+", "", folded)
    return words(folded)
