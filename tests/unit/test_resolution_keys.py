"""Matching keys: each spelling a source uses for one value reduces to one key, and unusable values to null."""

from __future__ import annotations

import pandas as pd
import pytest

from outreach.resolution.keys import (
    KEY_COLUMNS,
    business_domain,
    business_name_key,
    city_key,
    email_handle,
    email_key,
    looks_like_person,
    match_keys,
    name_slug,
    person_key,
    phone_keys,
    state_key,
    street_keys,
    zip5,
)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("ACME PLUMBING INC", "acme plumbing"),
        ("Acme Plumbing, Inc.", "acme plumbing"),
        ("!ACME PLUMBING", "acme plumbing"),
        ("#ACME PLUMBING LLC", "acme plumbing"),
        ("Acme Plumbing L.L.C.", "acme plumbing"),
        ("Acme Plumbing Co", "acme plumbing"),
        ("ACME PLUMBING CORP", "acme plumbing"),
        ("Acme Plumbing Ltd.", "acme plumbing"),
        ("Acme Plumbing & Co.", "acme plumbing"),
        ("The Acme Plumbing Company", "acme plumbing"),
        ("Smith & Sons Roofing", "smith and sons roofing"),
        ("SMITH AND SONS ROOFING", "smith and sons roofing"),
        ("BOB SMITH", "robert smith"),  # nicknames fold: a sole owner's name is their business's name
        ("A.B.C. Painting", "abc painting"),
        ("A-1 Masonry", "a1 masonry"),
        ("A1 MASONRY", "a1 masonry"),
        ("JOHN SMITH DBA Smith Plumbing Co", "smith plumbing"),
        ("John Smith d/b/a Smith Plumbing", "smith plumbing"),
        ("Muñoz Tile & Stone", "munoz tile and stone"),
        ("INC", None),
        ("", None),
        (None, None),
    ],
)
def test_business_name_key(raw: str | None, key: str | None) -> None:
    assert business_name_key(raw) == key


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("DOCKERY RANDALL MARK", "dockery mark randall"),
        ("Randall Dockery", "dockery randall"),
        ("Dockery, Randall M.", "dockery m randall"),  # an initial stays: it must fit "mark"
        ("Chris W.", "christopher w"),
        ("randy dockery", "dockery randall"),
        ("SMITH, JO", "jo smith"),
        ("Mr. John Smith Jr.", "john smith"),
        ("Bob Smith", "robert smith"),
        ("", None),
        ("J.", None),
    ],
)
def test_person_key_is_an_order_free_word_set(raw: str, key: str | None) -> None:
    assert person_key(raw) == key


@pytest.mark.parametrize(
    ("raw", "keys"),
    [
        ("(559) 555 0100", ("5595550100", "5550100")),
        ("9255034838", ("9255034838", "5034838")),
        ("+1-619-555-0142", ("6195550142", "5550142")),
        ("619.555.0142", ("6195550142", "5550142")),
        ("1 (619) 555-0142", ("6195550142", "5550142")),
        ("619-555-0142 ext. 12", ("6195550142", "5550142")),
        ("619 555 0142 x204", ("6195550142", "5550142")),
        ("619 555 0142 (cell)", ("6195550142", "5550142")),
        ("555-0142", (None, "5550142")),  # no area code: only the local number is usable
        ("619-555-014", (None, None)),  # a digit short
        ("123-456-7890", (None, None)),  # impossible in the NANP
        ("0000000000", (None, None)),
        ("+44 20 7946 0958", (None, None)),  # not a North American number
        ("call me", (None, None)),
        ("", (None, None)),
    ],
)
def test_phone_keys(raw: str, keys: tuple[str | None, str | None]) -> None:
    assert phone_keys(raw) == keys


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("John.Smith@Gmail.COM", "john.smith@gmail.com"),
        ("  bob@acme-plumbing.com ", "bob@acme-plumbing.com"),
        ("mailto:bob@acmeplumbing.com", "bob@acmeplumbing.com"),
        ("bob@acmeplumbing.com.", "bob@acmeplumbing.com"),
        ("bob at acmeplumbing dot com", "bob@acmeplumbing.com"),
        ("bob.acmeplumbing.com", None),
        ("bob@localhost", None),
        ("", None),
    ],
)
def test_email_key(raw: str, key: str | None) -> None:
    assert email_key(raw) == key


