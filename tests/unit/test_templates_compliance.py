"""Compliance parts: unsubscribe tokens and headers, the CAN-SPAM footer, the GDPR notice, the SMS opt-out."""

import uuid

import pytest
from fixtures.senders import TEST_SENDER as SENDER
from fixtures.senders import UNSUBSCRIBE_KEY as KEY
from pydantic import TypeAdapter

from integrations.instabids.wire import EmailHeaders
from outreach.templates import compliance
from outreach.templates.compliance import Sender, unsubscribe_token, verify_unsubscribe_token


def test_a_token_names_its_prospect_and_campaign_and_verifies_with_the_key() -> None:
    prospect, campaign = uuid.uuid4(), uuid.uuid4()
    token = unsubscribe_token(KEY, prospect, campaign)
    assert token == unsubscribe_token(KEY, prospect, campaign)  # deterministic: the same link in every resend
    assert token.isascii() and "=" not in token and "/" not in token and "+" not in token
    claim = verify_unsubscribe_token(KEY, token)
    assert claim is not None and (claim.prospect_id, claim.campaign_id) == (prospect, campaign)
    assert verify_unsubscribe_token(KEY, unsubscribe_token(KEY, prospect)).campaign_id is None
    assert unsubscribe_token(KEY, uuid.uuid4(), campaign) != token


def test_forged_tampered_or_garbage_tokens_do_not_verify() -> None:
    token = unsubscribe_token(KEY, uuid.uuid4(), uuid.uuid4())
    assert verify_unsubscribe_token(b"another-key-of-enough-length-000", token) is None
    tampered = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    assert verify_unsubscribe_token(KEY, tampered) is None
    for garbage in ("", "abc", "!!!!", token[:-4], token + "AAAA"):
        assert verify_unsubscribe_token(KEY, garbage) is None


def test_list_unsubscribe_headers_follow_rfc_2369_and_8058_and_the_contract() -> None:
    token = unsubscribe_token(KEY, uuid.uuid4())
    headers = compliance.list_unsubscribe_headers(SENDER, token)
    assert headers == {
        "List-Unsubscribe": (
            f"<https://outreach.instabids.example/u/{token}>, "
            f"<mailto:unsubscribe@outreach.instabids.example?subject={token}>"
        ),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert TypeAdapter(EmailHeaders).validate_python(headers) == headers


def test_the_footer_has_the_postal_address_and_a_clear_opt_out() -> None:
    token = unsubscribe_token(KEY, uuid.uuid4())
    text = compliance.email_footer_text(SENDER, token)
    assert SENDER.postal_address in text
    assert f"unsubscribe with one click: https://outreach.instabids.example/u/{token}" in text
    assert "marketing email from InstaBids, Inc." in text
    assert "Why we are writing" not in text
    html = str(compliance.email_footer_html(SENDER, token))
    assert f'<a href="https://outreach.instabids.example/u/{token}">unsubscribe with one click</a>' in html


def test_the_gdpr_notice_says_who_where_why_and_how_to_object() -> None:
    notice = compliance.gdpr_notice(SENDER, "a public contractor license registry")
    assert "InstaBids, Inc." in notice
    assert "found your business contact details in a public contractor license registry" in notice
    assert "legitimate interest" in notice and "object at any time" in notice and "unsubscribe" in notice
    assert SENDER.privacy_url in notice
    footer = compliance.email_footer_text(SENDER, "t", source_description="a public online business directory")
    assert footer.startswith("--\nWhy we are writing to you") and "a public online business directory" in footer


def test_sms_names_the_sender_and_says_how_to_opt_out() -> None:
    assert compliance.sms_prefix(SENDER) == "InstaBids: "
    assert compliance.sms_footer(SENDER) == " Reply STOP to opt out."
    first = compliance.sms_footer(SENDER, source_description="a public online business directory")
    assert first.endswith("Reply STOP to opt out.") and "a public online business directory" in first


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unsubscribe_base_url", "http://outreach.instabids.example/u/"),
        ("privacy_url", "ftp://x"),
        ("postal_address", " "),
        ("unsubscribe_mailto", "nobody"),
        ("unsubscribe_key", b"short"),
    ],
)
def test_a_sender_without_what_the_law_needs_is_refused(field: str, value) -> None:
    values = {**SENDER.__dict__, field: value}
    with pytest.raises(ValueError):
        Sender(**values)
