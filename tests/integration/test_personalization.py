"""The personalization engine with the real `openai` package against a local OpenAI-compatible server, and Postgres
for the cache and the usage ledger."""

import json
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from fixtures.openai_server import API_KEY, OpenAIServer, error, malformed, slow, structured
from pydantic import BaseModel

from integrations.llm import LlmClient, LlmRequestError, LlmUnavailable
from outreach.personalization import store
from outreach.personalization.engine import Personalizer
from outreach.personalization.facts import Facts
from outreach.personalization.settings import PersonalizationSettings
from outreach.templates.compliance import Recipient, missing_compliance, verify_unsubscribe_token
from outreach.templates.render import render

pytestmark = pytest.mark.integration

MODEL = "gpt-4o-mini"
UNSUBSCRIBE_KEY = "integration-test-unsubscribe-key-0123456789"
SETTINGS = PersonalizationSettings(OUTREACH_UNSUBSCRIBE_KEY=UNSUBSCRIBE_KEY)
SENDER = SETTINGS.sender()
# 180 prompt + 60 completion tokens (the server's default usage) at $0.00015 / $0.0006 per 1k tokens
EXPECTED_COST_MICROS = 63
GOOD_EMAIL = {
    "subject": "37 open plumbing projects near San Diego, CA",
    "opening": (
        "Homeowners in San Diego, CA have 37 open plumbing projects on InstaBids right now, and the average "
        "project value there is $12,346. Rivera Plumbing looks like a strong fit for them."
    ),
}


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as running:
        yield running


@pytest.fixture
def llm(server: OpenAIServer) -> Iterator[LlmClient]:
    server.reset()
    with LlmClient(server.url, API_KEY, MODEL, timeout=0.5, breaker_fail_max=3) as client:
        yield client


@pytest.fixture
def conn(db: psycopg.Connection) -> Iterator[psycopg.Connection]:
    yield db
    db.rollback()


@pytest.fixture
def personalizer(llm: LlmClient, conn: psycopg.Connection) -> Personalizer:
    return Personalizer(
        llm,
        conn=conn,
        price_prompt_per_1k=SETTINGS.llm_price_prompt_per_1k,
        price_completion_per_1k=SETTINGS.llm_price_completion_per_1k,
    )


def _facts(**changes) -> Facts:
    values = {
        "business_name": "Rivera Plumbing",
        "specialty": "plumbing",
        "region_name": "San Diego, CA",
        "source": "license_ca",
        "open_projects": 37,
        "average_project_value_cents": 1_234_550,
    }
    return Facts.from_values(**(values | changes))


def _recipient() -> Recipient:
    return Recipient(prospect_id=uuid.uuid4(), campaign_id=uuid.uuid4())


def _usage_rows(conn: psycopg.Connection, campaign_id: uuid.UUID) -> list[tuple]:
    return conn.execute(
        "select model, prompt_tokens, completion_tokens, cost_usd_micros, outcome, template_id "
        "from app.llm_usage where campaign_id = %s order by usage_id",
        (campaign_id,),
    ).fetchall()


def test_a_good_structured_reply_is_used(personalizer, server, conn) -> None:
    server.script(structured(GOOD_EMAIL))
    recipient = _recipient()
    composed = personalizer.compose("intro_email", "a", "email", _facts(), SENDER, recipient=recipient)

    assert (composed.method, composed.reason, composed.cached) == ("llm", None, False)
    message = composed.message
    assert message.subject == GOOD_EMAIL["subject"]
    assert GOOD_EMAIL["opening"] in message.body_text
    assert "InstaBids connects homeowners" not in message.body_text  # the template's own opening is replaced
    assert missing_compliance(message, SENDER) == []
    assert verify_unsubscribe_token(SETTINGS.unsubscribe_key_bytes(), message.unsubscribe_token).prospect_id == (
        recipient.prospect_id
    )
    assert composed.usage is not None and composed.usage.cost_usd_micros == EXPECTED_COST_MICROS

    (request,) = server.requests
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.body["model"] == MODEL
    schema = request.response_format
    assert schema["type"] == "json_schema" and schema["json_schema"]["strict"] is True
    assert set(schema["json_schema"]["schema"]["required"]) == {"subject", "opening"}
    prompt = json.loads(request.user_prompt)
    assert prompt["facts"] == {
        "business_name": "Rivera Plumbing", "specialty_label": "plumbing", "region_name": "San Diego, CA",
        "open_projects": 37, "average_project_value": "$12,346",
    }  # fmt: skip
    assert prompt["angle"] and prompt["step"] == "intro"

    assert _usage_rows(conn, recipient.campaign_id) == [
        (MODEL, 180, 60, EXPECTED_COST_MICROS, "used", "intro_email.v1")
    ]


