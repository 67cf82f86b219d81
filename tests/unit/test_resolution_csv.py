"""The CSV contract of `outreach resolve`: header checked, empty cells null, every record written once."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from outreach.resolution import resolve_csv
from outreach.resolution.csv_io import INPUT_COLUMNS, InputFormatError

HEADER = ",".join(INPUT_COLUMNS)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_round_trip(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "records.csv",
        "\ufeff" + HEADER + ",extra\n"  # a BOM and an extra column, as spreadsheets write them
        "007,ACME PLUMBING INC,,1200 HARBOR DR,SAN DIEGO,CA,92101-1234,6195550142,,x\n"
        '010,"Acme Plumbing, Inc.",,"1200 Harbor Drive, Suite 5",San Diego,CA,92101,(619) 555-0142,,x\n'
        "002,,,,,,,,,x\n"
        "003,,,,,,,,,\n",
    )
    written = resolve_csv(source, tmp_path / "clusters.csv")
    assert written == 4
    rows = _read(tmp_path / "clusters.csv")
    assert list(rows[0]) == ["record_id", "cluster_id"]
    assert [(row["record_id"], row["cluster_id"]) for row in rows] == [
        ("007", "007"),  # ids stay text: leading zeros kept, "007" < "010"
        ("010", "007"),
        ("002", "002"),  # empty rows are singletons, even when identical
        ("003", "003"),
    ]


def test_header_only_gives_header_only(tmp_path: Path) -> None:
    assert resolve_csv(_write(tmp_path / "in.csv", HEADER + "\n"), tmp_path / "out.csv") == 0
    assert (tmp_path / "out.csv").read_text().splitlines() == ["record_id,cluster_id"]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.csv", "record_id,business_name,city,phone\n1,Acme,Fresno,5595550100\n")
    with pytest.raises(InputFormatError) as error:
        resolve_csv(source, tmp_path / "out.csv")
    message = str(error.value)
    for column in ("contact_name", "street", "state", "postal_code", "email"):
        assert column in message
    assert "missing column(s) contact_name, street, state, postal_code, email" in message
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", "is empty"),
        (HEADER + ",city\n", "repeated column"),
        (HEADER + "\n,Acme,,,,,,,\n", "empty record_id in data row 1"),
        (HEADER + "\n1,Acme,,,,,,,\n1,Acme,,,,,,,\n", "record_id '1' appears more than once"),
        (HEADER + "\n1,Acme,,,,,,,\n2,Acme,,,,,,,,,,\n", "not a well-formed CSV"),
    ],
)
def test_contract_violations(tmp_path: Path, body: str, expected: str) -> None:
    with pytest.raises(InputFormatError, match=expected):
        resolve_csv(_write(tmp_path / "in.csv", body), tmp_path / "out.csv")
