from datetime import date

import pytest

from integrations.contracts import load_openapi
from outreach.ingestion.endpoints import ENDPOINTS
from outreach.ingestion.ingest import request_params
from outreach.settings import DOMAINS

SPEC = load_openapi("domains")


def _resolve(schema: dict) -> dict:
    ref = schema.get("$ref", "")
    return SPEC["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref.startswith("#/") else schema


@pytest.mark.parametrize("spec", ENDPOINTS, ids=lambda s: s.name)
def test_every_endpoint_is_a_list_path_of_the_contract(spec) -> None:
    operation = SPEC["paths"][spec.path]["get"]
    page_schema = _resolve(operation["responses"]["200"]["content"]["application/json"]["schema"])
    assert page_schema["properties"]["items"]["items"]["$ref"].endswith(f"/{spec.component}")
    assert spec.domain in DOMAINS


@pytest.mark.parametrize("spec", ENDPOINTS, ids=lambda s: s.name)
def test_columns_and_keys_are_fields_of_the_contract_item(spec) -> None:
    item = SPEC["components"]["schemas"][spec.component]
    assert {c.field for c in spec.columns} == set(item["properties"])
    assert set(spec.key) <= {c.name for c in spec.columns}


def test_contact_fields_of_potential_contractors_are_encrypted() -> None:
    spec = next(s for s in ENDPOINTS if s.name == "potential_contractors")
    assert {c.name for c in spec.columns if c.encrypted} == {"name", "email", "phone"}
    assert {"name_enc", "email_enc", "phone_enc"} <= set(spec.column_names)


def test_request_params_pin_each_window_to_the_partition_day() -> None:
    by_name = {s.name: s for s in ENDPOINTS}
    day = date(2026, 3, 14)
    assert request_params(by_name["project_trends"], day) == {"since": "2026-03-14", "until": "2026-03-14"}
    assert request_params(by_name["specialty_demand"], day) == {"as_of": "2026-03-14T23:59:59Z"}
    assert request_params(by_name["open_projects"], day) == {"status": "open"}
    assert request_params(by_name["labor_coverage"], day) == {}
