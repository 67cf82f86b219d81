"""Every ingested endpoint, fetched from the real sandbox over HTTP and landed in raw, item for item."""

from datetime import UTC, date, datetime, timedelta

import pytest

from outreach.domain_clients import build_clients
from outreach.ingestion.endpoints import ENDPOINTS
from outreach.ingestion.ingest import ingest_endpoint, request_params
from outreach.privacy.crypto import load_cipher
from outreach.settings import Settings

pytestmark = pytest.mark.integration

DAY = datetime.now(UTC).date() - timedelta(days=1)  # a complete day: today may have no trends yet


@pytest.fixture
def clients(pipeline_env):
    bundle = build_clients(Settings())
    yield bundle
    bundle.close()


@pytest.mark.parametrize("spec", ENDPOINTS, ids=lambda s: s.name)
def test_each_endpoint_lands_every_item_of_its_partition(db, clients, spec, pipeline_env) -> None:
    cipher = load_cipher(Settings().state_dir)
    expected = sum(len(p) for p in clients.iter_pages(spec.domain, spec.path, request_params(spec, DAY)))
    result = ingest_endpoint(db, spec, DAY, clients.iter_pages, cipher)
    assert result.rows + result.quarantined == expected
    assert expected > 0, f"the sandbox returned no {spec.name}"
    (landed,) = db.execute(f"select count(*) from {spec.table} where partition_date = %s", (DAY,)).fetchone()
    assert landed == result.rows


def test_reingesting_the_same_day_gives_the_same_rows(db, clients, pipeline_env) -> None:
    spec = next(s for s in ENDPOINTS if s.name == "specialty_demand")
    cipher = load_cipher(Settings().state_dir)
    day = date(2026, 6, 1)
    query = f"select specialty, region, demand_index from {spec.table} where partition_date = %s order by 1, 2"
    ingest_endpoint(db, spec, day, clients.iter_pages, cipher)
    first = db.execute(query, (day,)).fetchall()
    ingest_endpoint(db, spec, day, clients.iter_pages, cipher)
    assert db.execute(query, (day,)).fetchall() == first
    assert first
