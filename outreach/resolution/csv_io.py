"""The CSV face of `resolve()`: the contract of `outreach resolve --input records.csv --output clusters.csv`.

Input: a header with at least `record_id` and the eight raw fields (extra columns are ignored), empty cells are
null, every value is read as text (a `record_id` of `007` stays `007`, a ZIP keeps its leading zero). Output:
`record_id,cluster_id`, one line per input record, in input order.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from outreach.resolution.clusters import resolve
from outreach.resolution.keys import RAW_FIELDS

INPUT_COLUMNS = ("record_id", *RAW_FIELDS)
OUTPUT_COLUMNS = ("record_id", "cluster_id")


class InputFormatError(ValueError):
    """The input file does not follow the CSV contract; the message says what to fix."""


def _read_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), None)
    if header is None:
        raise InputFormatError(f"{path} is empty: expected a header with {', '.join(INPUT_COLUMNS)}")
    return [name.strip() for name in header]


def read_records(input_path: str | Path) -> pd.DataFrame:
    """The input file as a frame of text columns (null for empty cells), after checking the header."""
    path = Path(input_path)
    header = _read_header(path)
    missing = [column for column in INPUT_COLUMNS if column not in header]
    if missing:
        raise InputFormatError(f"{path}: missing column(s) {', '.join(missing)} (expected {', '.join(INPUT_COLUMNS)})")
    if len(set(header)) != len(header):
        raise InputFormatError(f"{path}: repeated column name(s) in the header")
    try:
        records = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig", index_col=False
        )
    except pd.errors.ParserError as error:
        raise InputFormatError(f"{path}: not a well-formed CSV ({error})") from error
    records.columns = header
    records = records[list(INPUT_COLUMNS)]
    if records["record_id"].isna().any():
        row = int(records.index[records["record_id"].isna()][0]) + 1
        raise InputFormatError(f"{path}: empty record_id in data row {row}")
    repeated = records["record_id"][records["record_id"].duplicated()]
    if not repeated.empty:
        raise InputFormatError(f"{path}: record_id {repeated.iloc[0]!r} appears more than once")
    return records


def resolve_csv(input_path: str | Path, output_path: str | Path) -> int:
    """Resolve the records of `input_path` and write `record_id,cluster_id` to `output_path`.

    Returns the number of records written (every input record, once). Raises `InputFormatError` for a file
    that breaks the contract, before anything is written.
    """
    clusters = resolve(read_records(input_path))
    clusters.to_csv(output_path, index=False, columns=list(OUTPUT_COLUMNS), lineterminator="\n")
    return len(clusters)
