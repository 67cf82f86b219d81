"""Fixtures of the unit tests: the scripted stand-in of the InstaBids domains, one per test module."""

from collections.abc import Iterator

import pytest
from fixtures.scripted_domains import ScriptedDomains


@pytest.fixture(scope="module")
def domains() -> Iterator[ScriptedDomains]:
    server = ScriptedDomains()
    server.start()
    yield server
    server.stop()
