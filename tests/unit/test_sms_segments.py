"""SMS encoding and segment counting: GSM-7 (basic + extension table) or UCS-2."""

import pytest

from outreach.templates.sms import GSM7_BASIC, GSM7_EXTENSION, encoding, measure, segment_count, to_gsm


def test_the_gsm7_tables_have_their_published_sizes() -> None:
    assert len(GSM7_BASIC) == 127  # 128 codes minus the escape to the extension table
    assert set("\f^{}\\[~]|€") == GSM7_EXTENSION
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, reply STOP to opt out.", "GSM-7"),
        ("Prices in € and {braces} stay GSM-7", "GSM-7"),
        ("Ünïcode? ñ and é are in the basic table: Ü ñ é", "UCS-2"),  # ï is not
        ("Ñoño café à Zürich", "GSM-7"),
        ("Ñandú", "UCS-2"),  # ù is in the basic table, ú is not
        ("Smart quotes ’ make it UCS-2", "UCS-2"),
        ("An emoji 👍", "UCS-2"),
        ("", "GSM-7"),
    ],
)
def test_encoding(text: str, expected: str) -> None:
    assert encoding(text) == expected


@pytest.mark.parametrize(
    ("text", "units", "segments"),
    [
        ("", 0, 1),
        ("a" * 160, 160, 1),
        ("a" * 161, 161, 2),
        ("a" * 306, 306, 2),
        ("a" * 307, 307, 3),
        ("€" * 80, 160, 1),  # extension characters count two septets
        ("€" * 81, 162, 2),
        ("a" * 159 + "€", 161, 2),
        ("a" * 152 + "€" + "a" * 152, 306, 3),  # ...and are never split: the escape pair moves to the next segment
        ("ï" * 70, 70, 1),
        ("ï" * 71, 71, 2),
        ("ï" * 134, 134, 2),
        ("ï" * 135, 135, 3),
        ("👍" * 35, 70, 1),  # outside the BMP: two UTF-16 units
        ("👍" * 36, 72, 2),
        ("ï" * 66 + "👍", 68, 1),
        ("ï" * 66 + "👍" + "ï" * 66, 134, 3),  # a surrogate pair is never split either
    ],
)
def test_units_and_segments(text: str, units: int, segments: int) -> None:
    length = measure(text)
    assert (length.units, length.segments) == (units, segments)
    assert segment_count(text) == segments
    assert length.characters == len(text)


def test_one_ucs2_character_makes_the_whole_message_ucs2() -> None:
    assert measure("a" * 100).segments == 1
    assert measure("a" * 100 + "’").segments == 2


def test_typographic_punctuation_is_replaced_by_gsm7_look_alikes() -> None:
    text = "It’s “quick” – really… • done\u00a0now"
    assert encoding(text) == "UCS-2"
    assert to_gsm(text) == 'It\'s "quick" - really... - done now'
    assert encoding(to_gsm(text)) == "GSM-7"
