"""Schemathesis against our contract on the live API: generated requests for every operation (valid and invalid by
the schema) never get a 5xx, and every answer conforms to the contract (status code, content type, headers, body).

To reach past the first gate, requests carry what a real caller has: a bearer token with every scope, and on the
signed intake paths a valid Standard Webhooks signature over the generated body, so the event checks themselves
are what is exercised. Bounded: a few examples per operation, no shrinking database, well under a minute."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx
import pytest
import schemathesis
from fixtures.api_server import signed_headers
from hypothesis import HealthCheck, Phase, given, settings
from joserfc import jwt
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from integrations.api.config import ApiConfig
from integrations.api.intake import PUBLISHER
from integrations.contracts import CONTRACTS_DIR

pytestmark = pytest.mark.integration

SCHEMA = schemathesis.openapi.from_path(CONTRACTS_DIR / "ai-outreach.openapi.yaml")
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
EXAMPLES_PER_OPERATION = 25
SECRETS = ApiConfig().webhook_secrets()


@pytest.fixture(scope="module")
def bearer(sandbox) -> str:
    key = sandbox.sandbox.authority.key
    now = int(time.time())
    return jwt.encode({"alg": "RS256", "kid": key.kid}, {
        "iss": "https://auth.instabids.example", "aud": "ai-outreach", "sub": "schemathesis",
        "scope": "outreach.read outreach.pii outreach.admin", "iat": now, "exp": now + 3600}, key)


def signed(kwargs: dict) -> dict:
    """The request as its publisher would send it: each generated event's `source` set to the publisher of its
    type (a random one is refused at the signature, before anything interesting), the body signed with its secret."""
    payload = kwargs.pop("json", None)
    events = payload if isinstance(payload, list) else [payload]
    for event in events:
        if isinstance(event, dict) and event.get("type") in PUBLISHER:
            event["source"] = PUBLISHER[event["type"]]
    body = json.dumps(payload).encode() if payload is not None else kwargs.pop("data", b"") or b""
    source = events[0].get("source") if events and isinstance(events[0], dict) else None
    secret = SECRETS.get(source, SECRETS["/instabids/messaging"])
    headers = signed_headers(body, secret, at=datetime.now(tz=UTC))
    headers["content-type"] = kwargs["headers"].get("Content-Type", "application/cloudevents+json")
    return {**kwargs, "content": body, "headers": {**kwargs["headers"], **headers}}


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_generated_requests_get_conforming_answers_and_no_5xx(api, bearer, operation) -> None:
    seen: list[int] = []

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def exchange(case) -> None:
        kwargs = case.as_transport_kwargs(base_url=api.url)
        kwargs["headers"]["authorization"] = f"Bearer {bearer}"
        if "webhook-signature" in kwargs["headers"]:
            kwargs = signed(kwargs)
        elif "json" in kwargs:
            kwargs["content"] = json.dumps(kwargs.pop("json")).encode()
        kwargs.pop("cookies", None)
        response = httpx.request(timeout=10, **kwargs)
        seen.append(response.status_code)
        case.validate_response(response, checks=CHECKS)

    exchange()
    assert seen and max(seen) < 500
