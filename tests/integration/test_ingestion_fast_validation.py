"""The compiled contract check agrees with the reference validator (`jsonschema`) on valid and broken items."""

from datetime import UTC, datetime, timedelta

import pytest

from integrations.contracts import component_validator
from outreach.ingestion.endpoints import ENDPOINTS
from outreach.ingestion.fast_validation import fast_component_validator
from outreach.ingestion.ingest import request_params
from outreach.ingestion.raw_writer import describe_violation

pytestmark = pytest.mark.integration

BREAKAGES = (
    lambda item, key: {k: v for k, v in item.items() if k != key},  # a field missing
    lambda item, key: item | {key: {"nested": True}},  # a wrong type
    lambda item, key: item | {key: "not-a-date-or-enum-或"},  # a wrong format, enum or pattern
    lambda item, key: item | {key: -1},  # out of range
    lambda item, key: item | {"unexpected_field": 1},  # an extra property
)


@pytest.fixture(scope="module")
def items(pipeline_env_module) -> dict[str, list[dict]]:
    """The first page of every endpoint of the sandbox (which serves the contract's shapes)."""
    from outreach.domain_clients import build_clients
    from outreach.settings import Settings

    day = datetime.now(UTC).date() - timedelta(days=1)
    clients = build_clients(Settings())
    try:
        return {spec.name: next(iter(clients.iter_pages(spec.domain, spec.path, request_params(spec, day))), [])
                for spec in ENDPOINTS}
    finally:
        clients.close()


@pytest.fixture(scope="module")
def pipeline_env_module(sandbox):
    from outreach.settings import DOMAINS

    with pytest.MonkeyPatch.context() as patch:
        for domain in DOMAINS:
            patch.setenv(f"INSTABIDS_{domain.upper()}_URL", sandbox.url)
        yield


@pytest.mark.parametrize("spec", ENDPOINTS, ids=lambda spec: spec.name)
def test_fast_and_reference_validators_agree(spec, items) -> None:
    reference = component_validator("domains", spec.component)
    fast = fast_component_validator("domains", spec.component)
    assert items[spec.name], f"no {spec.name} items to check"
    for item in items[spec.name][:20]:
        assert fast.is_valid(item) and describe_violation(reference, item) is None
        for key in item:
            for breakage in BREAKAGES:
                broken = breakage(item, key)
                assert fast.is_valid(broken) == (describe_violation(reference, broken) is None), (key, broken)
