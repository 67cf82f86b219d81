"""The oracle: the hidden true propensities of the businesses behind our prospect ids (sandbox only, no auth).

    POST /sandbox/oracle/propensities    {"prospect_ids": ["<uuid>", ...]}   (at most MAX_IDS)
    200 {"items": [{"prospect_id", "entity_id", "p_respond", "p_interest", "p_convert"}, ...],
         "unknown": ["<uuid>", ...]}

Scoring is evaluated against these numbers (`outreach model evaluate`: `oracle_auc` is the ROC AUC of `p_convert`
on the model's holdout, the ceiling a model can reach on those outcomes). A prospect id is known once the sandbox
has linked it to a business - through the recipients of our messages or `POST /users/contractors` (the same links
as `GET /sandbox/truth/prospects`); the business it was linked to most often answers for it. Ids never linked
(never contacted) are listed in `unknown`. A POST with a list in the body, not a paginated GET, because an
evaluation asks about one holdout's ids, not every prospect the sandbox ever saw.

Never part of the domain contracts: production has no oracle, and nothing outside evaluation and simulation
calls it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from integrations.sandbox.problems import bad_request
from integrations.sandbox.routes.common import UUID_RE, JsonBody, ok, sandbox_of

router = APIRouter(prefix="/sandbox/oracle", tags=["sandbox"])

MAX_IDS = 100_000


@router.post("/propensities")
def propensities(request: Request, payload: JsonBody) -> JSONResponse:
    ids = payload.get("prospect_ids") if isinstance(payload, dict) else None
    if not isinstance(ids, list) or len(ids) > MAX_IDS or not all(isinstance(i, str) and UUID_RE.match(i) for i in ids):
        raise bad_request(f'body must be {{"prospect_ids": [...]}} with at most {MAX_IDS} lower-case UUIDs')
    sandbox = sandbox_of(request)
    items, unknown = [], []
    with sandbox.lock:
        links = sandbox.runtime.prospects
        for prospect_id in dict.fromkeys(ids):
            link = links.get(prospect_id)
            entity_id = link.entities.most_common(1)[0][0] if link is not None and link.entities else None
            entity = sandbox.world.entity_by_id.get(entity_id) if entity_id else None
            if entity is None:
                unknown.append(prospect_id)
                continue
            items.append({"prospect_id": prospect_id, "entity_id": entity_id, "p_respond": entity.p_respond,
                          "p_interest": entity.p_interest, "p_convert": entity.p_convert})
    return ok({"items": items, "unknown": unknown})
