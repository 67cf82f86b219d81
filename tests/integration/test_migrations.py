"""The Alembic schema matches the ingestion specs and migrating again changes nothing."""

import pytest

from outreach.ingestion.endpoints import ENDPOINTS
from outreach.storage.migrate import current_revision, upgrade

pytestmark = pytest.mark.integration


def _columns(db, schema: str, table: str) -> dict[str, str]:
    rows = db.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = %s and table_name = %s",
        (schema, table),
    ).fetchall()
    return dict(rows)


TYPE_NAMES = {
    "text": "text", "integer": "integer", "bigint": "bigint", "double precision": "double precision",
    "date": "date", "uuid": "uuid", "timestamptz": "timestamp with time zone", "bytea": "bytea",
}


@pytest.mark.parametrize("spec", ENDPOINTS, ids=lambda s: s.name)
def test_raw_table_columns_match_the_spec(db, spec) -> None:
    expected = {"partition_date": "date", "fetched_at": "timestamp with time zone", "payload": "jsonb"}
    expected |= {
        name: TYPE_NAMES[column.column_sql_type]
        for name, column in zip(spec.column_names, spec.columns, strict=True)
    }
    assert _columns(db, "raw", spec.name) == expected


def test_migrating_twice_is_a_no_op(database_url) -> None:
    upgrade(database_url)
    assert current_revision(database_url) == "0001"
