"""The Alembic schema matches the ingestion specs and migrating again changes nothing."""

import pytest
from alembic.script import ScriptDirectory

from outreach.ingestion.endpoints import ENDPOINTS
from outreach.storage.migrate import alembic_config, current_revision, upgrade

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
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    assert current_revision(database_url) == head


def test_no_table_has_a_plaintext_contact_column(db) -> None:
    """Contact data exists only encrypted (`*_enc`) or as a keyed blind index (`*_bidx`)."""
    rows = db.execute(
        "select table_schema || '.' || table_name || '.' || column_name from information_schema.columns "
        "where table_schema in ('raw', 'app') and column_name ~ '(^|_)(email|phone|contact_name|name)$' "
        "and column_name not in ('business_name', 'table_name')"
    ).fetchall()
    assert rows == []
