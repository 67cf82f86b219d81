"""Sandbox-only endpoints (no auth, never part of the contract): health, run-time settings, the clock, event
flushing and inspection, and the hidden truth used to evaluate discovery, resolution and scoring."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from integrations.sandbox.events import STATUSES
from integrations.sandbox.ids import iso, parse_iso
from integrations.sandbox.problems import bad_request
from integrations.sandbox.routes.common import JsonBody, ok, sandbox_of
from integrations.sandbox.world import SOURCES, entity_truth

router = APIRouter(prefix="/sandbox", tags=["sandbox"])

_SETTING_ALIASES = {"rate_limit": "rate_limit_per_second", "messaging_rate_limit": "messaging_rate_limit_per_minute"}


@router.get("/health")
def health(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    world = sandbox.world
    return ok({
        "status": "ok",
        "seed": world.seed,
        "scale": world.scale,
        "anchor": world.anchor.isoformat(),
        "now": iso(sandbox.clock.now()),
        "entities": len(world.entities),
        "source_records": len(world.records),
        "users": len(sandbox.runtime.users),
        "events": sandbox.events.counts(),
        "bus_received": len(sandbox.bus.received),
        "robots_violations": sandbox.robots_violations,
        "registry_files": [str(p) for p in sandbox.registry_files],
    })


@router.get("/config")
def get_config(request: Request) -> JSONResponse:
    return ok(sandbox_of(request).settings())


def _number(changes: dict, name: str, low: float, high: float | None, integer: bool) -> None:
    if name not in changes:
        return
    value = changes[name]
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value < low or (high is not None and value > high):
        raise bad_request(f"{name} must be a number within {low}..{high if high is not None else 'inf'}")


@router.post("/config")
def set_config(request: Request, payload: JsonBody) -> JSONResponse:
    if not isinstance(payload, dict):
        raise bad_request("body must be a JSON object")
    changes = {_SETTING_ALIASES.get(k, k): v for k, v in payload.items()}
    unknown = set(changes) - {"failure_rate", "latency_ms", "rate_limit_per_second",
                              "messaging_rate_limit_per_minute", "webhook_url"}
    if unknown:
        raise bad_request(f"unknown settings: {', '.join(sorted(unknown))}")
    _number(changes, "failure_rate", 0, 1, integer=False)
    _number(changes, "latency_ms", 0, 60_000, integer=True)
    _number(changes, "rate_limit_per_second", 0.001, None, integer=False)
    _number(changes, "messaging_rate_limit_per_minute", 0, None, integer=True)
    url = changes.get("webhook_url")
    if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        raise bad_request("webhook_url must be an http(s) URL or null")
    return ok(sandbox_of(request).update_settings(changes))


def _clock(request: Request) -> dict:
    clock = sandbox_of(request).clock
    now = clock.now()
    return {"now": iso(now), "today": now.date().isoformat(), "offset_seconds": round(clock.offset_seconds, 3)}


@router.get("/clock")
def get_clock(request: Request) -> JSONResponse:
    return ok(_clock(request))


@router.post("/clock")
def set_clock(request: Request, payload: JsonBody) -> JSONResponse:
    """`{"advance_seconds": N}` or `{"now": "...Z"}`; the clock never goes back."""
    sandbox = sandbox_of(request)
    if not isinstance(payload, dict) or len(payload) != 1 or not {"advance_seconds", "now"} & set(payload):
        raise bad_request('give exactly one of {"advance_seconds": N} or {"now": "YYYY-MM-DDTHH:MM:SSZ"}')
    try:
        if "advance_seconds" in payload:
            seconds = payload["advance_seconds"]
            if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                raise ValueError("advance_seconds must be a number")
            sandbox.clock.advance(float(seconds))
        else:
            sandbox.clock.set(parse_iso(str(payload["now"])))
    except ValueError as exc:
        raise bad_request(str(exc)) from exc
    sandbox.tick()
    return ok(_clock(request))


@router.post("/events/flush")
def flush(request: Request) -> JSONResponse:
    """Deliver every event due at sandbox-now, synchronously; returns what happened."""
    result = sandbox_of(request).flush()
    result["now"] = iso(result["now"])
    return ok(result)


@router.get("/emitted-events")
def emitted_events(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    event_type, status = request.query_params.get("type"), request.query_params.get("status")
    if status is not None and status not in STATUSES:
        raise bad_request(f"status must be one of {', '.join(STATUSES)}")
    cursor = sandbox.pager.open(request.query_params, request.url.path)
    return ok(sandbox.pager.page(sandbox.events.select(event_type, status), cursor, lambda e: e.item()))


@router.get("/truth/entities")
def truth_entities(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    cursor = sandbox.pager.open(request.query_params, request.url.path)
    with sandbox.lock:
        registered = dict(sandbox.runtime.registered)

    def item(entity) -> dict:
        return {**entity_truth(entity), "registered_user_id": registered.get(entity.entity_id)}

    return ok(sandbox.pager.page(sandbox.world.entities, cursor, item))


@router.get("/truth/records")
def truth_records(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    source = request.query_params.get("source")
    if source is not None and source not in SOURCES:
        raise bad_request(f"source must be one of {', '.join(SOURCES)}")
    cursor = sandbox.pager.open(request.query_params, request.url.path)
    records = [r for r in sandbox.world.records if source is None or r.source == source]
    return ok(sandbox.pager.page(records, cursor, lambda r: r.item()))


@router.get("/truth/prospects")
def truth_prospects(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    cursor = sandbox.pager.open(request.query_params, request.url.path)
    world = sandbox.world
    with sandbox.lock:
        links = list(sandbox.runtime.prospects.values())
        items = []
        for link in links:
            best = link.entities.most_common(1)[0][0] if link.entities else None
            entity = world.entity_by_id.get(best) if best else None
            items.append({
                "prospect_id": link.prospect_id,
                "entity_id": best,
                "entity_ids": sorted(link.entities),
                "unmatched_addresses": link.unmatched_addresses,
                "messages": link.messages,
                "campaign_ids": sorted(link.campaigns),
                "user_id": link.user_id,
                "p_respond": entity.p_respond if entity else None,
                "p_interest": entity.p_interest if entity else None,
                "p_convert": entity.p_convert if entity else None,
            })
    return ok(sandbox.pager.page(items, cursor))
