"""Registry readers on hand-written files in the real published layouts, including the awkward rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from outreach.discovery.records import CandidateRecord
from outreach.discovery.registries import (
    CA_COLUMNS,
    TX_COLUMNS,
    WA_COLUMNS,
    Rejected,
    detect_layout,
    is_tx_contractor_license_type,
    read_ca_file,
    read_registry_file,
    read_registry_folder,
    read_tx_file,
    read_wa_file,
    split_city_state_zip,
)

FETCHED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def csv_line(columns: tuple[str, ...], **values: str) -> str:
    """One CSV line in a layout's column order, the named cells set (keys are column names with `_` for `-`)."""
    named = {key.replace("_", "-") if key.replace("_", "-") in columns else key: value for key, value in values.items()}
    unknown = set(named) - set(columns)
    assert not unknown, unknown
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([named.get(column, "") for column in columns])
    return buffer.getvalue()


def header(columns: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(columns)
    return buffer.getvalue()


def split(items: list[CandidateRecord | Rejected]) -> tuple[list[CandidateRecord], list[Rejected]]:
    return [i for i in items if isinstance(i, CandidateRecord)], [i for i in items if isinstance(i, Rejected)]


CA_CORPORATION = csv_line(
    CA_COLUMNS, LicenseNo="348418", LastUpdate="11/08/2025", BusinessName="DARRELL JOHNSON FLOORING INC",
    FullBusinessName="DARRELL JOHNSON FLOORING INC", MailingAddress="3266 LAUREL LN STE 4", City="LOS ANGELES",
    State="CA", County="LOS ANGELES", ZIPCode="90065-1927", BusinessPhone="(310) 469 8795",
    BusinessType="Corporation", IssueDate="04/05/2017", ExpirationDate="12/18/2027", PrimaryStatus="CLEAR",
    **{"Classifications(s)": "B|C10|C20|C36"}, CBSuretyCompany="NAVIGATORS INSURANCE COMPANY",
)  # fmt: skip
CA_SOLE_OWNER_DBA = csv_line(
    CA_COLUMNS, LicenseNo="264412", BusinessName="WATTS DARREN CODY", BUS_NAME_2="DARRENS PLUMBING & DRAIN",
    FullBusinessName="DARREN WATTS DBA DARREN'S PLUMBING & DRAIN", MailingAddress="3955 MADISON RD",
    City="LOS ANGELES", State="CA", ZIPCode="90030", BusinessPhone="3233745123", BusinessType="Sole Owner",
    IssueDate="10/18/2016", ExpirationDate="03/29/2028", PrimaryStatus="Contr Bond Susp",
    SecondaryStatus="Work Comp Susp", **{"Classifications(s)": "C36"}, NAME_TP_2="DBA",
)  # fmt: skip
CA_SOLE_OWNER_PLAIN = csv_line(
    CA_COLUMNS, LicenseNo="1001", BusinessName="DOCKERY RANDALL MARK", BusinessType="Sole Owner",
    City="FRESNO", State="CA", ZIPCode="93701", ExpirationDate="1/5/2027",
)  # fmt: skip


def test_ca_rows_map_names_dates_classes_and_status(tmp_path: Path) -> None:
    path = tmp_path / "master.csv"
    path.write_text(header(CA_COLUMNS) + CA_CORPORATION + CA_SOLE_OWNER_DBA + CA_SOLE_OWNER_PLAIN)

    records, rejected = split(list(read_ca_file(path, FETCHED)))

    assert rejected == []
    corporation, dba, plain = records
    assert corporation.source == "license_ca" and corporation.source_record_id == "348418"
    assert corporation.fetched_at == FETCHED
    assert corporation.business_name == "DARRELL JOHNSON FLOORING INC" and corporation.contact_name is None
    assert (corporation.street, corporation.city, corporation.state, corporation.postal_code) == (
        "3266 LAUREL LN STE 4", "LOS ANGELES", "CA", "90065-1927")  # fmt: skip
    assert corporation.phone == "(310) 469 8795"
    assert corporation.classifications == ("B", "C10", "C20", "C36")
    assert (corporation.license_number, corporation.license_state, corporation.license_status) == (
        "348418", "CA", "CLEAR")  # fmt: skip
    assert corporation.license_issued_on == date(2017, 4, 5)
    assert corporation.license_expires_on == date(2027, 12, 18)
    assert corporation.business_type == "Corporation"

    assert dba.business_name == "DARREN'S PLUMBING & DRAIN"  # the display form, punctuation kept
    assert dba.contact_name == "DARREN WATTS"
    assert dba.license_status == "Contr Bond Susp; Work Comp Susp"
    assert dba.phone == "3233745123"

    assert plain.business_name == "DOCKERY RANDALL MARK"
    assert plain.contact_name == "DOCKERY, RANDALL MARK"  # LAST FIRST MIDDLE made explicit
    assert plain.license_expires_on == date(2027, 1, 5)
    assert plain.license_issued_on is None


def test_ca_malformed_rows_are_rejected_with_reason_and_location(tmp_path: Path) -> None:
    bad_date = csv_line(CA_COLUMNS, LicenseNo="2002", BusinessName="ACME INC", ExpirationDate="13/45/2027")
    no_number = csv_line(CA_COLUMNS, BusinessName="NO NUMBER INC")
    no_name = csv_line(CA_COLUMNS, LicenseNo="2003")
    shifted = csv_line(CA_COLUMNS, LicenseNo="Sole Owner", BusinessName="X")
    truncated = "2004,01/01/2026,TRUNCATED ROW INC\n"
    trailing_comma = CA_CORPORATION.rstrip("\n") + ",\n"
    path = tmp_path / "master.csv"
    path.write_text(
        header(CA_COLUMNS) + bad_date + "\n" + no_number + no_name + shifted + truncated + trailing_comma
        + ",,,,\n"
    )  # fmt: skip

    records, rejected = split(list(read_registry_file(path, FETCHED)))

    assert [r.source_record_id for r in records] == ["348418"]  # a trailing empty field is harmless
    reasons = {r.location: (r.source, r.source_record_id, r.reason) for r in rejected}
    assert reasons == {
        "master.csv:2": ("license_ca", "2002", "ExpirationDate '13/45/2027' is not a date"),
        "master.csv:4": ("license_ca", None, "no license number"),
        "master.csv:5": ("license_ca", "2003", "neither a business nor an owner name"),
        "master.csv:6": ("license_ca", "Sole Owner", "license number 'Sole Owner' is malformed"),
        "master.csv:7": ("license_ca", "2004", "3 fields where the header has 52"),
    }
    by_location = {r.location: r for r in rejected}
    assert by_location["master.csv:2"].raw_row["ExpirationDate"] == "13/45/2027"
    assert by_location["master.csv:2"].raw_row["BusinessName"] == "ACME INC"
    assert by_location["master.csv:7"].raw_row == {"_text": truncated}


def test_an_unclosed_quote_is_quarantined_with_the_lines_it_swallowed(tmp_path: Path) -> None:
    broken = '2005,,"UNCLOSED NAME INC\n'
    path = tmp_path / "master.csv"
    path.write_text(header(CA_COLUMNS) + CA_CORPORATION + broken + CA_SOLE_OWNER_PLAIN)

    records, rejected = split(list(read_ca_file(path, FETCHED)))

    assert [r.source_record_id for r in records] == ["348418"]
    (reject,) = rejected
    assert reject.location == "master.csv:3"
    assert "DOCKERY RANDALL MARK" in reject.raw_row["_text"]  # not silently lost: it is in the quarantine


def test_bom_and_a_non_utf8_line_are_read(tmp_path: Path) -> None:
    line = csv_line(CA_COLUMNS, LicenseNo="3003", BusinessName="PEÑA ROOFING INC", BusinessType="Corporation")
    path = tmp_path / "master.csv"
    path.write_bytes(b"\xef\xbb\xbf" + header(CA_COLUMNS).encode() + line.encode("cp1252") + CA_CORPORATION.encode())

    records, rejected = split(list(read_registry_file(path, FETCHED)))

    assert rejected == []
    assert [r.business_name for r in records] == ["PEÑA ROOFING INC", "DARRELL JOHNSON FLOORING INC"]


WA_ROW = dict(
    BusinessName="!ROOFTECH INC", ContractorLicenseNumber="ROOFTI*912KM", ContractorLicenseTypeCode="SC",
    ContractorLicenseTypeCodeDesc="SPECIALTY CONTRACTOR", Address1="1469 MARKET LN", Address2="STE 200",
    City="VANCOUVER", State="WA", Zip="98639", PhoneNumber="2068512194", LicenseEffectiveDate="01/22/2023",
    LicenseExpirationDate="12/27/2027", BusinessTypeCode="CO", BusinessTypeCodeDesc="CORPORATION",
    SpecialtyCode1="ROOFG", SpecialtyCode1Desc="ROOFING", SpecialtyCode2="GUTTER", SpecialtyCode2Desc="",
    UBI="604709525", PrimaryPrincipalName="SMITH, JO", StatusCode="A", ContractorLicenseStatus="ACTIVE",
)  # fmt: skip


def test_wa_rows_with_csv_header_or_lower_case_api_names(tmp_path: Path) -> None:
    upper = tmp_path / "wa.csv"
    upper.write_text(header(WA_COLUMNS) + csv_line(WA_COLUMNS, **WA_ROW))
    lower = tmp_path / "wa_api.csv"
    lower.write_text(header(tuple(c.lower() for c in WA_COLUMNS)) + csv_line(WA_COLUMNS, **WA_ROW))

    for path in (upper, lower):
        (record,) = list(read_wa_file(path, FETCHED))
        assert isinstance(record, CandidateRecord)
        assert record.source == "license_wa" and record.source_record_id == "ROOFTI*912KM"
        assert record.business_name == "!ROOFTECH INC"  # sort prefix kept as found; enrichment drops it
        assert record.contact_name == "SMITH, JO"
        assert record.street == "1469 MARKET LN STE 200"
        assert (record.city, record.state, record.postal_code, record.phone) == (
            "VANCOUVER", "WA", "98639", "2068512194")  # fmt: skip
        assert record.classifications == ("SPECIALTY CONTRACTOR", "ROOFING", "GUTTER")  # code when no desc
        assert (record.license_state, record.license_status) == ("WA", "ACTIVE")
        assert record.license_issued_on == date(2023, 1, 22)
        assert record.license_expires_on == date(2027, 12, 27)
        assert record.business_type == "CORPORATION"


def test_wa_json_api_dump_streams_objects_with_iso_dates_and_missing_nulls(tmp_path: Path) -> None:
    first = {key.lower(): value for key, value in WA_ROW.items() if value}
    first["licenseeffectivedate"] = "2023-01-22T00:00:00.000"
    first["licenseexpirationdate"] = "2027-12-27T00:00:00.000"
    second = {"contractorlicensenumber": "CASCAD924TA", "businessname": "CASCADE ROOFING", "zip": 98639}
    path = tmp_path / "wa.json"
    path.write_text(json.dumps([first, "not an object", second]))

    records, rejected = split(list(read_registry_folder(tmp_path, FETCHED)))

    assert [r.source_record_id for r in records] == ["ROOFTI*912KM", "CASCAD924TA"]
    assert records[0].license_expires_on == date(2027, 12, 27)
    assert records[1].postal_code == "98639" and records[1].contact_name is None
    assert [(r.source, r.reason, r.location) for r in rejected] == [
        ("license_wa", "array element is not an object", "wa.json:1")
    ]


def test_a_large_json_dump_is_read_across_chunks(tmp_path: Path) -> None:
    rows = [{"contractorlicensenumber": f"LIC{n:06d}", "businessname": f"BUSINESS É {n}"} for n in range(30_000)]
    path = tmp_path / "wa.json"
    path.write_text(json.dumps(rows, indent=1, ensure_ascii=False))

    records = list(read_wa_file(path, FETCHED))

    assert len(records) == 30_000 and all(isinstance(r, CandidateRecord) for r in records)
    assert records[-1].business_name == "BUSINESS É 29999"


# The documentation's own example row, quoted headers and all.
TX_FILE = (
    "LICENSE TYPE,LICENSE NUMBER,BUSINESS COUNTY,BUSINESS NAME,BUSINESS ADDRESS-LINE1,BUSINESS ADDRESS-LINE2,"
    '"BUSINESS CITY, STATE ZIP",BUSINESS TELEPHONE,LICENSE EXPIRATION DATE (MMDDCCYY),OWNER NAME,'
    'MAILING ADDRESS LINE1,MAILING ADDRESS LINE2,"MAILING ADDRESS CITY, STATE ZIP",MAILING ADDRESS COUNTY,'
    "OWNER TELEPHONE,LICENSE SUBTYPE,CONTINUING EDUCATION FLAG\n"
    'Air Conditioning and Refrigeration Contractor,TACLA000001,TRAVIS,"AUSTIN COOLING, LLC",100 MAIN ST,STE 200,'
    '"AUSTIN, TX 78701",5125550100,12312099,"RIVERA, ALEX",PO BOX 100,,"AUSTIN, TX 78767",TRAVIS,5125550199,'
    "Class A Environmental Air,Y\n"
    '"Barber, Class A",900002,TARRANT,HARVEY SERVICES,9282 ELM ST,,"FORT WORTH, TX 76129",,03252028,'
    '"HARVEY, MARC",PO BOX 47452,,"FORT WORTH, TX 76129",TARRANT,,,Y\n'
    'Elevator Contractor,900003,DALLAS,LIFT CO,1 ELM ST,,"DALLAS, TX 75242",,06192027,"LANDRY, RUTH",,,,,,,Y\n'
    'Electrical Contractor,TECL00042,HARRIS,,"2651 ELM ST\nBLDG 2",,"HOUSTON TX 77059",,1022027,"OROZCO, LINDA",'
    ",,,,7135550123,,Y\n"
    'ELECTRICAL CONTRACTOR,TECL00043,HARRIS,BAD DATE ELECTRIC,1 MAIN ST,,"HOUSTON, TX 77002",,20271302,'
    '"ROE, JAN",,,,,,,Y\n'
)


def test_tx_contractor_rows_are_kept_other_professions_skipped_and_bad_rows_rejected(tmp_path: Path) -> None:
    path = tmp_path / "tdlr.csv"
    path.write_text(TX_FILE)

    records, rejected = split(list(read_tx_file(path, FETCHED)))

    cooling, electric = records
    assert cooling.source == "license_tx" and cooling.source_record_id == "TACLA000001"
    assert cooling.business_name == "AUSTIN COOLING, LLC" and cooling.contact_name == "RIVERA, ALEX"
    assert cooling.street == "100 MAIN ST STE 200"
    assert (cooling.city, cooling.state, cooling.postal_code) == ("AUSTIN", "TX", "78701")
    assert cooling.phone == "5125550100"
    assert cooling.license_expires_on == date(2099, 12, 31)
    assert (cooling.license_state, cooling.license_status) == ("TX", None)
    assert cooling.classifications == ("Air Conditioning and Refrigeration Contractor", "Class A Environmental Air")

    assert electric.business_name is None and electric.contact_name == "OROZCO, LINDA"
    assert electric.street == "2651 ELM ST\nBLDG 2"  # a quoted line break stays inside its field
    assert (electric.city, electric.state, electric.postal_code) == ("HOUSTON", "TX", "77059")
    assert electric.phone == "7135550123"  # no business line: the owner's
    assert electric.license_expires_on == date(2027, 1, 2)  # 7 digits: a spreadsheet ate the leading zero

    (bad,) = rejected
    assert (bad.source_record_id, bad.location) == ("TECL00043", "tdlr.csv:7")
    assert bad.reason == "LICENSE EXPIRATION DATE (MMDDCCYY) '20271302' is not a date"


@pytest.mark.parametrize(
    ("license_type", "kept"),
    [
        ("Air Conditioning and Refrigeration Contractor", True),
        ("AIR CONDITIONING & REFRIGERATION CONTRACTOR", True),
        ("Electrical Contractor", True),
        ("Residential Appliance Installation Contractor", True),
        ("Elevator Contractor", False),
        ("Electrical Sign Contractor", False),
        ("Journeyman Electrician", False),
        ("A/C Technician", False),
        ("Barber, Class A", False),
        ("Tow Truck Operator (Incident Management)", False),
        (None, False),
    ],
)
def test_tx_contractor_trades(license_type: str | None, kept: bool) -> None:
    assert is_tx_contractor_license_type(license_type) is kept


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("AUSTIN, TX 78701", ("AUSTIN", "TX", "78701")),
        ("SAN ANTONIO, TX 78201-1234", ("SAN ANTONIO", "TX", "78201-1234")),
        ("EL PASO TX 79901", ("EL PASO", "TX", "79901")),
        ("AUSTIN, TX", ("AUSTIN", "TX", None)),
        ("SOMEWHERE", ("SOMEWHERE", None, None)),
        (None, (None, None, None)),
    ],
)
def test_split_city_state_zip(text: str | None, parts: tuple[str | None, ...]) -> None:
    assert split_city_state_zip(text) == parts


