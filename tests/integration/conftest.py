"""Fixtures of the API integration tests: our API on a fresh database of its own per test module."""

import pytest
from fixtures.api_server import fresh_database, running_api


@pytest.fixture(scope="module")
def api(pg_server_url, sandbox):
    with fresh_database(pg_server_url) as url, running_api(url, sandbox.url) as running:
        yield running


@pytest.fixture(scope="module")
def client(api):
    with api.client() as http:
        yield http
