"""The InstaBids interface contracts, shipped with the package (a copy of the shared contracts).

The project must not read `../shared` at run time, so the OpenAPI files and event schemas live here as package
data. Helpers resolve relative `$ref`s the way the contracts' own validator does.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

CONTRACTS_DIR = Path(__file__).parent
EVENTS_DIR = CONTRACTS_DIR / "events"


@cache
def load_openapi(name: str) -> dict[str, Any]:
    """`name` is `domains` or `ai-outreach`."""
    return yaml.safe_load((CONTRACTS_DIR / f"{name}.openapi.yaml").read_text())


@cache
def _registry() -> Registry:
    resources: list[tuple[str, Resource]] = []
    for path in EVENTS_DIR.glob("*.json"):
        resources.append((path.name, DRAFT202012.create_resource(json.loads(path.read_text()))))
    for name in ("domains", "ai-outreach"):
        resources.append((f"{name}.openapi.yaml", DRAFT202012.create_resource(load_openapi(name))))
    # The OpenAPI files refer to './events/common.schema.json'; events refer to 'common.schema.json'.
    common = json.loads((EVENTS_DIR / "common.schema.json").read_text())
    resources.append(("events/common.schema.json", DRAFT202012.create_resource(common)))
    return Registry().with_resources(resources)


@cache
def event_data_validator(event_type: str) -> Draft202012Validator:
    """Validator for the `data` of one event type."""
    schema = json.loads((EVENTS_DIR / f"{event_type}.schema.json").read_text())
    return Draft202012Validator(
        {**schema, "$id": f"{event_type}.schema.json"},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@cache
def cloudevent_validator() -> Draft202012Validator:
    schema = json.loads((EVENTS_DIR / "cloudevent.schema.json").read_text())
    return Draft202012Validator(
        {**schema, "$id": "cloudevent.schema.json"},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@cache
def component_validator(api: str, component: str) -> Draft202012Validator:
    """Validator for `#/components/schemas/<component>` of one OpenAPI file (`domains` or `ai-outreach`)."""
    ref = f"{api}.openapi.yaml#/components/schemas/{component}"
    return Draft202012Validator(
        {"$ref": ref}, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def event_types() -> list[str]:
    return sorted(p.name.removesuffix(".schema.json") for p in EVENTS_DIR.glob("*Event.schema.json"))
