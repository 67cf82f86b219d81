"""Public contractor-license registry files → CandidateRecords, one reader per published layout.

The layouts are the real ones (`shared/docs/license-registries.md`): the California CSLB License Master file,
the Washington L&I contractor list (CSV header, or the same fields lower-case as the data.wa.gov JSON API gives
them) and the Texas TDLR all-licenses export. Why detect by header and not by file name: registries are
downloaded by hand or by jobs under whatever name, and a header is the one thing that says what a file is.

Why stream: the CSLB file alone has ~242k rows and the benchmark 1M; files are read line by line (bytes decoded
per line, UTF-8 with a cp1252 fallback, so one mis-encoded name costs one line and not the file) and each row is
yielded as soon as it is parsed.

Why `Rejected` rather than dropping or raising: one broken row must neither stop a 1M-row file nor vanish; the
caller quarantines it with its reason, its raw values and where it was found, and can replay it once fixed.
Rows that are well-formed but out of scope (TDLR barbers, tow trucks...) are skipped, not rejected.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Final

from pydantic import ValidationError

from outreach.discovery.records import CandidateRecord

logger = logging.getLogger(__name__)

CA_COLUMNS: Final[tuple[str, ...]] = (
    "LicenseNo", "LastUpdate", "BusinessName", "BUS-NAME-2", "FullBusinessName", "MailingAddress", "City", "State",
    "County", "ZIPCode", "country", "BusinessPhone", "BusinessType", "IssueDate", "ReissueDate", "ExpirationDate",
    "InactivationDate", "ReactivationDate", "PendingSuspension", "PendingClassRemoval", "PendingClassReplace",
    "PrimaryStatus", "SecondaryStatus", "Classifications(s)", "AsbestosReg", "WorkersCompCoverageType",
    "WCInsuranceCompany", "WCPolicyNumber", "WCEffectiveDate", "WCExpirationDate", "WCCancellationDate",
    "WCSuspendDate", "CBSuretyCompany", "CBNumber", "CBEffectiveDate", "CBCancellationDate", "CBAmount",
    "WBSuretyCompany", "WBNumber", "WBEffectiveDate", "WBCancellationDate", "WBAmount", "DBSuretyCompany",
    "DBNumber", "DBEffectiveDate", "DBCancellationDate", "DBAmount", "DateRequired", "DiscpCaseRegion",
    "DBBondReason", "DBCaseNo", "NAME-TP-2",
)  # fmt: skip
"""CSLB License Master columns (the document's prose says 51, its list and the real file have these 52)."""

WA_COLUMNS: Final[tuple[str, ...]] = (
    "BusinessName", "ContractorLicenseNumber", "ContractorLicenseTypeCode", "ContractorLicenseTypeCodeDesc",
    "Address1", "Address2", "City", "State", "Zip", "PhoneNumber", "LicenseEffectiveDate", "LicenseExpirationDate",
    "BusinessTypeCode", "BusinessTypeCodeDesc", "SpecialtyCode1", "SpecialtyCode1Desc", "SpecialtyCode2",
    "SpecialtyCode2Desc", "UBI", "PrimaryPrincipalName", "StatusCode", "ContractorLicenseStatus",
    "ContractorLicenseSuspendDate",
)  # fmt: skip
"""WA L&I contractor columns (data.wa.gov m8qx-ubtq); the JSON API names the same fields in lower case."""

TX_COLUMNS: Final[tuple[str, ...]] = (
    "LICENSE TYPE", "LICENSE NUMBER", "BUSINESS COUNTY", "BUSINESS NAME", "BUSINESS ADDRESS-LINE1",
    "BUSINESS ADDRESS-LINE2", "BUSINESS CITY, STATE ZIP", "BUSINESS TELEPHONE", "LICENSE EXPIRATION DATE (MMDDCCYY)",
    "OWNER NAME", "MAILING ADDRESS LINE1", "MAILING ADDRESS LINE2", "MAILING ADDRESS CITY, STATE ZIP",
    "MAILING ADDRESS COUNTY", "OWNER TELEPHONE", "LICENSE SUBTYPE", "CONTINUING EDUCATION FLAG",
)  # fmt: skip
"""TDLR all-licenses columns (data.texas.gov 7358-krk7); two names contain commas and are quoted in the CSV."""

TX_CONTRACTOR_LICENSE_TYPES: Final[frozenset[str]] = frozenset({
    "Air Conditioning and Refrigeration Contractor",  # hvac
    "Electrical Contractor",  # electrical (also solar installers)
    "Residential Appliance Installation Contractor",  # water heaters and appliances wired in: electrical/plumbing
})  # fmt: skip
"""TDLR license types kept: the contractor *businesses* of a contract specialty. Everything else in the omnibus
export is skipped: other professions (barbers, cosmetologists, tow trucks, breeders, auctioneers, tax consultants),
individuals' trade licenses (journeyman/master electricians, A/C technicians: people, not businesses to sign up),
and contractors of no contract specialty (elevator, electrical sign, water well, mold remediation). Matched
ignoring case, punctuation and `&` vs `and`."""


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row (or a whole file) that could not become a CandidateRecord: enough to quarantine it and replay it."""

    source: str | None
    """The source slug (`license_ca`, ..., `directory`); None when a file's layout was not recognized."""
    source_record_id: str | None
    """The row's record id when it has one (a license number, a listing id)."""
    reason: str
    raw_row: dict[str, str]
    """The values as found, by column name; `{"_text": ...}` with the raw lines when the row did not split into the
    header's columns (or, for an unrecognized file, its header line)."""
    location: str
    """Where it was found: `<file name>:<line>` (the row's first line; JSON: the element's index) or a page URL."""


class _RowError(ValueError):
    """A row that cannot be read; its message is the reject reason."""


def _key(name: str) -> str:
    """`Classifications(s)`, `classifications_s`, `BUSINESS CITY, STATE ZIP` → letters and digits, lower case:
    the same column whatever the export's casing and punctuation (CSV header, Socrata JSON field names)."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


class _Columns:
    """Column positions by normalized name, resolved once per file."""

    def __init__(self, header: Sequence[str]) -> None:
        self.names = tuple(header)
        self.index: dict[str, int] = {}
        for position, name in enumerate(header):
            self.index.setdefault(_key(name), position)

    def find(self, *names: str) -> int | None:
        """Position of the first of `names` the file has (names as documented; None when none is present)."""
        for name in names:
            position = self.index.get(_key(name))
            if position is not None:
                return position
        return None


def _cell(row: Sequence[str], position: int | None) -> str | None:
    """A cell's value as found, without surrounding blanks; None when empty or when the file lacks the column."""
    if position is None:
        return None
    return row[position].strip() or None


def _joined(*parts: str | None, separator: str = " ") -> str | None:
    text = separator.join(part for part in parts if part)
    return text or None


_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]*Z?)?$")
_DIGITS8 = re.compile(r"^\d{7,8}$")


