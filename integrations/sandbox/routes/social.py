"""Social Sharing & Referrals: the contractor network and potential contractors (a discovery source)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from integrations.sandbox.auth import Principal
from integrations.sandbox.routes.common import guard, ok, sandbox_of
from integrations.sandbox.users import User

router = APIRouter(tags=["social"])
SERVICE = "social"
SocialRead = Annotated[Principal, guard(SERVICE, "social.read")]


@router.get("/social/network/contractors")
def network_contractors(request: Request, principal: SocialRead) -> JSONResponse:
    sandbox = sandbox_of(request)
    cursor = sandbox.pager.open(request.query_params, request.url.path)
    world, runtime = sandbox.world, sandbox.runtime
    with sandbox.lock:
        contractors = [u for u in runtime.users if u.role == "contractor"]
        registered = set(runtime.registered)

    def item(user: User) -> dict:
        referred = world.referred_entities.get(user.user_id, ())
        return {
            "user_id": user.user_id,
            "connections_count": user.connections + len(referred),
            "referrals_made": user.past_referrals + len(referred),
            "referrals_converted": user.past_converted + sum(1 for e in referred if e in registered),
        }

    return ok(sandbox.pager.page(contractors, cursor, item))


@router.get("/social/connections/potential-contractors")
def potential_contractors(request: Request,
                          principal: SocialRead) -> JSONResponse:
    """Candidates whose business registered in the meantime drop out (keyset paging keeps pages stable)."""
    sandbox = sandbox_of(request)
    cursor = sandbox.pager.open(request.query_params, request.url.path)
    world = sandbox.world
    with sandbox.lock:
        registered = set(sandbox.runtime.registered)
    return ok(sandbox.pager.page_filtered(
        world.social, lambda item: world.social_entity[item["candidate_id"]] not in registered, cursor))
