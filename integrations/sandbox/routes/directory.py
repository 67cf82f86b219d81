"""The public web part of the sandbox (no auth): robots.txt, the directory pages and the registry files."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from integrations.sandbox import directory as pages
from integrations.sandbox.geo import CITIES
from integrations.sandbox.problems import ProblemError, bad_request
from integrations.sandbox.registries import BY_FILENAME, FILES, render_csv
from integrations.sandbox.routes.common import ok, sandbox_of

router = APIRouter(tags=["web"])
CITY_BY_PATH = {(city.state.lower(), city.slug): index for index, city in enumerate(CITIES)}


@router.get("/robots.txt")
def robots(request: Request) -> PlainTextResponse:
    return PlainTextResponse(pages.robots_txt(sandbox_of(request).config.crawl_delay_seconds))


@router.get("/directory/")
def directory_index(request: Request) -> HTMLResponse:
    listings = sandbox_of(request).world.listings
    return HTMLResponse(pages.render_index({index: len(items) for index, items in listings.items()}))


@router.get("/directory/private/{rest:path}")
def directory_private(request: Request, rest: str = "") -> HTMLResponse:
    sandbox = sandbox_of(request)
    with sandbox.lock:
        sandbox.robots_violations += 1
    return HTMLResponse(pages.render_private())


@router.get("/directory/{state}/{city_slug}/")
def directory_city(state: str, city_slug: str, request: Request) -> HTMLResponse:
    index = CITY_BY_PATH.get((state, city_slug))
    if index is None:
        raise ProblemError(404, "not_found", f"no directory for {state}/{city_slug}")
    raw_page = request.query_params.get("page", "1")
    if not raw_page.isdigit():
        raise bad_request("page must be a positive integer")
    html = pages.render_city(index, sandbox_of(request).world.listings[index], int(raw_page))
    if html is None:
        raise ProblemError(404, "not_found", f"no page {raw_page}")
    return HTMLResponse(html)


@router.get("/registries/")
def registry_index(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    rows = sandbox.world.registry_rows
    return ok({**sandbox.registry_meta(), "files": [
        {"source": f.source, "file": f.filename, "url": f"/registries/{f.filename}", "layout": f.description,
         "id_column": f.id_column, "rows": len(rows[f.source])} for f in FILES]})


@router.get("/registries/{filename}")
def registry_file(filename: str, request: Request) -> Response:
    spec = BY_FILENAME.get(filename)
    if spec is None:
        raise ProblemError(404, "not_found", f"no registry file {filename}")
    text = render_csv(spec.header, sandbox_of(request).world.registry_rows[spec.source])
    return Response(text, media_type="text/csv; charset=utf-8")