@pytest.mark.parametrize(
    ("email", "domain", "handle"),
    [
        ("info@acmeplumbing.com", "acmeplumbing.com", "acmeplumbing"),
        ("joe@mail.hill-heating.com", "mail.hill-heating.com", "hillheating"),
        ("john.smith@gmail.com", None, "johnsmith"),
        ("jsmith77@gmail.com", None, None),  # too short to read as a business name
        ("greenleafwindows@att.net", None, "greenleafwindows"),
        ("someone@gmial.com", None, None),  # a typo of a free-mail provider is free mail too
    ],
)
def test_business_domain_and_handle(email: str, domain: str | None, handle: str | None) -> None:
    assert business_domain(email) == domain
    assert email_handle(email) == handle


def test_name_slug_spells_a_name_as_a_domain_does() -> None:
    assert name_slug("hill heating and air") == "hillheatingair"
    assert name_slug(None) is None


@pytest.mark.parametrize(
    ("raw", "keys"),
    [
        ("123 Oak Street, Suite 4", ("123", "oak st")),
        ("123 OAK ST STE 4", ("123", "oak st")),
        ("123 Oak St #4", ("123", "oak st")),
        ("123 Oak St., Unit 4B", ("123", "oak st")),
        ("455 West Shaw Avenue", ("455", "w shaw ave")),
        ("455 W SHAW AVE", ("455", "w shaw ave")),
        ("4501 North First Boulevard", ("4501", "n 1st blvd")),
        ("P.O. Box 55", ("55", "po box")),
        ("Oak Street", (None, "oak st")),
        ("", (None, None)),
    ],
)
def test_street_keys(raw: str, keys: tuple[str | None, str | None]) -> None:
    assert street_keys(raw) == keys


@pytest.mark.parametrize(
    ("raw", "key"),
    [("92101", "92101"), ("92101-1234", "92101"), ("921011234", "92101"), ("2134", "02134"), ("9210", "09210"),
     ("00000", None), ("ABCDE", None), ("", None)],
)  # fmt: skip
def test_zip5(raw: str, key: str | None) -> None:
    assert zip5(raw) == key


def test_city_and_state() -> None:
    assert city_key("St. Louis") == city_key("SAINT LOUIS") == "saint louis"
    assert state_key("wa") == state_key("Washington") == "WA"
    assert state_key("Atlantis") is None


@pytest.mark.parametrize(
    ("name", "person"),
    [
        ("dockery randall mark", True),
        ("smith john", True),
        ("garcia plumbing", False),
        ("johnson taylor construction", False),
        ("pro plumbing", False),
        ("plumbing", False),
    ],
)
def test_looks_like_person(name: str, person: bool) -> None:
    assert looks_like_person(name) is person


def test_match_keys_reads_any_frame_and_fills_the_owner_of_a_sole_proprietorship() -> None:
    records = pd.DataFrame(
        {
            "record_id": [1, 2, 3],
            "business_name": ["DOCKERY RANDALL MARK", "Dockery Plumbing", None],
            "contact_name": [None, "Randall Dockery", float("nan")],
            "phone": [5595550100, "(559) 555 0100", "  "],
            "postal_code": [93704.0, "93704-2231", None],  # numbers, as a spreadsheet export gives them
        }
    )  # no street, city, ... columns at all: they count as empty
    keys = match_keys(records)
    assert list(keys.columns) == list(KEY_COLUMNS)
    assert keys["person"].tolist() == ["dockery mark randall", "dockery randall", None]
    assert keys["phone"].tolist() == ["5595550100", "5595550100", None]
    assert keys["zip5"].tolist() == ["93704", "93704", None]
    assert keys.iloc[2].isna().all()
