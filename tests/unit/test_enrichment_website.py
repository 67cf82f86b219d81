import pytest

from outreach.enrichment.website import email_matches_website, normalize_website, registrable_domain


@pytest.mark.parametrize(
    ("raw", "url", "domain"),
    [
        ("www.AcmeRoofing.com/", "https://www.acmeroofing.com", "acmeroofing.com"),
        ("https://www.AcmeRoofing.com/contact?utm_source=x&id=3#top", "https://www.acmeroofing.com/contact?id=3",
         "acmeroofing.com"),
        ("http://shop.acme.co.uk", "http://shop.acme.co.uk", "acme.co.uk"),
        ("acme.wixsite.com/home", "https://acme.wixsite.com/home", "acme.wixsite.com"),
        ("https://acme.com:8443/", "https://acme.com:8443", "acme.com"),
        ("https://bücher.de", "https://xn--bcher-kva.de", "xn--bcher-kva.de"),
    ],
)  # fmt: skip
def test_urls_are_canonical_and_give_the_registrable_domain(raw, url, domain) -> None:
    result = normalize_website(raw)
    assert (result.url.value, result.domain.value) == (url, domain)


def test_an_assumed_scheme_is_trusted_a_little_less() -> None:
    assert normalize_website("acme.com").url.confidence < normalize_website("https://acme.com").url.confidence


def test_a_platform_profile_is_kept_as_website_but_gives_no_domain() -> None:
    result = normalize_website("facebook.com/acmeroofing")
    assert result.url.value == "https://facebook.com/acmeroofing"
    assert result.domain.value is None
    assert "facebook.com" in result.domain.reason


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("bob@acme.com", "email address"),
        ("ftp://acme.com", "scheme 'ftp'"),
        ("not a url", "not a web host"),
        ("http://localhost:8000", "not a web host"),
        ("http://1.2.3.4", "not a web host"),
        ("http://[::1", "not a URL"),
        ("", "no website given"),
    ],
)
def test_malformed_websites_are_rejected_with_a_reason(raw, reason) -> None:
    result = normalize_website(raw)
    assert (result.url.value, result.domain.value) == (None, None)
    assert reason in result.url.reason


@pytest.mark.parametrize(
    ("host", "domain"),
    [("www.acme.com", "acme.com"), ("a.b.acme.com.au", "acme.com.au"), ("ci.sandiego.ca.us", "sandiego.ca.us")],
)
def test_registrable_domain(host, domain) -> None:
    assert registrable_domain(host) == domain


@pytest.mark.parametrize(
    ("email_domain", "website_domain", "matches"),
    [
        ("acmeroofing.com", "acmeroofing.com", True),
        ("mail.acmeroofing.com", "acmeroofing.com", True),
        ("gmail.com", "acmeroofing.com", False),
        ("otherco.com", "acmeroofing.com", False),
        (None, "acmeroofing.com", None),
        ("acmeroofing.com", None, None),
    ],
)
def test_email_matches_website(email_domain, website_domain, matches) -> None:
    assert email_matches_website(email_domain, website_domain).value is matches
