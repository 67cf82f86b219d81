"""Prospect ids survive re-runs, new records, merges and splits, and new ids are reproducible."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from outreach.resolution import PriorMapping, assign_prospect_ids
from outreach.resolution.identity import PROSPECT_NAMESPACE, Merge, Split

DAY1 = datetime(2025, 3, 1, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)
DAY3 = DAY1 + timedelta(days=2)


def _new_id(key: str) -> str:
    return str(uuid.uuid5(PROSPECT_NAMESPACE, key))


def test_first_run_ids_are_uuid5_of_the_smallest_key_and_reproducible() -> None:
    clusters = {"wa:9": "c1", "ca:1": "c1", "social:7": "c2"}
    first = assign_prospect_ids(clusters, {}, DAY1)
    assert first.prospect_of_cluster == {"c1": _new_id("ca:1"), "c2": _new_id("social:7")}
    assert first.mapping["wa:9"] == PriorMapping(_new_id("ca:1"), DAY1)
    assert (first.merges, first.splits) == ((), ())
    assert assign_prospect_ids(clusters, {}, DAY1) == first
    # cluster ids are the resolver's business, not identity's: renaming them changes nothing
    renamed = assign_prospect_ids({"wa:9": 5, "ca:1": 5, "social:7": 6}, {}, DAY1)
    assert renamed.mapping == first.mapping


def test_rerun_keeps_every_id() -> None:
    clusters = {"a": "x", "b": "x", "c": "y"}
    first = assign_prospect_ids(clusters, {}, DAY1)
    second = assign_prospect_ids({"a": "p", "b": "p", "c": "q"}, first.mapping, DAY2)
    assert second.mapping == first.mapping  # same ids, same first-mapped times
    assert (second.merges, second.splits) == ((), ())


def test_a_new_record_joining_an_old_cluster_takes_its_id() -> None:
    first = assign_prospect_ids({"a": "x", "b": "x"}, {}, DAY1)
    second = assign_prospect_ids({"a": "x", "b": "x", "0-new": "x"}, first.mapping, DAY2)
    old_id = first.mapping["a"].prospect_id
    assert second.mapping["0-new"] == PriorMapping(old_id, DAY2)  # despite "0-new" being the smallest key
    assert second.mapping["a"] == PriorMapping(old_id, DAY1)


def test_a_merge_keeps_the_id_of_the_earliest_mapped_record_and_reports_the_absorbed_one() -> None:
    day1 = assign_prospect_ids({"z-early": "x"}, {}, DAY1)
    day2 = assign_prospect_ids({"z-early": "x", "a-late": "y"}, day1.mapping, DAY2)
    early_id, late_id = day1.mapping["z-early"].prospect_id, day2.mapping["a-late"].prospect_id
    assert early_id != late_id

    day3 = assign_prospect_ids({"z-early": "m", "a-late": "m"}, day2.mapping, DAY3)
    assert {mapping.prospect_id for mapping in day3.mapping.values()} == {early_id}
    assert day3.merges == (Merge(early_id, (late_id,)),)
    assert day3.mapping["a-late"].mapped_at == DAY2


def test_a_split_leaves_the_id_with_the_part_holding_the_earliest_record() -> None:
    previous = {
        "a": PriorMapping("P", DAY2),
        "b": PriorMapping("P", DAY1),  # mapped first
        "c": PriorMapping("P", DAY2),
    }
    result = assign_prospect_ids({"a": 1, "c": 1, "b": 2}, previous, DAY3)
    assert result.prospect_of_cluster[2] == "P"
    fresh = result.prospect_of_cluster[1]
    assert fresh == _new_id("a")
    assert result.splits == (Split("P", tuple(sorted(("P", fresh)))),)
    assert result.merges == ()


def test_a_part_split_off_takes_the_next_free_old_id() -> None:
    previous = {"a": PriorMapping("P", DAY1), "b": PriorMapping("P", DAY2), "c": PriorMapping("Q", DAY2)}
    # "a" keeps P; the other cluster holds P's "b" too, but P is taken: it keeps Q, its next-earliest record's id
    result = assign_prospect_ids({"a": 1, "b": 2, "c": 2}, previous, DAY3)
    assert result.prospect_of_cluster == {1: "P", 2: "Q"}
    assert result.merges == ()


def test_new_ids_never_reuse_an_id_ever_given() -> None:
    taken = _new_id("k")  # an old prospect that happens to own the uuid5 of "k"
    previous = {"old": PriorMapping(taken, DAY1)}
    result = assign_prospect_ids({"old": 1, "k": 2}, previous, DAY2)
    assert result.prospect_of_cluster[1] == taken
    assert result.prospect_of_cluster[2] == str(uuid.uuid5(PROSPECT_NAMESPACE, "k#1"))


def test_result_does_not_depend_on_input_order() -> None:
    previous = {"a": PriorMapping("P", DAY1), "b": PriorMapping("Q", DAY1), "c": PriorMapping("P", DAY1)}
    clusters = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3}
    forward = assign_prospect_ids(clusters, previous, DAY2)
    backward = assign_prospect_ids(dict(reversed(clusters.items())), dict(reversed(previous.items())), DAY2)
    assert forward == backward
