"""User Management's OAuth2 endpoints: `POST /auth/token` and the JWKS."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from integrations.sandbox.auth import TokenError
from integrations.sandbox.problems import ProblemError, problem, problem_response
from integrations.sandbox.routes.common import ok, sandbox_of

router = APIRouter(tags=["user-management"])


def _limit(request: Request) -> None:
    sandbox = sandbox_of(request)
    client = request.client.host if request.client else "unknown"
    retry_after = sandbox.buckets.take(f"ip:{client}", "user-management")
    if retry_after is not None:
        raise ProblemError(429, "rate_limited", "too many token requests", headers={"Retry-After": str(retry_after)})


@router.post("/auth/token")
async def issue_token(request: Request) -> JSONResponse:
    _limit(request)
    sandbox = sandbox_of(request)
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        error = TokenError(400, "invalid_request", "use application/x-www-form-urlencoded")
    else:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            return ok(sandbox.authority.issue(form, request.headers.get("authorization")),
                      headers={"Cache-Control": "no-store"})
        except TokenError as exc:
            error = exc
    code = "unauthorized" if error.status == 401 else "invalid_request"
    headers = {"WWW-Authenticate": 'Basic realm="user-management"'} if error.status == 401 else None
    body = problem(error.status, code, error.detail, request.url.path, error=error.error)
    return problem_response(error.status, body, headers)


@router.get("/auth/.well-known/jwks.json")
def jwks(request: Request) -> JSONResponse:
    _limit(request)
    return ok(sandbox_of(request).authority.jwks())
