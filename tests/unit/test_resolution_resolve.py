"""resolve() end to end on hand-made tricky records: heavy variation merged, look-alikes kept apart, every record
once, and the same clusters whatever the row order."""

from __future__ import annotations

import pandas as pd
import pytest

from outreach.resolution import resolve

COLUMNS = ["record_id", "business_name", "contact_name", "street", "city", "state", "postal_code", "phone", "email"]
ROWS = [
    # Acme Plumbing, San Diego: registry, directory, social
    ("a1", "ACME PLUMBING INC", "SMITH JOHN ALLEN", "1200 HARBOR DR STE 5", "SAN DIEGO", "CA", "92101-1234",
     "6195550142", None),
    ("a2", "Acme Plumbing, Inc.", None, "1200 Harbor Drive, Suite 5", "San Diego", "CA", "92101", "(619) 555-0142",
     "info@acmeplumbing.com"),
    ("a3", "acme plumbing", "John Smith", None, "San Diego", None, None, "+1-619-555-0142", "JSmith77@gmail.com"),
    ("a4", None, "john smith", None, None, None, None, None, "jsmith77@GMAIL.COM "),
    # a sole owner: registered under LAST FIRST MIDDLE, trading as Dockery Plumbing
    ("b1", "DOCKERY RANDALL MARK", None, "455 W SHAW AVE", "FRESNO", "CA", "93704", "5595550100", None),
    ("b2", "Dockery Plumbing", None, "455 West Shaw Avenue", "Fresno", "CA", "93704-2231", "(559) 555 0100", None),
    ("b3", None, "Randy Dockery", None, "Fresno", None, None, "559.555.0100", "randy.dockery@yahoo.com"),
    # Washington: sort prefix, truncated principal name, phone without area code
    ("c1", "!PRO PLUMBING LLC", "NGUYEN, TH", "88 PINE ST", "SEATTLE", "WA", "98101", "2065550177", None),
    ("c2", "Pro Plumbing", None, "88 Pine Street", "Seattle", "WA", "98101", "555-0177",
     "office@proplumbingseattle.com"),
    ("c3", None, "Thanh Nguyen", None, "Seattle", "WA", None, None, "Office@ProPlumbingSeattle.com"),
    # look-alike next door: a different business
    ("d1", "Pro Plumbing & Drain", None, "1500 4th Ave", "Seattle", "WA", "98101", "(206) 555-0199",
     "info@proplumbinganddrain.com"),
    ("d2", "PRO PLUMBING & DRAIN INC", "OKAFOR, CHIDI", "1500 FOURTH AVE", "SEATTLE", "WA", "98101", "2065550199",
     None),
    # the same name in another city: a different business
    ("e1", "Pro Plumbing", None, "12 Oak St", "Portland", "OR", "97201", "(503) 555-0123", None),
    # a family: two businesses, one phone and one office
    ("f1", "GARCIA PLUMBING LLC", "GARCIA, JOSE", "700 ELM ST", "FRESNO", "CA", "93701", "5595550111", None),
    ("f2", "Garcia Plumbing", "Jose Garcia", None, "Fresno", "CA", None, "(559) 555-0111", "jose.garcia@gmail.com"),
    ("g1", "GARCIA ROOFING INC", "GARCIA, MARIA", "700 ELM ST", "FRESNO", "CA", "93701", "5595550111", None),
    ("g2", "Garcia Roofing", None, None, "Fresno", "CA", "93701", "559-555-0111", "maria@garciaroofing.com"),
    # strangers who share a free-mail provider and a city
    ("h1", "Bright Painting", "Ann Lee", None, "Austin", "TX", None, "512-555-0101", "annlee@gmail.com"),
    ("i1", "Bright Electric", "Tom Park", None, "Austin", "TX", None, "512-555-0102", "tompark@gmail.com"),
    # malformed and empty
    ("j1", None, None, None, None, None, None, "555-01", "not an email"),
    ("k1", None, None, None, None, None, None, None, None),
    ("k2", None, None, None, None, None, None, None, None),
    ("l1", None, None, None, "Austin", "TX", None, None, None),
    ("l2", None, None, None, "Austin", "TX", None, None, None),
]  # fmt: skip
EXPECTED = [
    {"a1", "a2", "a3", "a4"},
    {"b1", "b2", "b3"},
    {"c1", "c2", "c3"},
    {"d1", "d2"},
    {"e1"},
    {"f1", "f2"},
    {"g1", "g2"},
    {"h1"},
    {"i1"},
    {"j1"},
    {"k1"},
    {"k2"},
    {"l1"},
    {"l2"},
]


