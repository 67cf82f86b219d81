"""License files: the published layouts, readable with csv.DictReader, and linked to the truth."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest

from integrations.sandbox.registries import CA_HEADER, FILES, TX_HEADER, WA_HEADER, write_files
from integrations.sandbox.world import World

TX_TRADES = {"Air Conditioning and Refrigeration Contractor", "Electrical Contractor"}


@pytest.fixture(scope="module")
def world() -> World:
    return World(11, 3000, date(2026, 3, 2))


@pytest.fixture(scope="module")
def folder(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("registries")
    write_files(path, world.registry_rows, {"seed": 11})
    return path


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_headers_are_the_documented_layouts(folder: Path) -> None:
    # license-registries.md names 52 CSLB columns (its prose says 51): every documented name is written.
    assert len(CA_HEADER) == 52 and len(WA_HEADER) == 23 and len(TX_HEADER) == 17
    for spec in FILES:
        header, rows = read(folder / spec.filename)
        assert tuple(header) == spec.header
        assert rows


def test_texas_headers_with_commas_are_quoted(folder: Path) -> None:
    first_line = (folder / "tx_tdlr_licenses.csv").read_text().splitlines()[0]
    assert '"BUSINESS CITY, STATE ZIP"' in first_line
    assert '"MAILING ADDRESS CITY, STATE ZIP"' in first_line
    _, rows = read(folder / "tx_tdlr_licenses.csv")
    assert all(re.fullmatch(r"[A-Z .]+, TX \d{5}", row["BUSINESS CITY, STATE ZIP"]) for row in rows)
    assert all(re.fullmatch(r"\d{8}", row["LICENSE EXPIRATION DATE (MMDDCCYY)"]) for row in rows)
    assert any(row["LICENSE TYPE"] not in TX_TRADES for row in rows)  # other professions to filter out


def test_california_rows_follow_cslb_conventions(folder: Path) -> None:
    _, rows = read(folder / "ca_cslb_master.csv")
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", row["ExpirationDate"]) for row in rows)
    assert all(re.fullmatch(r"[A-Z0-9]+(\|[A-Z0-9]+)*", row["Classifications(s)"]) for row in rows)
    assert all(re.fullmatch(r"\(\d{3}\) \d{3} \d{4}|\d{10}", row["BusinessPhone"]) for row in rows)
    assert {row["PrimaryStatus"] for row in rows} >= {"CLEAR"}
    sole = [row for row in rows if row["BusinessType"] == "Sole Owner"]
    assert sole and all(row["BusinessName"] == row["BusinessName"].upper() for row in sole)
    assert all("," not in row["BusinessName"] and "." not in row["BusinessName"] for row in rows)


def test_washington_rows_carry_sort_prefixes_and_last_first_principals(folder: Path) -> None:
    _, rows = read(folder / "wa_lni_contractors.csv")
    assert all(re.fullmatch(r"\d{10}", row["PhoneNumber"]) for row in rows)
    assert all(re.fullmatch(r"[A-Z' -]+, [A-Z]+( [A-Z])?", row["PrimaryPrincipalName"]) for row in rows)
    assert {row["ContractorLicenseStatus"] for row in rows} <= {"ACTIVE", "EXPIRED", "SUSPENDED", "INACTIVE"}
    names = [row["BusinessName"] for row in rows]
    assert names == sorted(names)


def test_every_contractor_row_is_a_labelled_record_of_its_entity(world: World, folder: Path) -> None:
    truth = {(r.source, r.record_id): r.entity_id for r in world.records}
    for spec in FILES:
        _, rows = read(folder / spec.filename)
        for row in rows:
            key = (spec.source, row[spec.id_column])
            if spec.source == "license_tx" and row["LICENSE TYPE"] not in TX_TRADES:
                assert key not in truth
                continue
            entity = world.entity_by_id[truth[key]]
            assert entity.license is not None and entity.license.number == row[spec.id_column]
            assert entity.city.state == spec.source[-2:].upper()


def test_a_manifest_describes_the_files(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["seed"] == 11
    assert {f["file"] for f in manifest["files"]} == {spec.filename for spec in FILES}
