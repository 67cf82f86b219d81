"""`outreach resolve`: the CSV contract of the entity-resolution CLI, end to end in a subprocess."""

import csv
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration

HEADER = ["record_id", "business_name", "contact_name", "street", "city", "state", "postal_code", "phone", "email"]
ROWS = [
    ["a1", "ACME PLUMBING INC", "Jo Smith", "100 Main St", "Austin", "TX", "78701", "(512) 555-0100", ""],
    ["a2", "Acme Plumbing, Inc.", "", "100 MAIN STREET", "AUSTIN", "TX", "78701-1234", "5125550100", "jo@acme.example"],
    ["b1", "Zen Roofing LLC", "Ann Lee", "9 Oak Ave", "Seattle", "WA", "98101", "+1 206 555 0199", "ann@zen.example"],
    ["c1", "", "", "", "", "", "", "", ""],
]


def _run(tmp_path, rows, header=HEADER):
    source, target = tmp_path / "records.csv", tmp_path / "clusters.csv"
    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    result = subprocess.run(
        [sys.executable, "-m", "outreach.cli", "resolve", "--input", str(source), "--output", str(target)],
        capture_output=True, text=True, check=False,
    )
    return result, target


def test_every_record_is_written_once_and_duplicates_share_a_cluster(tmp_path) -> None:
    result, target = _run(tmp_path, ROWS)
    assert result.returncode == 0, result.stderr
    with target.open() as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["record_id", "cluster_id"]
        clusters = {row["record_id"]: row["cluster_id"] for row in reader}
    assert set(clusters) == {"a1", "a2", "b1", "c1"}
    assert clusters["a1"] == clusters["a2"]
    assert len({clusters["a1"], clusters["b1"], clusters["c1"]}) == 3


def test_a_missing_column_is_a_clear_error(tmp_path) -> None:
    result, target = _run(tmp_path, [row[:-1] for row in ROWS], header=HEADER[:-1])
    assert result.returncode != 0
    assert "email" in result.stderr
    assert not target.exists()
