"""Stable prospect ids: this run's clusters named with the ids earlier runs gave their records.

Cluster ids from `resolve()` are only stable for identical input; a prospect id must survive a new source, a
new day, a merge and a split, because outreach history hangs off it. The rules, applied in a fixed order so the
result is a pure function of the inputs:

1. A cluster holding previously mapped records keeps the prospect id of its earliest-mapped record (ties:
   smallest record key). Clusters are served in the order of their earliest-mapped record, so when an old
   prospect split, the part holding its earliest record keeps the id.
2. When that id was already taken by an earlier-served cluster (a split), the cluster tries the id of its next
   earliest-mapped record that is still free; failing that it is new.
3. A new cluster gets `uuid5(PROSPECT_NAMESPACE, smallest record key)`, salted (`key#1`, `key#2`, ...) if that
   id was ever used, so ids are never reused.

Merges (old ids absorbed into a cluster that kept another id) and splits (an old id whose records are now in
several prospects) are reported for the caller to repoint or audit. No database: the caller loads the previous
mapping and stores the new one.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime

PROSPECT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://instabids.example/outreach/prospect")
"""Namespace of new prospect ids: the same record key always yields the same id, in any run, on any machine."""


@dataclass(frozen=True)
class PriorMapping:
    """A record's prospect, and when the record was first mapped to a prospect (kept across merges)."""

    prospect_id: str
    mapped_at: datetime


@dataclass(frozen=True)
class Merge:
    """Old prospects whose records in this run all joined `prospect_id`: repoint `absorbed` to it."""

    prospect_id: str
    absorbed: tuple[str, ...]


@dataclass(frozen=True)
class Split:
    """An old prospect whose records in this run are spread over several prospects (`now_in`, sorted)."""

    prospect_id: str
    now_in: tuple[str, ...]


@dataclass(frozen=True)
class IdentityAssignment:
    """The outcome for this run's records and clusters."""

    prospect_of_cluster: dict[Hashable, str]
    mapping: dict[str, PriorMapping]
    """Every record key of this run → its prospect and first-mapped time (now, for a new record)."""
    merges: tuple[Merge, ...]
    splits: tuple[Split, ...]


def _fresh_id(smallest_key: str, *used: set[str]) -> str:
    """uuid5 of the key, salted until it is an id in none of the `used` sets (checked one by one: a union per new
    cluster made a first day's assignment quadratic in the number of clusters)."""
    salt = 0
    while True:
        name = smallest_key if salt == 0 else f"{smallest_key}#{salt}"
        candidate = str(uuid.uuid5(PROSPECT_NAMESPACE, name))
        if not any(candidate in ids for ids in used):
            return candidate
        salt += 1


def assign_prospect_ids(
    clusters: Mapping[str, Hashable],
    previous: Mapping[str, PriorMapping],
    now: datetime,
) -> IdentityAssignment:
    """Prospect ids for this run's `clusters` (record key → cluster id), given `previous` (record key → the
    prospect it was mapped to and when), with `now` as the first-mapped time of records never seen before."""
    history: dict[Hashable, list[tuple[datetime, str]]] = defaultdict(list)  # per cluster, oldest mapping first
    smallest_key: dict[Hashable, str] = {}
    for key, cluster in clusters.items():
        smallest_key[cluster] = min(key, smallest_key.get(cluster, key))
        if key in previous:
            history[cluster].append((previous[key].mapped_at, key))
    for entries in history.values():
        entries.sort()

    def seniority(cluster: Hashable) -> tuple:
        return (0, *history[cluster][0]) if history[cluster] else (1, smallest_key[cluster])

    used = {prior.prospect_id for prior in previous.values()}
    taken: set[str] = set()
    prospect_of_cluster: dict[Hashable, str] = {}
    for cluster in sorted(smallest_key, key=seniority):
        kept = (previous[key].prospect_id for _, key in history[cluster])
        prospect = next((p for p in kept if p not in taken), None) or _fresh_id(smallest_key[cluster], used, taken)
        taken.add(prospect)
        prospect_of_cluster[cluster] = prospect

    mapping = {
        key: PriorMapping(prospect_of_cluster[cluster], previous[key].mapped_at if key in previous else now)
        for key, cluster in clusters.items()
    }
    return IdentityAssignment(prospect_of_cluster, mapping, *_merges_and_splits(mapping, previous))


def _merges_and_splits(
    mapping: Mapping[str, PriorMapping], previous: Mapping[str, PriorMapping]
) -> tuple[tuple[Merge, ...], tuple[Split, ...]]:
    """Old ids that no cluster kept (merged into the prospect now holding their earliest record) and old ids
    whose records this run spread over several prospects."""
    now_in: dict[str, set[str]] = defaultdict(set)
    earliest: dict[str, tuple[datetime, str]] = {}
    for key, current in mapping.items():
        if (prior := previous.get(key)) is not None:
            now_in[prior.prospect_id].add(current.prospect_id)
            first = (prior.mapped_at, key)
            earliest[prior.prospect_id] = min(first, earliest.get(prior.prospect_id, first))
    kept = {current.prospect_id for current in mapping.values()}
    absorbed: dict[str, list[str]] = defaultdict(list)
    for old, (_, key) in earliest.items():
        if old not in kept:
            absorbed[mapping[key].prospect_id].append(old)
    merges = tuple(Merge(survivor, tuple(sorted(olds))) for survivor, olds in sorted(absorbed.items()))
    splits = tuple(Split(old, tuple(sorted(new))) for old, new in sorted(now_in.items()) if len(new) > 1)
    return merges, splits