def test_layouts_are_detected_by_header_in_any_case_or_punctuation() -> None:
    assert detect_layout(CA_COLUMNS) == "license_ca"
    assert detect_layout(WA_COLUMNS) == "license_wa"
    assert detect_layout([c.lower() for c in WA_COLUMNS]) == "license_wa"
    assert detect_layout(TX_COLUMNS) == "license_tx"
    assert detect_layout(c.lower().replace(" ", "_").replace(",", "") for c in TX_COLUMNS) == "license_tx"
    assert detect_layout(["name", "phone"]) is None


def test_a_folder_reads_every_layout_and_reports_unknown_files(tmp_path: Path) -> None:
    (tmp_path / "b_master.csv").write_text(header(CA_COLUMNS) + CA_CORPORATION)
    (tmp_path / "a_wa.csv").write_text(header(WA_COLUMNS) + csv_line(WA_COLUMNS, **WA_ROW))
    (tmp_path / "c_tx.CSV").write_text(TX_FILE)
    (tmp_path / "manifest.json").write_text(json.dumps({"files": []}))
    (tmp_path / "notes.txt").write_text("not a registry")
    (tmp_path / "other.csv").write_text("name,phone\nACME,555\n")

    records, rejected = split(list(read_registry_folder(tmp_path, FETCHED)))

    assert [r.source for r in records] == ["license_wa", "license_ca", "license_tx", "license_tx"]
    unknown = [r for r in rejected if r.source is None]
    assert [(r.location, r.raw_row) for r in unknown] == [("other.csv:1", {"_text": "name,phone\n"})]


def test_a_layout_reader_refuses_another_layout(tmp_path: Path) -> None:
    path = tmp_path / "wa.csv"
    path.write_text(header(WA_COLUMNS))
    with pytest.raises(ValueError, match="license_ca"):
        list(read_ca_file(path, FETCHED))
