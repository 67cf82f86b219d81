"""Entity resolution against the sandbox's labelled duplicates: the records the pipeline discovers, clustered."""

from datetime import UTC, datetime

import pytest
from fixtures.sandbox_records import collect_records, truth

from outreach.prospects.golden import resolution_input
from outreach.resolution.clusters import resolve
from outreach.resolution.evaluate import evaluate

pytestmark = pytest.mark.integration


def test_pairwise_f1_on_the_sandbox_duplicates(sandbox) -> None:
    records = collect_records(sandbox.url, sandbox.sandbox.config.registry_dir, datetime.now(UTC).date())
    labels = truth(sandbox.url)
    frame = resolution_input(records)
    labels = labels[labels["record_id"].isin(frame["record_id"])]
    assert len(labels) == len(frame), "every discovered record is in the sandbox's truth"
    scores = evaluate(resolve(frame), labels)
    assert scores.true_pairs > 50, "the sandbox should produce real duplicates"
    assert scores.f1 >= 0.95, scores.as_dict()