def test_a_good_sms_reply_is_used(personalizer, server) -> None:
    text = "Hi Rivera Plumbing! Homeowners near San Diego, CA have 37 open plumbing projects on InstaBids."
    server.script(structured({"text": text}))
    composed = personalizer.compose("intro_sms", "b", "sms", _facts(), SENDER, recipient=_recipient())
    assert composed.method == "llm"
    assert composed.message.body.startswith(f"InstaBids: {text} Reply to learn more.")
    assert composed.message.body.endswith("Reply STOP to opt out.")
    assert server.requests[0].response_format["json_schema"]["schema"]["required"] == ["text"]


BAD_REPLIES = {
    "invented_number": (
        [structured({"subject": "Hi", "opening": "Join 5,000 contractors who already bid on InstaBids."})],
        "guardrails", "number_not_in_facts", 1, True,
    ),
    "income_promise": (
        [structured({"subject": "Hi", "opening": "Plumbers on InstaBids earn a guaranteed income every month."})],
        "guardrails", "income_claim", 1, True,
    ),
    "foreign_link": (
        [structured({"subject": "Hi", "opening": "Sign up at https://cheap-leads.example.com today."})],
        "guardrails", "foreign_url", 1, True,
    ),
    "malformed_json": ([malformed()], "parse_error", None, 1, True),
    "missing_field": ([structured({"subject": "Hi"})], "parse_error", None, 1, True),
    "server_error": ([error(500), error(500)], "llm_error", None, 2, False),  # at most 2 attempts
    "bad_request": ([error(400, "bad schema")], "llm_error", None, 1, False),  # not retried
    "timeout": ([slow(3, GOOD_EMAIL), slow(3, GOOD_EMAIL)], "timeout", None, 2, False),
}  # fmt: skip


@pytest.mark.parametrize("kind", BAD_REPLIES)
def test_each_bad_reply_falls_back_to_the_template_with_its_reason(personalizer, server, conn, kind) -> None:
    replies, reason, violation, calls, paid = BAD_REPLIES[kind]
    server.script(*replies)
    recipient = _recipient()
    facts = _facts()
    composed = personalizer.compose("intro_email", "a", "email", facts, SENDER, recipient=recipient)

    assert (composed.method, composed.reason) == ("template", reason)
    if violation:
        assert violation in [v.code for v in composed.violations]
    expected = render("intro_email", "a", facts, SENDER, recipient=recipient)
    assert (composed.message.subject, composed.message.body_text) == (expected.subject, expected.body_text)
    assert missing_compliance(composed.message, SENDER) == []
    assert len(server.requests) == calls
    rows = _usage_rows(conn, recipient.campaign_id)
    assert [row[4] for row in rows] == ([reason] if paid else [])  # tokens of a reply are paid, used or not
    assert store.get_cached(conn, composed.cache_key) is None


def test_without_an_api_key_the_template_is_used(monkeypatch, conn) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    settings = PersonalizationSettings()
    assert not settings.llm_configured and settings.llm_client() is None
    personalizer = Personalizer.from_settings(settings, conn)
    recipient = _recipient()
    composed = personalizer.compose("followup_sms", "a", "sms", _facts(), SENDER, recipient=recipient)
    assert (composed.method, composed.reason, composed.usage) == ("template", "llm_not_configured", None)
    assert composed.message.body == render("followup_sms", "a", _facts(), SENDER, recipient=recipient).body


def test_settings_point_the_real_client_at_any_compatible_server(monkeypatch, server, conn) -> None:
    server.reset()
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OUTREACH_LLM_MODEL", "local-model")
    monkeypatch.setenv("OUTREACH_UNSUBSCRIBE_KEY", UNSUBSCRIBE_KEY)
    settings = PersonalizationSettings()
    server.script(structured(GOOD_EMAIL))
    composed = Personalizer.from_settings(settings, conn).compose(
        "intro_email", "b", "email", _facts(), settings.sender(), recipient=_recipient()
    )
    assert (composed.method, composed.model) == ("llm", "local-model")
    assert server.requests[0].body["model"] == "local-model"


def test_an_open_circuit_uses_the_template_without_calling_the_server(personalizer, llm, server) -> None:
    llm.open_circuit()
    composed = personalizer.compose("intro_email", "a", "email", _facts(), SENDER, recipient=_recipient())
    assert (composed.method, composed.reason) == ("template", "circuit_open")
    assert server.requests == []