@lru_cache(maxsize=65536)
def _parse_date(text: str, digits_are_mmddccyy: bool) -> date | None:
    """`MM/DD/YYYY[ 12:00:00 AM]` (CSV exports), `YYYY-MM-DD[T00:00:00.000]` (Socrata JSON) and, for TDLR,
    `MMDDCCYY` (7 digits: the leading zero lost in a spreadsheet). None when none of these or no real day.
    Cached: a registry holds a few thousand distinct days over a million rows."""
    year = month = day = 0
    if match := _MDY.match(text):
        month, day, year = int(match[1]), int(match[2]), int(match[3])
    elif match := _ISO.match(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif digits_are_mmddccyy and _DIGITS8.match(text):
        padded = text.zfill(8)
        month, day, year = int(padded[:2]), int(padded[2:4]), int(padded[4:])
    if not 1900 <= year <= 2200:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date(row: Sequence[str], position: int | None, columns: _Columns, mmddccyy: bool = False) -> date | None:
    """A date cell; an unreadable non-empty date rejects the row (a shifted or corrupted row, not a fact)."""
    text = _cell(row, position)
    if text is None:
        return None
    parsed = _parse_date(text, mmddccyy)
    if parsed is None:
        assert position is not None
        raise _RowError(f"{columns.names[position]} {text[:40]!r} is not a date")
    return parsed


_LICENSE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9*\-]{0,29}$")


def _license_number(row: Sequence[str], position: int | None) -> str:
    number = _cell(row, position)
    if number is None:
        raise _RowError("no license number")
    if not _LICENSE_NUMBER.match(number):
        raise _RowError(f"license number {number[:40]!r} is malformed")
    return number


def _require_name(business_name: str | None, contact_name: str | None) -> None:
    if business_name is None and contact_name is None:
        raise _RowError("neither a business nor an owner name")


