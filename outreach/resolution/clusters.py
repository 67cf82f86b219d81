"""Records → clusters: one cluster per business, every record exactly once, the same input always the same output.

Steps:

1. matching keys per record (`keys.py`);
2. records with identical keys collapse to one row: sources re-fetch the same record day after day, and identical
   rows would only multiply the pairs to score. This is exact, not an approximation: a pair's score depends on
   the pair alone, so identical copies match whatever their row matches, and whether copies match each other is
   asked of the model too (a row with a phone matches its copy; a row with only a city does not);
3. the model scores candidate pairs of rows (`splink_model.py`) and returns those that match, and those that do
   not and whose names conflict;
4. clusters are the connected components of the matching pairs, except where a component would hold two rows
   whose names conflict: a family's shared phone lets a bare social record (`Sam S.`, the phone) match both
   `Garcia Plumbing` and `Garcia Roofing`, and transitivity would make them one. There, matching pairs are
   accepted strongest first and a pair that would join two conflicting rows is refused.

A cluster's id is its smallest `record_id`; ties in (3)'s order are broken by record ids too. So the output does
not depend on row order, on the model's internal ids or on anything random.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from outreach.resolution.keys import KEY_COLUMNS, match_keys
from outreach.resolution.splink_model import UID, score_pairs


def _components(n_nodes: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n_nodes, n_nodes))
    return connected_components(graph, directed=False)[1]


def _keep_apart(labels: np.ndarray, matches: pd.DataFrame, conflicts: pd.DataFrame, rank: np.ndarray) -> np.ndarray:
    """Re-cluster the components of `labels` that hold a conflicting pair: matching pairs by decreasing weight
    (ties by `rank` of their rows), each joining two clusters unless a row of one conflicts with a row of the
    other. Components without a conflict keep their label."""
    left, right = conflicts[f"{UID}_l"].to_numpy(), conflicts[f"{UID}_r"].to_numpy()
    inside = (labels[left] == labels[right]) & (left != right)
    if not inside.any():
        return labels
    enemies: dict[int, set[int]] = {}  # per cluster root: the rows some member conflicts with
    for a, b in zip(left[inside].tolist(), right[inside].tolist(), strict=True):
        enemies.setdefault(a, set()).add(b)
        enemies.setdefault(b, set()).add(a)
    troubled = np.unique(labels[left[inside]])
    candidates = matches[np.isin(labels[matches[f"{UID}_l"].to_numpy()], troubled)]
    u, v = candidates[f"{UID}_l"].to_numpy(), candidates[f"{UID}_r"].to_numpy()
    order = np.lexsort((np.maximum(rank[u], rank[v]), np.minimum(rank[u], rank[v]), -candidates["match_weight"]))

    parent: dict[int, int] = {}
    members: dict[int, list[int]] = {}

    def find(node: int) -> int:
        while parent.get(node, node) != node:
            node = parent[node]
        return node

    for a, b in zip(u[order].tolist(), v[order].tolist(), strict=True):
        root_a, root_b = find(a), find(b)
        if root_a == root_b:
            continue
        small, big = sorted((root_a, root_b), key=lambda root: len(members.get(root, ())))
        small_members = members.pop(small, [small])
        if enemies.get(big, set()).intersection(small_members):
            members[small] = small_members
            continue
        parent[small] = big
        members[big] = members.get(big, [big]) + small_members
        enemies[big] = enemies.get(big, set()) | enemies.pop(small, set())

    relabelled = labels.copy()
    troubled_rows = np.flatnonzero(np.isin(labels, troubled))
    relabelled[troubled_rows] = labels.max() + 1 + np.array([find(row) for row in troubled_rows.tolist()])
    return relabelled


def resolve(records: pd.DataFrame) -> pd.DataFrame:
    """`record_id`, `cluster_id` for every row of `records`, in input order.

    `records` has a unique, non-null `record_id` and any of `keys.RAW_FIELDS` (absent or empty fields are null).
    Rows without any usable field are singletons.
    """
    if "record_id" not in records:
        raise ValueError("records need a record_id column")
    record_ids = records["record_id"].reset_index(drop=True)
    if record_ids.isna().any():
        raise ValueError("record_id must not be empty")
    if record_ids.duplicated().any():
        duplicated = record_ids[record_ids.duplicated()].unique()[:5].tolist()
        raise ValueError(f"record_id must be unique; repeated: {duplicated}")
    if records.empty:
        return pd.DataFrame({"record_id": record_ids, "cluster_id": record_ids})

    keys = match_keys(records.reset_index(drop=True))
    row_of_record = keys.groupby(list(KEY_COLUMNS), dropna=False, sort=False).ngroup().to_numpy()
    n_rows = int(row_of_record.max()) + 1
    first_record_of_row = pd.Series(np.arange(len(keys))).groupby(row_of_record).first().to_numpy()
    rows = keys.iloc[first_record_of_row].reset_index(drop=True)
    rows.insert(0, UID, np.arange(n_rows))
    copies = np.bincount(row_of_record, minlength=n_rows)
    rank = record_ids.groupby(row_of_record).min().rank(method="first").to_numpy().astype(np.int64)

    matches, conflicts = score_pairs(rows, pd.Series(copies > 1))
    left, right = matches[f"{UID}_l"].to_numpy(), matches[f"{UID}_r"].to_numpy()
    distinct = left != right
    row_cluster = _keep_apart(_components(n_rows, left[distinct], right[distinct]), matches[distinct], conflicts, rank)

    # Copies of a row stay together when they match each other or when the row joined another row (then each
    # copy matches that row too); otherwise each copy is a cluster of its own.
    cluster_sizes = np.bincount(row_cluster)
    together = cluster_sizes[row_cluster] > 1
    together[left[~distinct]] = True
    record_cluster = row_cluster[row_of_record].astype(np.int64)
    alone = ~together[row_of_record] & (copies[row_of_record] > 1)
    record_cluster[alone] = row_cluster.max() + 1 + np.flatnonzero(alone)

    clusters = pd.DataFrame({"record_id": record_ids, "cluster": record_cluster})
    clusters["cluster_id"] = clusters.groupby("cluster")["record_id"].transform("min")
    return clusters[["record_id", "cluster_id"]]
