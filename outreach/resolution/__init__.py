"""Entity resolution: records of one business, across sources and days, clustered into one prospect.

- `resolve(records)` → `record_id`, `cluster_id` (the cluster's smallest record_id), every record once;
- `resolve_csv(input_path, output_path)` → the same over CSV files (the `outreach resolve` command);
- `assign_prospect_ids(...)` → prospect ids that survive re-runs, merges and splits;
- `evaluate(clusters, truth)` → pairwise precision, recall and F1 against labelled entities.
"""

from outreach.resolution.clusters import resolve
from outreach.resolution.csv_io import resolve_csv
from outreach.resolution.evaluate import PairwiseScores, evaluate
from outreach.resolution.identity import IdentityAssignment, PriorMapping, assign_prospect_ids

__all__ = [
    "IdentityAssignment",
    "PairwiseScores",
    "PriorMapping",
    "assign_prospect_ids",
    "evaluate",
    "resolve",
    "resolve_csv",
]