def _labels(*values: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


_RowMapper = Callable[[Sequence[str]], CandidateRecord | None]
"""Builds a row's record; None skips an out-of-scope row; raises `_RowError`/`ValidationError` to reject it."""

_DBA = re.compile(r"\s+D/?B/?A:?\s+", re.IGNORECASE)


def _ca_names(
    business_name: str | None, name_2: str | None, full_name: str | None, business_type: str | None
) -> tuple[str | None, str | None]:
    """(business name, owner name). A sole owner's `BusinessName` is the person, `LAST FIRST MIDDLE`;
    `FullBusinessName` the display form, `FIRST LAST DBA TRADE NAME` when they trade under another name, whose
    trade part is also in `BUS-NAME-2` (without punctuation). Other business types have no person in the file."""
    if not (business_type and "sole" in business_type.casefold()):
        return full_name or business_name, None
    if full_name:
        owner, *trade = _DBA.split(full_name, maxsplit=1)
        if trade:
            return trade[0].strip() or name_2, owner.strip() or _last_first(business_name)
        return full_name, full_name
    return name_2 or business_name, _last_first(business_name)


def _last_first(person: str | None) -> str | None:
    """`DOCKERY RANDALL MARK` → `DOCKERY, RANDALL MARK`, the order made explicit for name parsing downstream (a
    best effort: a surname of several words is cut after its first word)."""
    if person is None or " " not in person or "," in person:
        return person
    last, rest = person.split(" ", 1)
    return f"{last}, {rest}"


def _ca_mapper(columns: _Columns, fetched_at: datetime) -> _RowMapper:
    (number, name, name_2, full_name, street, city, state, zip_code, phone, business_type, issued, expires,
     primary_status, secondary_status, classes) = (columns.find(name) for name in (
        "LicenseNo", "BusinessName", "BUS-NAME-2", "FullBusinessName", "MailingAddress", "City", "State", "ZIPCode",
        "BusinessPhone", "BusinessType", "IssueDate", "ExpirationDate", "PrimaryStatus", "SecondaryStatus",
        "Classifications(s)"))  # fmt: skip
    if classes is None:
        classes = next((i for key, i in columns.index.items() if key.startswith("classification")), None)

    def build(row: Sequence[str]) -> CandidateRecord:
        license_number = _license_number(row, number)
        kind = _cell(row, business_type)
        business, owner = _ca_names(_cell(row, name), _cell(row, name_2), _cell(row, full_name), kind)
        _require_name(business, owner)
        codes = _cell(row, classes)
        return CandidateRecord(
            source="license_ca",
            source_record_id=license_number,
            fetched_at=fetched_at,
            business_name=business,
            contact_name=owner,
            street=_cell(row, street),
            city=_cell(row, city),
            state=_cell(row, state),
            postal_code=_cell(row, zip_code),
            phone=_cell(row, phone),
            classifications=_labels(*(code.strip() for code in codes.split("|"))) if codes else (),
            license_number=license_number,
            license_state="CA",
            license_status=_joined(_cell(row, primary_status), _cell(row, secondary_status), separator="; "),
            license_issued_on=_date(row, issued, columns),
            license_expires_on=_date(row, expires, columns),
            business_type=kind,
        )

    return build


def _wa_mapper(columns: _Columns, fetched_at: datetime) -> _RowMapper:
    (name, number, type_code, type_desc, address_1, address_2, city, state, zip_code, phone, effective, expires,
     business_code, business_desc, code_1, desc_1, code_2, desc_2, principal, status_code, status) = (
        columns.find(name) for name in (
            "BusinessName", "ContractorLicenseNumber", "ContractorLicenseTypeCode", "ContractorLicenseTypeCodeDesc",
            "Address1", "Address2", "City", "State", "Zip", "PhoneNumber", "LicenseEffectiveDate",
            "LicenseExpirationDate", "BusinessTypeCode", "BusinessTypeCodeDesc", "SpecialtyCode1",
            "SpecialtyCode1Desc", "SpecialtyCode2", "SpecialtyCode2Desc", "PrimaryPrincipalName", "StatusCode",
            "ContractorLicenseStatus"))  # fmt: skip

    def build(row: Sequence[str]) -> CandidateRecord:
        license_number = _license_number(row, number)
        business, owner = _cell(row, name), _cell(row, principal)
        _require_name(business, owner)
        return CandidateRecord(
            source="license_wa",
            source_record_id=license_number,
            fetched_at=fetched_at,
            business_name=business,
            contact_name=owner,
            street=_joined(_cell(row, address_1), _cell(row, address_2)),
            city=_cell(row, city),
            state=_cell(row, state),
            postal_code=_cell(row, zip_code),
            phone=_cell(row, phone),
            classifications=_labels(
                _cell(row, type_desc) or _cell(row, type_code),
                _cell(row, desc_1) or _cell(row, code_1),
                _cell(row, desc_2) or _cell(row, code_2),
            ),
            license_number=license_number,
            license_state="WA",
            license_status=_cell(row, status) or _cell(row, status_code),
            license_issued_on=_date(row, effective, columns),
            license_expires_on=_date(row, expires, columns),
            business_type=_cell(row, business_desc) or _cell(row, business_code),
        )

    return build


_TX_TYPES: Final = frozenset(_key(name.replace("&", " and ")) for name in TX_CONTRACTOR_LICENSE_TYPES)
_CITY_STATE_ZIP = re.compile(r"^(?P<city>.*?)\s*,?\s+(?P<state>[A-Za-z]{2})(?:\s+(?P<zip>\d{5}(?:-?\d{4})?))?$")


def is_tx_contractor_license_type(license_type: str | None) -> bool:
    """Whether a TDLR license type is one of `TX_CONTRACTOR_LICENSE_TYPES`."""
    return license_type is not None and _key(license_type.replace("&", " and ")) in _TX_TYPES


def split_city_state_zip(text: str | None) -> tuple[str | None, str | None, str | None]:
    """TDLR's combined `AUSTIN, TX 78701` → (`AUSTIN`, `TX`, `78701`); a value that is not of that form is kept
    whole as the city rather than lost."""
    if text is None:
        return None, None, None
    match = _CITY_STATE_ZIP.match(text)
    if match is None or not match["city"]:
        return text, None, None
    return match["city"].strip(" ,"), match["state"].upper(), match["zip"]


def _tx_mapper(columns: _Columns, fetched_at: datetime) -> _RowMapper:
    (license_type, number, name, address_1, address_2, city_state_zip, phone, expires, owner, owner_phone,
     subtype) = (columns.find(name) for name in (
        "LICENSE TYPE", "LICENSE NUMBER", "BUSINESS NAME", "BUSINESS ADDRESS-LINE1", "BUSINESS ADDRESS-LINE2",
        "BUSINESS CITY, STATE ZIP", "BUSINESS TELEPHONE", "LICENSE EXPIRATION DATE (MMDDCCYY)", "OWNER NAME",
        "OWNER TELEPHONE", "LICENSE SUBTYPE"))  # fmt: skip

    def build(row: Sequence[str]) -> CandidateRecord | None:
        kind = _cell(row, license_type)
        if not is_tx_contractor_license_type(kind):
            return None
        license_number = _license_number(row, number)
        business, person = _cell(row, name), _cell(row, owner)
        _require_name(business, person)
        city, state, zip_code = split_city_state_zip(_cell(row, city_state_zip))
        return CandidateRecord(
            source="license_tx",
            source_record_id=license_number,
            fetched_at=fetched_at,
            business_name=business,
            contact_name=person,
            street=_joined(_cell(row, address_1), _cell(row, address_2)),
            city=city,
            state=state,
            postal_code=zip_code,
            phone=_cell(row, phone) or _cell(row, owner_phone),
            classifications=_labels(kind, _cell(row, subtype)),
            license_number=license_number,
            license_state="TX",
            license_expires_on=_date(row, expires, columns, mmddccyy=True),
        )

    return build


@dataclass(frozen=True)
class _Layout:
    source: str
    columns: tuple[str, ...]
    signature: frozenset[str]  # normalized column names that together identify the layout
    id_column: str
    mapper: Callable[[_Columns, datetime], _RowMapper]


_LAYOUTS: Final[tuple[_Layout, ...]] = (
    _Layout("license_ca", CA_COLUMNS, frozenset({"licenseno", "businessname"}), "LicenseNo", _ca_mapper),
    _Layout("license_wa", WA_COLUMNS, frozenset({"contractorlicensenumber"}), "ContractorLicenseNumber", _wa_mapper),
    _Layout("license_tx", TX_COLUMNS, frozenset({"licensetype", "licensenumber"}), "LICENSE NUMBER", _tx_mapper),
)
_BY_SOURCE: Final = {layout.source: layout for layout in _LAYOUTS}


def detect_layout(header: Iterable[str]) -> str | None:
    """The registry source (`license_ca`, `license_wa`, `license_tx`) whose layout a header (CSV column names or
    JSON field names, any case) is, or None."""
    keys = {_key(name) for name in header}
    matches = [layout.source for layout in _LAYOUTS if layout.signature <= keys]
    return matches[0] if len(matches) == 1 else None


class _Lines:
    """The physical lines of a file, decoded one by one, remembering those of the row being read (for rejects)."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.number = 0
        self._pending: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = next(self._handle)
        self.number += 1
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        if self.number == 1:
            text = text.removeprefix("\ufeff")
        self._pending.append(text)
        return text

    def take(self) -> tuple[int, str]:
        """(first line number, raw text) of the lines read since the last take: the current row's."""
        first, text = self.number - len(self._pending) + 1, "".join(self._pending)
        self._pending.clear()
        return first, text


_Row = tuple[int, Sequence[str] | None, str, str | None]
"""(line or element index, cells, raw text, problem); cells None, and the problem said, when the text did not split
into cells at all."""


def _read_rows(
    source: str, where: str, columns: _Columns, rows: Iterator[_Row], fetched_at: datetime
) -> Iterator[CandidateRecord | Rejected]:
    """The row loop every layout shares: field count, blank rows, mapping, rejects."""
    layout = _BY_SOURCE[source]
    build = layout.mapper(columns, fetched_at)
    id_position = columns.find(layout.id_column)
    width = len(columns.names)
    for line, cells, text, problem in rows:
        if cells is None:
            yield Rejected(source, None, problem or "unreadable", {"_text": text}, f"{where}:{line}")
            continue
        if len(cells) != width:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line or a row of empty cells: nothing to lose
            if len(cells) < width or any(cell.strip() for cell in cells[width:]):
                reason = f"{len(cells)} fields where the header has {width}"
                record_id = _cell(cells, id_position) if id_position is not None and id_position < len(cells) else None
                yield Rejected(source, record_id, reason, {"_text": text}, f"{where}:{line}")
                continue
            cells = cells[:width]  # trailing empty fields (a trailing comma)
        try:
            record = build(cells)
        except (_RowError, ValidationError) as error:
            if not any(cell.strip() for cell in cells):
                continue
            reason = str(error) if isinstance(error, _RowError) else _validation_reason(error)
            raw = dict(zip(columns.names, cells, strict=True))
            yield Rejected(source, _cell(cells, id_position), reason, raw, f"{where}:{line}")
            continue
        if record is not None:
            yield record


def _validation_reason(error: ValidationError) -> str:
    first = error.errors()[0]
    return f"{'.'.join(str(part) for part in first['loc'])}: {first['msg']}"


def _csv_rows(lines: _Lines, reader: Iterator[list[str]]) -> Iterator[_Row]:
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line, text = lines.take()
            yield line, None, text, f"unreadable CSV: {error}"
            continue
        line, text = lines.take()
        yield line, cells, text, None


def _read_csv(path: Path, fetched_at: datetime, expected: str | None) -> Iterator[CandidateRecord | Rejected]:
    with path.open("rb") as handle:
        lines = _Lines(handle)
        reader = csv.reader(lines)
        try:
            header = next(reader, None)
        except csv.Error:
            header = None
        _, header_text = lines.take()
        if header is None:
            if header_text.strip():
                yield _unrecognized(path, header_text)
            return
        source = detect_layout(header)
        if expected is not None and source != expected:
            raise ValueError(f"{path.name} is not in the {expected} layout (header {header_text[:200]!r})")
        if source is None:
            yield _unrecognized(path, header_text)
            return
        yield from _read_rows(source, path.name, _Columns(header), _csv_rows(lines, reader), fetched_at)


def _unrecognized(path: Path, header: str) -> Rejected:
    return Rejected(None, None, "not a known registry layout (by its header)", {"_text": header[:2000]},
                    f"{path.name}:1")  # fmt: skip


class _NotAnArray(ValueError):
    """The JSON file's top level is not an array: not a dump of rows (a manifest, a config)."""


_JSON_CHUNK = 1 << 20


def _json_elements(handle: BinaryIO) -> Iterator[object]:
    """The elements of a top-level JSON array, decoded one at a time from 1 MiB chunks (an API dump can be large).
    Raises `_NotAnArray`, or ValueError at the first malformed element."""
    decoder = json.JSONDecoder()
    text_decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    buffer, position, eof = "", 0, False

    def more() -> None:
        nonlocal buffer, position, eof
        chunk = handle.read(_JSON_CHUNK)
        eof = not chunk
        buffer = buffer[position:] + text_decoder.decode(chunk, final=eof)
        position = 0

    def skip(blanks: str) -> None:
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position] in blanks:
                position += 1
            if position < len(buffer) or eof:
                return
            more()

    skip(" \t\r\n\ufeff")
    if buffer[position : position + 1] != "[":
        raise _NotAnArray(f"starts with {buffer[position : position + 20]!r}")
    position += 1
    while True:
        skip(" \t\r\n,")
        if position >= len(buffer):
            raise ValueError("the array is not closed")
        if buffer[position] == "]":
            return
        while True:
            try:
                element, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError:
                if eof:
                    raise
                more()
                continue
            if end < len(buffer) or eof:
                break
            more()  # it ended with the buffer: a number may go on in the next chunk
        position = end
        yield element


