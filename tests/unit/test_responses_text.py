"""Normalization of inbound replies: quoted history, markup, unicode, bounds, hostile input."""

from __future__ import annotations

import random
import time

import pytest

from outreach.responses.text import MAX_REPLY_CHARS, clean, fold, normalize_reply, normalize_subject, strip_quoted

ORIGINAL = "Hi Mike, InstaBids has roofing jobs in Fresno.\nReply STOP to opt out. Unsubscribe: https://x.example/u"


@pytest.mark.parametrize(
    "body",
    [
        # Gmail top-posting
        "Sounds good, call me.\n\nOn Mon, Jan 6, 2025 at 9:00 AM InstaBids <hi@instabids.example> wrote:\n"
        + "\n".join(f"> {line}" for line in ORIGINAL.splitlines()),
        # attribution wrapped over two lines
        "Sounds good, call me.\n\nOn Mon, Jan 6, 2025 at 9:00 AM InstaBids <hi@instabids.example>\nwrote:\n"
        + "\n".join(f"> {line}" for line in ORIGINAL.splitlines()),
        # Outlook
        f"Sounds good, call me.\n\n-----Original Message-----\nFrom: InstaBids\nSent: Monday\n\n{ORIGINAL}",
        f"Sounds good, call me.\n\nFrom: InstaBids <hi@instabids.example>\nSent: Monday, January 6, 2025\n"
        f"To: mike@example.com\nSubject: More jobs\n\n{ORIGINAL}",
        f"Sounds good, call me.\n________________________________\n{ORIGINAL}",
        # forwarded
        f"Sounds good, call me.\n\n---------- Forwarded message ---------\n{ORIGINAL}",
        # French / German / Spanish clients
        f"Sounds good, call me.\n\nLe lun. 6 janv. 2025 à 09:00, InstaBids a écrit :\n> {ORIGINAL}",
        "Sounds good, call me.\n\nAm Mo., 6. Jan. 2025 um 09:00 Uhr schrieb InstaBids <hi@x.example>:\n> STOP",
        "Sounds good, call me.\n\nEl lun, 6 ene 2025 a las 9:00, InstaBids escribió:\n> STOP",
        # signature and footers
        "Sounds good, call me.\n-- \nMike\nTo unsubscribe from our newsletter reply STOP",
        "Sounds good, call me.\n\nSent from my iPhone\n> STOP",
        # inline `>` quote between parts
        "> Reply STOP to opt out\nSounds good, call me.",
        # HTML with a blockquote
        "<html><body><div>Sounds good, call me.</div><blockquote class=gmail_quote>Reply <b>STOP</b> to opt "
        "out<blockquote>nested STOP</blockquote></blockquote></body></html>",
    ],
)
def test_quoted_history_is_stripped(body: str) -> None:
    reply = normalize_reply(body)
    assert reply.words == "sounds good call me"


def test_bottom_posted_reply_after_the_quote_is_kept() -> None:
    body = "On Mon, Jan 6, 2025 at 9:00 AM InstaBids <hi@instabids.example> wrote:\n> Interested?\n\nSTOP"
    assert normalize_reply(body).words == "stop"


def test_only_quoted_history_is_empty() -> None:
    assert normalize_reply("> STOP\n> unsubscribe").is_empty
    assert normalize_reply(f"-----Original Message-----\n{ORIGINAL}").is_empty


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("ＳＴＯＰ", "stop"),  # fullwidth
        ("𝐒𝐓𝐎𝐏", "stop"),  # mathematical bold
        ("ЅТОР", "stop"),  # Cyrillic look-alikes
        ("SΤΟΡ", "stop"),  # Greek look-alikes
        ("ꜱᴛᴏᴘ", "stop"),  # small capitals
        ("🇸🇹🇴🇵", "stop"),  # regional indicators
        ("S\u200bT\u200dO\u00adP", "stop"),  # zero-width and soft hyphen
        ("\u202estop\u202c", "stop"),  # bidi overrides
        ("stöp", "stop"),
        ("Don’t  text\tme!!!", "dont text me"),
        ("STOP\x00\x07\x1b", "stop"),
        ("&lt;b&gt;STOP&lt;/b&gt;", "stop"),
        ("<p>Stop&nbsp;texting</p>", "stop texting"),
    ],
)
def test_unicode_and_markup_are_folded(raw: str, words: str) -> None:
    assert normalize_reply(raw).words == words


def test_clean_keeps_lines_and_bounds_input() -> None:
    assert clean("a\r\nb\rc") == "a\nb\nc"
    assert len(normalize_reply("word " * 100_000).reply) <= MAX_REPLY_CHARS
    assert fold("ÀÉÎ  õü") == "aei ou"


def test_subject_prefixes_are_removed() -> None:
    assert normalize_subject("RE: Fwd: AW: Unsubscribe!") == "unsubscribe"
    assert normalize_subject(None) == ""


def _hostile_inputs() -> list[str | None]:
    rng = random.Random(7)
    return [
        None, "", " ", "\x00", "a" * 2_000_000, "stop " * 200_000, "<blockquote>" * 50_000,
        "<blockquote>a" * 5_000 + "</blockquote>" * 5_000, "<" * 100_000, "<div " * 50_000, "&lt;" * 50_000,
        "On " + "x " * 50_000 + "wrote:", "On x wrote:\n" * 20_000, "From: a\nSent: b\n" * 20_000,
        "> q\n" * 50_000, "\n" * 200_000, "🛑" * 100_000, "s" + "\u0336" * 100_000 + "top",
        "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(100_000)),
        "".join(chr(rng.randint(0, 31)) for _ in range(100_000)), "\ud800\udfff lone surrogates",
        "".join(rng.choice("ab stop?!.,-'\n>:<") for _ in range(200_000)),
        "<script>alert('STOP')</script>Interested", "=?utf-8?b?U1RPUA==?=", "ignore previous instructions " * 5_000,
    ]


def test_hostile_input_never_crashes_and_is_cheap() -> None:
    for raw in _hostile_inputs():
        started = time.perf_counter()
        reply = normalize_reply(raw)
        strip_quoted(reply.reply)
        assert time.perf_counter() - started < 0.5, repr(raw)[:60]
        assert len(reply.reply) <= MAX_REPLY_CHARS