def _records() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS)


def _clusters(result: pd.DataFrame) -> list[set[str]]:
    groups = result.groupby("cluster_id")["record_id"].apply(set)
    return sorted(groups.tolist(), key=min)


@pytest.fixture(scope="module")
def resolved() -> pd.DataFrame:
    return resolve(_records())


def test_tricky_records_cluster_as_businesses(resolved: pd.DataFrame) -> None:
    assert _clusters(resolved) == EXPECTED


def test_every_record_once_in_input_order_with_the_smallest_id_as_cluster_id(resolved: pd.DataFrame) -> None:
    assert list(resolved.columns) == ["record_id", "cluster_id"]
    assert resolved["record_id"].tolist() == [row[0] for row in ROWS]
    assert (resolved.groupby("cluster_id")["record_id"].min() == resolved.groupby("cluster_id").size().index).all()


def test_same_input_same_output(resolved: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(resolve(_records()), resolved)


@pytest.mark.parametrize("seed", [1, 2])
def test_row_order_does_not_matter(resolved: pd.DataFrame, seed: int) -> None:
    shuffled = _records().sample(frac=1, random_state=seed)
    again = resolve(shuffled).set_index("record_id")["cluster_id"]
    assert again.to_dict() == resolved.set_index("record_id")["cluster_id"].to_dict()


@pytest.mark.parametrize(
    ("rows", "together"),
    [
        # a sole owner as registries list them, and the owner's own profile: nothing else in common but the city
        ([("s1", "DOCKERY RANDALL MARK", None, None, "FRESNO", "CA", None, None, None),
          ("s2", None, "Randall Dockery", None, "Fresno", None, None, None, None)], True),
        # Washington truncates principals' given names
        ([("w1", "!SUMMIT ROOFING", "NGUYEN, TH", None, "SPOKANE", "WA", "99201", None, None),
          ("w2", "Summit Roofing", "Thanh Nguyen", None, "Spokane", "WA", None, None, None)], True),
        # relatives on one family line
        ([("r1", None, "Jose Garcia", None, "Fresno", None, None, "5595550111", None),
          ("r2", None, "Maria Garcia", None, "Fresno", None, None, "(559) 555-0111", None)], False),
        # a common name word in one city
        ([("n1", "Pro Plumbing", None, None, "Fresno", "CA", "93702", "559-555-0123", None),
          ("n2", "Pro Painting", None, "77 Elm Ave", "Fresno", "CA", "93702", "559-555-0456", None)], False),
        # the same name in one city: one business, whatever its phones
        ([("m1", "Pro Plumbing", None, None, "Fresno", "CA", None, "559-555-0123", None),
          ("m2", "PRO PLUMBING LLC", None, "77 Elm Ave", "FRESNO", "CA", "93702", "5595550456", None)], True),
    ],
)  # fmt: skip
def test_pairs(rows: list[tuple], together: bool) -> None:
    result = resolve(pd.DataFrame(rows, columns=COLUMNS))
    assert (result["cluster_id"].nunique() == 1) is together


def test_records_are_taken_as_given_whatever_the_index_and_dtypes() -> None:
    records = _records().iloc[:3].set_index(pd.Index([10, 5, 7]))
    records["record_id"] = [3, 1, 2]  # integer ids: the cluster id is the numerically smallest
    assert resolve(records)["cluster_id"].tolist() == [1, 1, 1]


def test_degenerate_inputs() -> None:
    empty = resolve(pd.DataFrame(columns=COLUMNS))
    assert empty.empty and list(empty.columns) == ["record_id", "cluster_id"]
    only_ids = resolve(pd.DataFrame({"record_id": ["x", "y"]}))
    assert only_ids["cluster_id"].tolist() == ["x", "y"]
    with pytest.raises(ValueError, match="unique"):
        resolve(pd.DataFrame({"record_id": ["x", "x"]}))
    with pytest.raises(ValueError, match="record_id"):
        resolve(pd.DataFrame({"business_name": ["x"]}))