def test_repeated_failures_open_the_circuit(personalizer, server) -> None:
    server.script(*[error(503)] * 6)
    reasons = [
        personalizer.compose("intro_email", "a", "email", _facts(), SENDER, recipient=_recipient()).reason
        for _ in range(4)
    ]
    assert reasons == ["llm_error", "llm_error", "llm_error", "circuit_open"]  # breaker_fail_max=3
    assert len(server.requests) == 6  # 3 failed calls of 2 attempts; none once open


def test_a_cache_hit_makes_no_second_call(personalizer, server, conn) -> None:
    facts = _facts(referrer_first_name="Ana", business_name=f"Cache Test {uuid.uuid4().hex[:6]}")
    opening = (
        "Ana suggested we reach out: homeowners near San Diego, CA have 37 open plumbing projects for "
        f"{facts.business_name}."
    )
    server.script(structured({"subject": "Ana suggested we get in touch", "opening": opening}))
    first_recipient, second_recipient = _recipient(), _recipient()
    first = personalizer.compose("intro_email", "a", "email", facts, SENDER, recipient=first_recipient)
    second = personalizer.compose("intro_email", "a", "email", facts, SENDER, recipient=second_recipient)

    assert (first.method, first.cached, second.method, second.cached) == ("llm", False, "llm", True)
    assert len(server.requests) == 1
    assert second.message.subject == first.message.subject and opening in second.message.body_text
    assert second.message.unsubscribe_token != first.message.unsubscribe_token  # per recipient, never cached
    assert second.usage is None and _usage_rows(conn, second_recipient.campaign_id) == []

    row = store.get_cached(conn, first.cache_key)
    assert (row.template_id, row.template_version, row.variant, row.channel, row.method, row.model) == (
        "intro_email", 1, "a", "email", "llm", MODEL,
    )  # fmt: skip
    assert "Ana" not in json.dumps(row.content)  # the referrer's name is stored as a placeholder
    assert "{referrer_first_name}" in row.content["opening"]

    server.script(structured(GOOD_EMAIL))
    other_variant = personalizer.compose("intro_email", "b", "email", facts, SENDER, recipient=first_recipient)
    assert not other_variant.cached and len(server.requests) == 2


def test_usage_and_cost_are_recorded_per_campaign(personalizer, server, conn) -> None:
    campaign = uuid.uuid4()
    server.script(
        structured(GOOD_EMAIL, prompt_tokens=1000, completion_tokens=500),
        structured({"subject": "Hi", "opening": "Earn $500, guaranteed."}, prompt_tokens=900, completion_tokens=100),
        error(500),
        error(500),
    )
    for business in ("One Plumbing", "Two Plumbing", "Three Plumbing"):
        personalizer.compose(
            "intro_email", "a", "email", _facts(business_name=business), SENDER,
            recipient=Recipient(uuid.uuid4(), campaign),
        )  # fmt: skip
    totals = store.usage_totals(conn, campaign)
    # (1000 + 900) * 0.00015 / 1000 + (500 + 100) * 0.0006 / 1000 = 0.000645 USD
    assert (totals.calls, totals.prompt_tokens, totals.completion_tokens) == (2, 1900, 600)
    assert totals.cost_usd_micros == 645
    assert [row[4] for row in _usage_rows(conn, campaign)] == ["used", "guardrails"]


def test_the_client_honours_retry_after_and_recovers_after_the_reset_timeout(server) -> None:
    class Out(BaseModel):
        text: str

    server.reset()
    with LlmClient(server.url, API_KEY, MODEL, timeout=1, breaker_fail_max=1, breaker_reset_seconds=0.3) as client:
        server.script(error(429, "slow down", **{"Retry-After": "30"}))
        with pytest.raises(LlmRequestError) as failure:
            client.generate("system", "user", Out)
        assert failure.value.status == 429 and len(server.requests) == 1  # a long Retry-After is not waited out
        assert client.circuit_open
        with pytest.raises(LlmUnavailable):
            client.generate("system", "user", Out)
        assert len(server.requests) == 1

        time.sleep(0.35)
        assert not client.circuit_open
        server.script(structured({"text": "hello"}))
        parsed, usage = client.generate("system", "user", Out)  # the trial call closes the circuit again
        assert (parsed.text, usage.prompt_tokens, usage.completion_tokens) == ("hello", 180, 60)
        assert not client.circuit_open
