"""What the API answers looks like the contract: masked contacts, the bundled OpenAPI document, page tokens,
problem bodies, and configuration from the environment."""

from __future__ import annotations

import re

import pytest
from starlette.requests import Request

from integrations.api.config import ApiConfig
from integrations.api.masking import mask_email, mask_phone
from integrations.api.openapi import bundled_openapi
from integrations.api.pagination import Cursor, PageTokens
from integrations.api.problems import ProblemError, problem
from integrations.contracts import component_validator, load_openapi
from integrations.contracts.dev_secrets import default_webhook_secret


@pytest.mark.parametrize(("email", "masked"), [
    ("maria@cruzplumbing.com", "m***@cruzplumbing.com"), ("j@x.io", "j***@x.io"), ("@nolocal.com", None),
    ("no-at-sign", None), (None, None), (" space@x.com", None),
])
def test_emails_are_masked_in_the_contract_shape(email, masked) -> None:
    assert mask_email(email) == masked
    if masked:
        assert component_validator("ai-outreach", "MaskedEmail").is_valid(masked)


@pytest.mark.parametrize(("phone", "masked"), [
    ("+16195550142", "+1******0142"), ("+447911123456", "+4*******3456"), ("+123456", "+1*3456"),
    ("+12345", None), ("6195550142", None), (None, None),
])
def test_phones_are_masked_in_the_contract_shape(phone, masked) -> None:
    assert mask_phone(phone) == masked
    if masked:
        assert component_validator("ai-outreach", "MaskedPhone").is_valid(masked)


def test_the_served_document_is_the_contract_with_embedded_event_schemas() -> None:
    document = bundled_openapi()
    original = load_openapi("ai-outreach")
    assert document["paths"].keys() == original["paths"].keys()
    refs = re.findall(r"'\$ref': '([^']+)'", str(document))
    assert refs and all(ref.startswith("#/components/") for ref in refs)
    for ref in refs:  # every reference resolves inside the document
        node = document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
    assert "UserCreatedEventData" in document["components"]["schemas"]


def request_for(query: str, path: str = "/ai-outreach/prospects/search") -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "query_string": query.encode(), "headers": []})


def test_page_tokens_carry_the_position_and_snapshot_and_are_bound_to_the_query() -> None:
    tokens = PageTokens(b"k" * 32)
    first = request_for("q=plumb&limit=2")
    token = tokens.next_token(first, Cursor(None, {"to": "2025-03-01T00:00:00Z"}), [0.5, "id-1"])
    cursor = tokens.open(request_for(f"q=plumb&limit=5&page_token={token}"), token, {"to": "other"})
    assert cursor == Cursor([0.5, "id-1"], {"to": "2025-03-01T00:00:00Z"})
    for other in (request_for(f"q=roof&page_token={token}"),
                  request_for(f"q=plumb&page_token={token}", path="/ai-outreach/campaigns/analytics")):
        with pytest.raises(ProblemError) as caught:
            tokens.open(other, token, {})
        assert caught.value.status == 400
    with pytest.raises(ProblemError):
        PageTokens(b"x" * 32).open(request_for(f"q=plumb&page_token={token}"), token, {})
    with pytest.raises(ProblemError):
        tokens.open(request_for("q=plumb"), "ünïcode.tøken", {})


def test_problems_follow_rfc_9457() -> None:
    body = problem(413, "payload_too_large", "too big", "/ai-outreach/events")
    assert body == {"type": "https://errors.instabids.example/payload_too_large", "title": "Payload too large",
                    "status": 413, "detail": "too big", "instance": "/ai-outreach/events"}
    assert component_validator("ai-outreach", "Problem").is_valid(body)


def test_configuration_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("OUTREACH_API_HOST", "0.0.0.0")
    monkeypatch.setenv("OUTREACH_API_PORT", "9000")
    monkeypatch.setenv("INSTABIDS_USER_MANAGEMENT_URL", "https://users.example/")
    monkeypatch.setenv("INSTABIDS_WEBHOOK_SECRET_PAYMENT", "whsec_cGF5bWVudC1zZWNyZXQ=")
    for name in ("MESSAGING", "USER_MANAGEMENT", "PROJECT_MANAGEMENT", "SOCIAL", "LABOR_MARKETPLACE"):
        monkeypatch.delenv(f"INSTABIDS_WEBHOOK_SECRET_{name}", raising=False)
    config = ApiConfig()
    assert (config.host, config.port) == ("0.0.0.0", 9000)
    assert config.jwks_url() == "https://users.example/auth/.well-known/jwks.json"
    secrets = config.webhook_secrets()
    assert secrets["/instabids/payment"] == "whsec_cGF5bWVudC1zZWNyZXQ="
    assert secrets["/instabids/labor-marketplace"] == default_webhook_secret("LABOR_MARKETPLACE")
    assert "PAYMENT" not in config.services_on_development_secrets()
    assert "cGF5bWVudC1zZWNyZXQ" not in repr(config)


def test_defaults_listen_on_loopback_8600(monkeypatch) -> None:
    for name in ("OUTREACH_API_HOST", "OUTREACH_API_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert (ApiConfig().host, ApiConfig().port) == ("127.0.0.1", 8600)
