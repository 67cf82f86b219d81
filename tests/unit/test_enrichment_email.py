import pytest

from outreach.enrichment.email import normalize_email


@pytest.mark.parametrize(
    ("raw", "address"),
    [
        ("John.Doe@GMAIL.com", "john.doe@gmail.com"),
        ("  info@Acme-Roofing.COM ", "info@acme-roofing.com"),
        ("mailto:bob@smithplumbing.com", "bob@smithplumbing.com"),
        ("Bob Smith <Bob@Smith-Plumbing.com>", "bob@smith-plumbing.com"),
        ("<a@acme.com>", "a@acme.com"),
        ("user@bücher.com", "user@bücher.com"),
        ("bob@acme.com.", "bob@acme.com"),
    ],
)
def test_valid_addresses_are_normalized_to_lower_case(raw, address) -> None:
    result = normalize_email(raw)
    assert result.address.value == address
    assert result.valid.value is True
    assert result.suggestion.value is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("bad@", "something after the @-sign"),
        ("a@b", "should have a period"),
        ("not an email", "must have an @-sign"),
        ("foo..bar@acme.com", "two periods in a row"),
        ("a@b@acme.com", "invalid characters"),
        ("someone@foo.test", "special-use or reserved"),
    ],
)
def test_malformed_addresses_are_invalid_with_the_validator_s_reason(raw, reason) -> None:
    result = normalize_email(raw)
    assert (result.address.value, result.valid.value, result.domain) == (None, False, None)
    assert reason in result.valid.reason


def test_a_missing_email_is_unknown_rather_than_invalid() -> None:
    result = normalize_email(None)
    assert result.valid.value is None
    assert result.address.reason == "no email given"


@pytest.mark.parametrize(
    ("raw", "suggestion"),
    [
        ("x@gmial.com", "x@gmail.com"),
        ("x@gmail.con", "x@gmail.com"),
        ("x@yahooo.com", "x@yahoo.com"),
        ("x@hotmial.com", "x@hotmail.com"),
        ("x@gmail.co", "x@gmail.com"),
        ("bob@acmeroofing.con", "bob@acmeroofing.com"),
    ],
)
def test_typos_of_common_domains_get_a_suggestion_and_the_typed_address_loses_confidence(raw, suggestion) -> None:
    result = normalize_email(raw)
    assert result.suggestion.value == suggestion
    assert result.address.value == raw.lower()
    assert result.address.confidence < result.suggestion.confidence < 0.95
    assert "typo" in result.suggestion.reason


@pytest.mark.parametrize("raw", ["a@email.com", "a@ymail.com", "a@mail.com", "a@gmx.com", "bob@acmehvac.com"])
def test_real_domains_near_a_provider_s_name_are_not_typos(raw) -> None:
    assert normalize_email(raw).suggestion.value is None


@pytest.mark.parametrize(
    ("raw", "free", "role"),
    [
        ("owner@gmail.com", True, False),
        ("info@acmeroofing.com", False, True),
        ("sales+web@acmeroofing.com", False, True),
        ("randy@acmeroofing.com", False, False),
        ("office@comcast.net", True, True),
    ],
)
def test_free_mail_and_role_accounts_are_flagged(raw, free, role) -> None:
    result = normalize_email(raw)
    assert (result.is_free_mail.value, result.is_role_account.value) == (free, role)


def test_the_domain_is_kept_in_ascii_for_comparison() -> None:
    assert normalize_email("user@Bücher.com").domain == "xn--bcher-kva.com"


@pytest.mark.parametrize(
    ("raw", "address"),
    [("bob at acme dot com", "bob@acme.com"), ("Info [at] Acme-Roofing [dot] com.", "info@acme-roofing.com")],
)
def test_spelled_out_addresses_are_recovered_with_less_confidence(raw, address) -> None:
    result = normalize_email(raw)
    assert result.address.value == address
    assert result.address.confidence < normalize_email(address).address.confidence
    assert "written out" in result.address.reason
