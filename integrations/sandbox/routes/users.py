"""User Management: users by id, search, and contractor account creation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from integrations.sandbox.auth import Principal
from integrations.sandbox.geo import CITIES
from integrations.sandbox.ids import iso, stable_uuid
from integrations.sandbox.problems import ProblemError, bad_request
from integrations.sandbox.routes.common import (
    PHONE_RE,
    UUID_RE,
    JsonBody,
    guard,
    idempotent,
    ok,
    sandbox_of,
    validate,
)
from integrations.sandbox.users import User

router = APIRouter(tags=["user-management"])
SERVICE = "user-management"
UsersRead = Annotated[Principal, guard(SERVICE, "users.read")]
UsersWrite = Annotated[Principal, guard(SERVICE, "users.write")]
REGIONS = {city.region: index for index, city in enumerate(CITIES)}


@router.get("/users/search")
def search_users(request: Request, principal: UsersRead) -> JSONResponse:
    sandbox = sandbox_of(request)
    query = request.query_params
    email, phone, name = query.get("email"), query.get("phone"), query.get("business_name")
    if not (email or phone or name):
        raise bad_request("give at least one of email, phone, business_name")
    if email is not None and ("@" not in email or len(email) > 254):
        raise bad_request("email must be an email address")
    if phone is not None and not PHONE_RE.match(phone):
        raise bad_request("phone must be E.164, e.g. +16195550142")
    if name is not None and not 1 <= len(name) <= 200:
        raise bad_request("business_name must be 1..200 characters")
    cursor = sandbox.pager.open(query, request.url.path)
    runtime = sandbox.runtime
    with sandbox.lock:
        if email:
            candidates = list(runtime.user_by_email.get(email.lower(), []))
        elif phone:
            candidates = list(runtime.user_by_phone.get(phone, []))
        else:
            candidates = list(runtime.users)
    needle = name.lower() if name else None
    matches = [
        u for u in candidates
        if (not email or (u.email or "").lower() == email.lower())
        and (not phone or u.phone == phone)
        and (not needle or needle in (u.business_name or "").lower())
    ]
    return ok(sandbox.pager.page(matches, cursor, User.item))


@router.get("/users/{user_id}")
def get_user(user_id: str, request: Request, principal: UsersRead) -> JSONResponse:
    sandbox = sandbox_of(request)
    user = sandbox.runtime.user_by_id.get(user_id) if UUID_RE.match(user_id) else None
    if user is None:
        raise ProblemError(404, "not_found", f"no user {user_id}")
    return ok(user.item())


@router.post("/users/contractors")
def create_contractor(request: Request, payload: JsonBody,
                      principal: UsersWrite) -> JSONResponse:
    validate("CreateContractorRequest", payload)
    sandbox = sandbox_of(request)

    def execute() -> tuple[int, dict]:
        runtime = sandbox.runtime
        email, phone = payload["email"], payload["phone"]
        if runtime.user_exists(email, phone):
            raise ProblemError(409, "user_exists", "a user with this email or phone exists; see GET /users/search")
        now = sandbox.clock.timestamp()
        world = sandbox.world
        entity = (world.entity_for_address("email", email) if email else None) or (
            world.entity_for_address("sms", phone) if phone else None)
        city_index = REGIONS.get(payload["region"])
        user = User(
            stable_uuid(sandbox.config.seed, "user", principal.client_id, request.headers["idempotency-key"]),
            "contractor", email, phone, payload["business_name"], iso(now), city_index=city_index,
            specialties=tuple(payload["specialties"]), entity_id=entity.entity_id if entity else None,
            prospect_id=payload["prospect_id"],
        )
        runtime.add_user(user)
        link = runtime.link_prospect(payload["prospect_id"], user.entity_id)
        link.user_id = user.user_id
        sandbox.reactions.on_contractor_created(user, now)
        return 201, {"user_id": user.user_id, "status": "invited" if payload["invite"] else "created"}

    return idempotent(request, principal, SERVICE, payload, execute)
