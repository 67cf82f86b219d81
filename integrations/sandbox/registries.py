"""Public contractor-license files in the real published layouts (see shared/docs/license-registries.md).

Only businesses licensed in California, Washington or Texas appear, each written the way that registry writes
it: CSLB upper-cases names without punctuation and files a sole owner under "LAST FIRST MIDDLE"; L&I adds sort
prefixes (`!`, `#`) and "LAST, FIRST" principals; TDLR keeps commas in names, packs "CITY, ST ZIP" into one
column and, being an omnibus regulator, lists non-construction licenses (barbers, tow trucks, ...) that
discovery must filter out. Those non-trade rows belong to no entity and are absent from the truth.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from integrations.sandbox.entities import Entity
from integrations.sandbox.geo import CITIES
from integrations.sandbox.names import FIRST_FEMALE, FIRST_MALE, LAST
from integrations.sandbox.specialties import BY_SLUG
from integrations.sandbox.variations import national, registry_upper

CA_HEADER = (
    "LicenseNo", "LastUpdate", "BusinessName", "BUS-NAME-2", "FullBusinessName", "MailingAddress", "City", "State",
    "County", "ZIPCode", "country", "BusinessPhone", "BusinessType", "IssueDate", "ReissueDate", "ExpirationDate",
    "InactivationDate", "ReactivationDate", "PendingSuspension", "PendingClassRemoval", "PendingClassReplace",
    "PrimaryStatus", "SecondaryStatus", "Classifications(s)", "AsbestosReg", "WorkersCompCoverageType",
    "WCInsuranceCompany", "WCPolicyNumber", "WCEffectiveDate", "WCExpirationDate", "WCCancellationDate",
    "WCSuspendDate", "CBSuretyCompany", "CBNumber", "CBEffectiveDate", "CBCancellationDate", "CBAmount",
    "WBSuretyCompany", "WBNumber", "WBEffectiveDate", "WBCancellationDate", "WBAmount", "DBSuretyCompany",
    "DBNumber", "DBEffectiveDate", "DBCancellationDate", "DBAmount", "DateRequired", "DiscpCaseRegion",
    "DBBondReason", "DBCaseNo", "NAME-TP-2",
)
WA_HEADER = (
    "BusinessName", "ContractorLicenseNumber", "ContractorLicenseTypeCode", "ContractorLicenseTypeCodeDesc",
    "Address1", "Address2", "City", "State", "Zip", "PhoneNumber", "LicenseEffectiveDate", "LicenseExpirationDate",
    "BusinessTypeCode", "BusinessTypeCodeDesc", "SpecialtyCode1", "SpecialtyCode1Desc", "SpecialtyCode2",
    "SpecialtyCode2Desc", "UBI", "PrimaryPrincipalName", "StatusCode", "ContractorLicenseStatus",
    "ContractorLicenseSuspendDate",
)
TX_HEADER = (
    "LICENSE TYPE", "LICENSE NUMBER", "BUSINESS COUNTY", "BUSINESS NAME", "BUSINESS ADDRESS-LINE1",
    "BUSINESS ADDRESS-LINE2", "BUSINESS CITY, STATE ZIP", "BUSINESS TELEPHONE",
    "LICENSE EXPIRATION DATE (MMDDCCYY)", "OWNER NAME", "MAILING ADDRESS LINE1", "MAILING ADDRESS LINE2",
    "MAILING ADDRESS CITY, STATE ZIP", "MAILING ADDRESS COUNTY", "OWNER TELEPHONE", "LICENSE SUBTYPE",
    "CONTINUING EDUCATION FLAG",
)


@dataclass(frozen=True)
class RegistryFile:
    source: str  # license_ca | license_wa | license_tx (the truth's source name)
    filename: str
    header: tuple[str, ...]
    id_column: str  # the column our discovery uses as the record id
    description: str


FILES: tuple[RegistryFile, ...] = (
    RegistryFile("license_ca", "ca_cslb_master.csv", CA_HEADER, "LicenseNo", "California CSLB License Master"),
    RegistryFile("license_wa", "wa_lni_contractors.csv", WA_HEADER, "ContractorLicenseNumber",
                 "Washington L&I contractor licenses (data.wa.gov m8qx-ubtq)"),
    RegistryFile("license_tx", "tx_tdlr_licenses.csv", TX_HEADER, "LICENSE NUMBER",
                 "Texas TDLR all licenses (data.texas.gov 7358-krk7)"),
)
BY_FILENAME = {f.filename: f for f in FILES}

_CA_TYPES = {"corporation": "Corporation", "llc": "Limited Liability", "sole_owner": "Sole Owner",
             "partnership": "Partnership"}
_CA_SUSPENSIONS = ("Contr Bond Susp", "Work Comp Susp", "Liab Ins Susp")
_WA_TYPES = {"corporation": ("CO", "CORPORATION"), "llc": ("LL", "LIMITED LIABILITY COMPANY"),
             "sole_owner": ("IN", "INDIVIDUAL"), "partnership": ("PA", "PARTNERSHIP")}
_WA_STATUS = {"active": ("A", "ACTIVE"), "expired": ("E", "EXPIRED"), "suspended": ("S", "SUSPENDED"),
              "inactive": ("I", "INACTIVE")}
_SURETIES = ("AMERICAN CONTRACTORS INDEMNITY COMPANY", "THE OHIO CASUALTY INSURANCE COMPANY",
             "MERCHANTS BONDING COMPANY (MUTUAL)", "NAVIGATORS INSURANCE COMPANY", "DEVELOPERS SURETY AND INDEMNITY")
_WC_INSURERS = ("STATE COMPENSATION INSURANCE FUND", "EMPLOYERS COMPENSATION INSURANCE COMPANY",
                "ICW GROUP", "REDWOOD FIRE AND CASUALTY INSURANCE COMPANY")
_TX_NON_TRADE = (
    ("Cosmetology Operator", ""), ("Barber, Class A", ""), ("Tow Truck Operator (Incident Management)", ""),
    ("Auctioneer", ""), ("Dog or Cat Breeder", ""), ("Used Automotive Parts Recycler", ""),
    ("Property Tax Consultant", "Registered Senior Property Tax Consultant"), ("Elevator Contractor", ""),
)


_TX_NON_TRADE_NAMES = ("SALON", "TOWING", "SERVICES")


def _mdy(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def _zip(rng: random.Random, zip5: str) -> str:
    return f"{zip5}-{rng.randint(1000, 9999)}" if rng.random() < 0.3 else zip5


def _street(entity: Entity) -> str:
    return f"{entity.street_number} {entity.street} {entity.street_abbr}".upper()


def ca_row(rng: random.Random, entity: Entity, anchor: date) -> dict[str, str]:
    lic = entity.license
    assert lic is not None
    area, exchange, line = national(entity.phone)
    sole = entity.business_type == "sole_owner"
    person = " ".join(p for p in (entity.last, entity.first, entity.middle) if p).upper()
    status = lic.registry_status
    primary = {"active": "CLEAR", "expired": "Expired", "inactive": "Inactive"}.get(status) or rng.choice(
        _CA_SUSPENSIONS
    )
    bonded = status != "inactive"
    row = dict.fromkeys(CA_HEADER, "")
    row.update({
        "LicenseNo": lic.number,
        "LastUpdate": _mdy(anchor - timedelta(days=rng.randint(1, 30 if lic.status == status else 400))),
        "BusinessName": person if sole else registry_upper(entity.business_name),
        "BUS-NAME-2": registry_upper(entity.base_name) if sole else "",
        "FullBusinessName": (
            f"{entity.first} {entity.last} DBA {entity.base_name}".upper() if sole
            else registry_upper(entity.business_name)
        ),
        "MailingAddress": _street(entity) + (f" STE {entity.suite}" if entity.suite else ""),
        "City": entity.city.name.upper(),
        "State": "CA",
        "County": entity.city.county.upper(),
        "ZIPCode": _zip(rng, entity.zip),
        "country": "",
        "BusinessPhone": f"({area}) {exchange} {line}" if rng.random() < 0.5 else f"{area}{exchange}{line}",
        "BusinessType": _CA_TYPES[entity.business_type],
        "IssueDate": _mdy(lic.issued),
        "ExpirationDate": _mdy(lic.expires),
        "InactivationDate": _mdy(lic.expires - timedelta(days=rng.randint(1, 200))) if status == "inactive" else "",
        "PrimaryStatus": primary,
        "Classifications(s)": "|".join(lic.classes),
        "WorkersCompCoverageType": "Exempt" if sole else "Workers' Compensation Insurance",
        "NAME-TP-2": "DBA" if sole else "",
    })
    if not sole:
        row.update({
            "WCInsuranceCompany": rng.choice(_WC_INSURERS),
            "WCPolicyNumber": f"{rng.randint(1_000_000, 9_999_999)}-{rng.randint(2020, 2026)}",
            "WCEffectiveDate": _mdy(anchor - timedelta(days=rng.randint(30, 330))),
            "WCExpirationDate": _mdy(anchor + timedelta(days=rng.randint(30, 330))),
        })
    if bonded:
        row.update({
            "CBSuretyCompany": rng.choice(_SURETIES),
            "CBNumber": f"{rng.choice('ABCDS')}{rng.randint(100_000, 9_999_999)}",
            "CBEffectiveDate": _mdy(lic.issued),
            "CBAmount": "25000",
        })
    return row


def wa_row(rng: random.Random, entity: Entity, anchor: date) -> dict[str, str]:
    lic = entity.license
    assert lic is not None
    general = any(BY_SLUG[s].wa_code[0] == "GC" for s in entity.specialties)
    codes = list(dict.fromkeys(BY_SLUG[s].wa_code[1] for s in entity.specialties))
    descs = {BY_SLUG[s].wa_code[1]: BY_SLUG[s].wa_desc for s in entity.specialties}
    name = registry_upper(entity.business_name)
    if rng.random() < 0.05:
        name = rng.choice("!#") + name
    given = entity.first.upper()
    if rng.random() < 0.15:
        given = given[:2]
    elif entity.middle and rng.random() < 0.3:
        given = f"{given} {entity.middle[0]}"
    status_code, status = _WA_STATUS[lic.registry_status]
    return {
        "BusinessName": name,
        "ContractorLicenseNumber": lic.number,
        "ContractorLicenseTypeCode": "GC" if general else "SC",
        "ContractorLicenseTypeCodeDesc": "GENERAL CONTRACTOR" if general else "SPECIALTY CONTRACTOR",
        "Address1": _street(entity),
        "Address2": f"STE {entity.suite}" if entity.suite else "",
        "City": entity.city.name.upper(),
        "State": "WA",
        "Zip": _zip(rng, entity.zip),
        "PhoneNumber": entity.phone[-10:],
        "LicenseEffectiveDate": _mdy(lic.issued),
        "LicenseExpirationDate": _mdy(lic.expires),
        "BusinessTypeCode": _WA_TYPES[entity.business_type][0],
        "BusinessTypeCodeDesc": _WA_TYPES[entity.business_type][1],
        "SpecialtyCode1": codes[0],
        "SpecialtyCode1Desc": descs[codes[0]],
        "SpecialtyCode2": codes[1] if len(codes) > 1 else "",
        "SpecialtyCode2Desc": descs[codes[1]] if len(codes) > 1 else "",
        "UBI": str(rng.randint(600_000_000, 605_999_999)),
        "PrimaryPrincipalName": f"{entity.last.upper()}, {given}",
        "StatusCode": status_code,
        "ContractorLicenseStatus": status,
        "ContractorLicenseSuspendDate": (
            _mdy(anchor - timedelta(days=rng.randint(5, 300))) if lic.registry_status == "suspended" else ""
        ),
    }


def tx_row(rng: random.Random, entity: Entity) -> dict[str, str]:
    lic = entity.license
    assert lic is not None
    city = entity.city
    license_type = lic.classes[0]
    if license_type.startswith("Air Conditioning"):
        subtype = rng.choice(("Class A Environmental Air", "Class B Environmental Air"))
    else:
        subtype = ""
    name = entity.business_name.upper().replace(".", "")
    if entity.business_type == "sole_owner" and rng.random() < 0.5:
        name = f"{entity.first} {entity.last}".upper()
    po_box = rng.random() < 0.3
    return {
        "LICENSE TYPE": license_type,
        "LICENSE NUMBER": lic.number,
        "BUSINESS COUNTY": city.county.upper(),
        "BUSINESS NAME": name,
        "BUSINESS ADDRESS-LINE1": _street(entity),
        "BUSINESS ADDRESS-LINE2": f"STE {entity.suite}" if entity.suite else "",
        "BUSINESS CITY, STATE ZIP": f"{city.name.upper()}, TX {entity.zip}",
        "BUSINESS TELEPHONE": entity.phone[-10:],
        "LICENSE EXPIRATION DATE (MMDDCCYY)": lic.expires.strftime("%m%d%Y"),
        "OWNER NAME": f"{entity.last}, {entity.first}".upper(),
        "MAILING ADDRESS LINE1": f"PO BOX {rng.randint(100, 99999)}" if po_box else _street(entity),
        "MAILING ADDRESS LINE2": "",
        "MAILING ADDRESS CITY, STATE ZIP": f"{city.name.upper()}, TX {city.zip_prefix}{rng.randint(1, 98):02d}"
        if po_box else f"{city.name.upper()}, TX {entity.zip}",
        "MAILING ADDRESS COUNTY": city.county.upper(),
        "OWNER TELEPHONE": entity.mobile[-10:] if entity.mobile else "",
        "LICENSE SUBTYPE": subtype,
        "CONTINUING EDUCATION FLAG": "Y" if rng.random() < 0.8 else "N",
    }


def tx_non_trade_rows(rng: random.Random, count: int, anchor: date) -> list[dict[str, str]]:
    """Licenses of other professions in the TDLR export: discovery must filter them out."""
    texas = [c for c in CITIES if c.state == "TX"]
    rows = []
    for k in range(count):
        city = rng.choice(texas)
        license_type, subtype = rng.choice(_TX_NON_TRADE)
        first, last = rng.choice(FIRST_MALE + FIRST_FEMALE), rng.choice(LAST)
        zip5 = f"{city.zip_prefix}{rng.randint(1, 98):02d}"
        rows.append({
            "LICENSE TYPE": license_type,
            "LICENSE NUMBER": str(900_000 + k),
            "BUSINESS COUNTY": city.county.upper(),
            "BUSINESS NAME": "" if rng.random() < 0.6 else f"{last.upper()} {rng.choice(_TX_NON_TRADE_NAMES)}",
            "BUSINESS ADDRESS-LINE1": f"{rng.randint(100, 9899)} {rng.choice(('MAIN', 'OAK', 'ELM'))} ST",
            "BUSINESS ADDRESS-LINE2": "",
            "BUSINESS CITY, STATE ZIP": f"{city.name.upper()}, TX {zip5}",
            "BUSINESS TELEPHONE": "",
            "LICENSE EXPIRATION DATE (MMDDCCYY)": (anchor + timedelta(days=rng.randint(10, 700))).strftime("%m%d%Y"),
            "OWNER NAME": f"{last}, {first}".upper(),
            "MAILING ADDRESS LINE1": f"PO BOX {rng.randint(100, 99999)}",
            "MAILING ADDRESS LINE2": "",
            "MAILING ADDRESS CITY, STATE ZIP": f"{city.name.upper()}, TX {zip5}",
            "MAILING ADDRESS COUNTY": city.county.upper(),
            "OWNER TELEPHONE": "",
            "LICENSE SUBTYPE": subtype,
            "CONTINUING EDUCATION FLAG": "Y",
        })
    return rows


def render_csv(header: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    """CSV text; the TX headers that contain commas come out quoted, as in the real export."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_files(directory: Path, rows: dict[str, list[dict[str, str]]], meta: dict) -> list[Path]:
    """Write the three files and a `manifest.json` describing them; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written, manifest = [], []
    for spec in FILES:
        path = directory / spec.filename
        tmp = path.with_suffix(".tmp")
        tmp.write_text(render_csv(spec.header, rows[spec.source]), encoding="utf-8")
        tmp.replace(path)
        written.append(path)
        manifest.append({"source": spec.source, "file": spec.filename, "layout": spec.description,
                         "id_column": spec.id_column, "rows": len(rows[spec.source])})
    (directory / "manifest.json").write_text(json.dumps({**meta, "files": manifest}, indent=2))
    return written