def _read_json(path: Path, fetched_at: datetime, expected: str | None) -> Iterator[CandidateRecord | Rejected]:
    """A JSON API dump: an array of objects whose field names are the columns in lower case (Socrata leaves out
    null fields, so each object is read by name). A file whose top level is not an array holds no rows (the
    sandbox's `manifest.json`) and is skipped."""
    with path.open("rb") as handle:
        elements = _json_elements(handle)
        try:
            first = next(elements, None)
        except _NotAnArray:
            logger.info("skipping %s: not a JSON array of registry rows", path)
            return
        except ValueError as error:
            yield Rejected(None, None, f"malformed JSON, file not read ({error})", {}, f"{path.name}:0")
            return
        if first is None:
            return
        source = detect_layout(first) if isinstance(first, dict) else None
        if expected is not None and source != expected:
            raise ValueError(f"{path.name} is not in the {expected} layout")
        if source is None:
            yield _unrecognized(path, json.dumps(first)[:2000])
            return
        keys = [_key(name) for name in _BY_SOURCE[source].columns]

        def rows() -> Iterator[_Row]:
            index, element = 0, first
            while True:
                text = json.dumps(element)
                if isinstance(element, dict):
                    values = {_key(name): value for name, value in element.items()}
                    yield index, ["" if values.get(k) is None else str(values[k]) for k in keys], text, None
                else:
                    yield index, None, text, "array element is not an object"
                index += 1
                try:
                    element = next(elements)
                except StopIteration:
                    return
                except ValueError as error:
                    yield index, None, "", f"malformed JSON, rest of the file not read ({error})"
                    return

        yield from _read_rows(source, path.name, _Columns(_BY_SOURCE[source].columns), rows(), fetched_at)


