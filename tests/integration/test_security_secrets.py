"""Secrets come from the environment only and never reach a log line: with every secret set to a fresh value, the
API, the domain clients, the relay and the event handling run their success and failure paths (the paths where a
secret is most likely to be echoed) while the process's log output is captured at DEBUG; no secret value, nor its
encoded key material, appears in it. The values set are the ones in force: the development defaults stop working."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

import httpx
import psycopg
import pytest
from fixtures.api_server import body_of, example_event, fresh_database, running_api, signed_headers
from fixtures.telemetry import captured_logs
from joserfc import jwt
from joserfc.jwk import RSAKey

from integrations.contracts.dev_secrets import default_webhook_secret
from integrations.instabids import Unauthorized
from outreach.domain_clients import build_clients
from outreach.events.outbox import publish
from outreach.events.relay import relay_pending
from outreach.privacy.crypto import load_blind_indexer, load_cipher
from outreach.settings import DOMAINS, Settings

pytestmark = pytest.mark.integration


def webhook_secret() -> tuple[str, str]:
    key = base64.b64encode(secrets.token_bytes(24)).decode()
    return f"whsec_{key}", key


@pytest.fixture
def environment(monkeypatch, sandbox, tmp_path) -> dict[str, str]:
    """Every secret of the platform set to a fresh value, as a deployment's secret store would."""
    social, social_key = webhook_secret()
    bus, bus_key = webhook_secret()
    pii_key = base64.b64encode(secrets.token_bytes(32)).decode()
    index_key = base64.b64encode(secrets.token_bytes(32)).decode()
    values = {
        "INSTABIDS_WEBHOOK_SECRET_SOCIAL": social,
        "INSTABIDS_EVENT_BUS_SECRET": bus,
        "INSTABIDS_CLIENT_SECRET": "client-" + secrets.token_urlsafe(24),
        "OUTREACH_PII_KEYS": f"prod1:{pii_key}",
        "OUTREACH_BLIND_INDEX_KEY": index_key,
        "OPENAI_API_KEY": "sk-" + secrets.token_urlsafe(32),
        "OUTREACH_UNSUBSCRIBE_KEY": secrets.token_urlsafe(32),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    for domain in DOMAINS:
        monkeypatch.setenv(f"INSTABIDS_{domain.upper()}_URL", sandbox.url)
    monkeypatch.setenv("INSTABIDS_EVENT_BUS_URL", f"{sandbox.url}/event-bus/events")
    monkeypatch.setenv("OUTREACH_STATE_DIR", str(tmp_path))
    return {**values, "social key": social_key, "bus key": bus_key, "pii key": pii_key}


@pytest.fixture
def log_output():
    with captured_logs() as stream:
        yield stream


def test_no_secret_appears_in_the_logs_of_a_run(environment, log_output, pg_server_url, sandbox) -> None:
    with fresh_database(pg_server_url) as url, running_api(url, sandbox.url) as api, api.client() as client:
        event = example_event("ReferralCreatedEvent")
        body = body_of(event)
        accepted = client.post("/ai-outreach/events", content=body,
                               headers=signed_headers(body, environment["INSTABIDS_WEBHOOK_SECRET_SOCIAL"]))
        assert accepted.status_code == 202, accepted.text
        default = client.post("/ai-outreach/events", content=body,
                              headers=signed_headers(body, default_webhook_secret("SOCIAL")))
        assert default.status_code == 401  # the environment's secret replaced the development one
        forged = jwt.encode({"alg": "RS256", "kid": "k"}, {"sub": "x"}, RSAKey.generate_key(2048, private=True))
        assert client.get("/ai-outreach/prospects/search", headers={"authorization": f"Bearer {forged}"}
                          ).status_code == 401

        settings = Settings()
        with build_clients(settings) as clients, pytest.raises(Unauthorized):
            next(clients.labor.coverage(limit=1))  # the sandbox knows only its development client secret

        with psycopg.connect(url) as conn:
            publish(conn, "OutreachReferralEvent", key="secrets-test", occurred_at=datetime.now(UTC), data={
                "referral_id": event["data"]["referral_id"], "campaign_id": event["data"]["campaign_id"],
                "referrer_user_id": event["data"]["referrer_user_id"], "prospect_id": None,
                "created_at": event["data"]["created_at"]})
            conn.commit()
            with httpx.Client(timeout=10) as http:
                result = relay_pending(conn, http, settings.event_bus_url(), settings.event_bus_signing_secret(),
                                       datetime.now(UTC))
        assert result.retrying == 1  # signed with the environment's secret, which the sandbox's bus does not know

    assert load_cipher(settings.state_dir).active_kid == "prod1"
    assert load_blind_indexer(settings.state_dir).key == base64.b64decode(environment["OUTREACH_BLIND_INDEX_KEY"])
    assert not list(settings.state_dir.glob("*key*"))  # nothing written to files when the environment has them

    output = log_output.getvalue()
    assert output.count("\n") >= 5, output  # the run logged: the absence below is not for lack of lines
    leaked = {name for name, value in environment.items() if value in output}
    assert leaked == set()
