"""Page tokens: opaque, signed, bound to the query and to the first page's snapshot."""

from __future__ import annotations

import pytest

from integrations.sandbox.pagination import Pager
from integrations.sandbox.problems import ProblemError

ITEMS = list(range(250))


def walk(pager: Pager, query: dict[str, str]) -> list[int]:
    seen: list[int] = []
    while True:
        page = pager.page(ITEMS, pager.open(query, "/things"))
        seen.extend(page["items"])
        if page["next_page_token"] is None:
            return seen
        query = {**query, "page_token": page["next_page_token"]}


def test_pages_cover_every_item_once() -> None:
    assert walk(Pager(b"k"), {"limit": "100"}) == ITEMS


@pytest.mark.parametrize("limit", ["0", "1001", "-1", "ten", "1.5"])
def test_limits_outside_1_to_1000_are_rejected(limit: str) -> None:
    with pytest.raises(ProblemError) as caught:
        Pager(b"k").open({"limit": limit}, "/things")
    assert caught.value.status == 400


def test_changing_a_parameter_while_paging_is_rejected() -> None:
    pager = Pager(b"k")
    token = pager.page(ITEMS, pager.open({"region": "us-ca-fresno"}, "/things"))["next_page_token"]
    with pytest.raises(ProblemError):
        pager.open({"region": "us-ca-oakland", "page_token": token}, "/things")
    assert pager.open({"region": "us-ca-fresno", "page_token": token, "limit": "5"}, "/things").offset == 100


def test_a_forged_token_is_rejected() -> None:
    pager = Pager(b"k")
    token = pager.page(ITEMS, pager.open({}, "/things"))["next_page_token"]
    with pytest.raises(ProblemError):
        Pager(b"other").open({"page_token": token}, "/things")


def test_the_first_pages_snapshot_is_kept_by_later_pages() -> None:
    pager = Pager(b"k")
    cursor = pager.open({}, "/things", lambda: {"as_of": "2026-01-01T00:00:00Z"})
    token = pager.page(ITEMS, cursor)["next_page_token"]
    later = pager.open({"page_token": token}, "/things", lambda: {"as_of": "2030-01-01T00:00:00Z"})
    assert later.context == {"as_of": "2026-01-01T00:00:00Z"}


def test_filtered_pages_skip_items_that_drop_out_without_shifting() -> None:
    pager = Pager(b"k")
    first = pager.page_filtered(ITEMS, lambda i: True, pager.open({"limit": "10"}, "/things"))
    gone = {12, 13}
    second = pager.page_filtered(ITEMS, lambda i: i not in gone,
                                 pager.open({"limit": "10", "page_token": first["next_page_token"]}, "/things"))
    assert first["items"] == list(range(10))
    assert second["items"] == [10, 11, 14, 15, 16, 17, 18, 19, 20, 21]
