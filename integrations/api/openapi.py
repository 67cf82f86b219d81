"""The contract's own OpenAPI document, served as one self-contained JSON file.

The copied YAML refers to the event schemas as separate files (`./events/<Type>.schema.json`); a browser or a
test tool reading `/ai-outreach/openapi.json` cannot fetch those, so each referenced file is embedded under
`components/schemas` and every reference is rewritten to point inside the document. Nothing else changes.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from integrations.contracts import EVENTS_DIR, load_openapi

_EXTERNAL_PREFIX = "./events/"


def _component_name(filename: str) -> str:
    """`UserCreatedEvent.schema.json` → `UserCreatedEventData`; `common.schema.json` → `Common`."""
    stem = filename.removesuffix(".schema.json")
    return "Common" if stem == "common" else "CloudEventEnvelope" if stem == "cloudevent" else f"{stem}Data"


def _rewrite(node: Any, here: str, needed: set[str]) -> Any:
    """Rewrite `$ref`s of a schema that lives at `#/components/schemas/<here>` (`here` = "" for the document)."""
    if isinstance(node, list):
        return [_rewrite(item, here, needed) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            out[key] = _resolve(value, here, needed)
        elif key == "$schema" and here:
            continue
        else:
            out[key] = _rewrite(value, here, needed)
    return out


def _resolve(ref: str, here: str, needed: set[str]) -> str:
    target, _, pointer = ref.partition("#")
    if not target:
        return f"#/components/schemas/{here}{pointer}" if here else ref
    filename = target.removeprefix(_EXTERNAL_PREFIX)
    needed.add(filename)
    return f"#/components/schemas/{_component_name(filename)}{pointer}"


@cache
def bundled_openapi() -> dict[str, Any]:
    document = copy.deepcopy(load_openapi("ai-outreach"))
    needed: set[str] = set()
    document = _rewrite(document, "", needed)
    done: set[str] = set()
    while needed - done:
        filename = sorted(needed - done)[0]
        done.add(filename)
        name = _component_name(filename)
        schema = json.loads((EVENTS_DIR / filename).read_text())
        document["components"]["schemas"][name] = _rewrite(schema, name, needed)
    return document
