"""`GET /ai-outreach/prospects/search`: filters ANDed, score descending (nulls last) then prospect id, keyset pages.

Contact data stays encrypted at rest: email and phone are found by their blind index (never by decrypting rows),
`q` is matched against business_name in SQL and against the decrypted contact name only for the rows the other
filters leave (in page order, stopping once the page is full). Without `outreach.pii` email and phone are masked;
with it, every unmasked answer is recorded in `app.audit_log` in the same transaction as the read.
"""

from __future__ import annotations

from contextlib import aclosing
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from integrations.api import params
from integrations.api.audit import record_read
from integrations.api.auth import PII, Reader
from integrations.api.masking import mask_email, mask_phone
from integrations.api.queries import ProspectFilters, ProspectRow, iso, search_prospects
from integrations.api.state import State
from outreach.privacy.crypto import PiiCipher

router = APIRouter(prefix="/ai-outreach", tags=["prospects"])

PATH = "/ai-outreach/prospects/search"
STATUSES = ("discovered", "enriched", "scored", "contacted", "responded", "interested", "converted", "verified",
            "suppressed", "disqualified")


class _Contacts:
    """A row's contact fields, each decrypted at most once."""

    def __init__(self, row: ProspectRow, cipher: PiiCipher) -> None:
        self._row, self._cipher = row, cipher
        self._cache: dict[str, str | None] = {}

    def get(self, field: str) -> str | None:
        if field not in self._cache:
            blob = getattr(self._row, f"{field}_enc")
            self._cache[field] = self._cipher.decrypt(blob, f"app.prospects.{field}") or None
        return self._cache[field]


def _render(row: ProspectRow, contacts: _Contacts, unmasked: bool) -> dict[str, Any]:
    email, phone = contacts.get("email"), contacts.get("phone")
    return {
        "prospect_id": row.prospect_id,
        "business_name": row.business_name,
        "contact_name": contacts.get("contact_name"),
        "email": email if unmasked else mask_email(email),
        "phone": phone if unmasked else mask_phone(phone),
        "specialties": row.specialties,
        "region": row.region,
        "state": row.state,
        "city": row.city,
        "status": row.status,
        "score": row.score,
        "score_model_version": row.score_model_version,
        "last_contacted_at": iso(row.last_contacted_at),
        "created_at": iso(row.created_at),
    }


@router.get("/prospects/search")
async def search_prospects_endpoint(
    request: Request,
    principal: Reader,
    state: State,
    q: str | None = Query(None),
    email: str | None = Query(None),
    phone: str | None = Query(None),
    specialty: str | None = Query(None),
    region: str | None = Query(None),
    status: str | None = Query(None),
    min_score: str | None = Query(None),
    limit: str | None = Query(None),
    page_token: str | None = Query(None),
) -> JSONResponse:
    q = params.text("q", q, max_length=200)
    email = params.contract("email", email, "Email")
    phone = params.contract("phone", phone, "Phone")
    filters = ProspectFilters(
        q=q,
        email_bidx=state.indexer.index("email", email.lower()) if email else None,
        phone_bidx=state.indexer.index("phone", phone) if phone else None,
        specialty=params.contract("specialty", specialty, "Specialty"),
        region=params.contract("region", region, "Region"),
        status=params.choice("status", status, STATUSES),
        min_score=params.fraction("min_score", min_score),
    )
    size = params.limit(limit)
    cursor = state.pages.open(request, params.page_token(page_token), {})
    unmasked = PII in principal.scopes
    needle = q.casefold() if q else None
    matched: list[tuple[ProspectRow, _Contacts]] = []
    async with state.pool.connection() as conn, conn.transaction():
        rows = search_prospects(conn, filters, cursor.after, None if needle else size + 1)
        async with aclosing(rows):
            async for row in rows:
                contacts = _Contacts(row, state.cipher)
                if needle and not row.business_name_matches:
                    name = contacts.get("contact_name")
                    if name is None or needle not in name.casefold():
                        continue
                matched.append((row, contacts))
                if len(matched) > size:
                    break
        page = matched[:size]
        items = [_render(row, contacts, unmasked) for row, contacts in page]
        revealed = sorted({f for item in items for f in ("email", "phone") if item[f] is not None})
        if unmasked and revealed:
            await record_read(conn, actor=principal.subject, purpose=f"GET {PATH}", subject_kind="prospect",
                              subject_ids=[item["prospect_id"] for item in items], fields=revealed)
    next_token = state.pages.next_token(request, cursor, page[-1][0].sort_key) if len(matched) > size else None
    return JSONResponse({"items": items, "next_page_token": next_token})