def _read(path: Path, fetched_at: datetime, expected: str | None) -> Iterator[CandidateRecord | Rejected]:
    if path.suffix.lower() == ".json":
        return _read_json(path, fetched_at, expected)
    return _read_csv(path, fetched_at, expected)


def read_registry_file(path: Path, fetched_at: datetime) -> Iterator[CandidateRecord | Rejected]:
    """Records and rejects of one registry file (`.csv`, or `.json` for an API dump), its layout detected by its
    header; a file of no known layout yields one `Rejected` whose `source` is None."""
    return _read(path, fetched_at, None)


def read_ca_file(path: Path, fetched_at: datetime) -> Iterator[CandidateRecord | Rejected]:
    """A CSLB License Master file; ValueError (on first iteration) if its header is not that layout."""
    return _read(path, fetched_at, "license_ca")


def read_wa_file(path: Path, fetched_at: datetime) -> Iterator[CandidateRecord | Rejected]:
    """A WA L&I contractor file (CSV header in either case, or an API JSON dump); ValueError otherwise."""
    return _read(path, fetched_at, "license_wa")


def read_tx_file(path: Path, fetched_at: datetime) -> Iterator[CandidateRecord | Rejected]:
    """A TDLR all-licenses export, contractor trades only (`TX_CONTRACTOR_LICENSE_TYPES`); ValueError otherwise."""
    return _read(path, fetched_at, "license_tx")


REGISTRY_SUFFIXES: Final = (".csv", ".json")


def read_registry_folder(folder: Path, fetched_at: datetime) -> Iterator[CandidateRecord | Rejected]:
    """Every `.csv`/`.json` file of a folder in name order (other files, like temporary downloads, are ignored)."""
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() in REGISTRY_SUFFIXES:
            yield from read_registry_file(path, fetched_at)
