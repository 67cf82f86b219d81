"""Versioned templates: the catalog, sandboxed rendering, and the compliance parts code adds after the template."""

import re
import uuid
from pathlib import Path

import jinja2
import pytest
from fixtures.senders import TEST_SENDER as SENDER

from integrations.instabids.wire import EmailMessage, MessageMetadata, SmsMessage
from outreach.personalization.facts import Facts
from outreach.templates.compliance import Recipient, missing_compliance
from outreach.templates.render import LIBRARY_DIR, Catalog, Draft, Renderer, TemplateError, default_catalog, render

FULL = Facts.from_values(
    business_name="Rivera & Sons <Plumbing>",
    specialty="hvac",
    region_name="San Diego, CA",
    source="license_ca",
    open_projects=37,
    average_project_value_cents=1_234_550,
    referrer_first_name="Ana",
)
MINIMAL = Facts.from_values(
    business_name="Bob's Roofing", specialty="roofing", region_name="Austin, TX", source="directory"
)
ONE = Facts.from_values(
    business_name="Pine Pest Control", specialty="pest_control", region_name="Tacoma, WA", source="license_wa",
    open_projects=1,
)  # fmt: skip
CONTRACT_TEMPLATE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")


def _recipient(**kwargs) -> Recipient:
    return Recipient(prospect_id=uuid.uuid4(), campaign_id=uuid.uuid4(), **kwargs)


def _metadata(message, recipient: Recipient) -> MessageMetadata:
    return MessageMetadata(
        prospect_id=recipient.prospect_id,
        campaign_id=recipient.campaign_id,
        template_id=message.template_ref,
        variant=message.variant,
        correlation_id=uuid.uuid4(),
    )


CASES = [
    (spec.id, variant, facts)
    for spec in default_catalog().latest()
    for variant in spec.variants
    for facts in (FULL, MINIMAL, ONE)
]


def test_the_catalog_lists_every_template_with_its_files() -> None:
    catalog = default_catalog()
    assert catalog.ids == ["followup_email", "followup_sms", "intro_email", "intro_sms"]
    for spec in catalog:
        assert CONTRACT_TEMPLATE_ID.match(spec.ref)
        assert spec.first_contact == (spec.step_kind == "intro")
        assert all((LIBRARY_DIR / name).is_file() for name in spec.files)
    assert catalog.get("intro_email").ref == "intro_email.v1"
    assert set(catalog.get("intro_email").variants) == {"a", "b"}


@pytest.mark.parametrize(("template_id", "variant", "facts"), CASES, ids=lambda v: getattr(v, "business_name", v))
def test_every_template_renders_a_compliant_contract_message(template_id, variant, facts) -> None:
    recipient = _recipient()
    message = render(template_id, variant, facts, SENDER, recipient=recipient)
    assert missing_compliance(message, SENDER) == []
    assert "{{" not in (message.body_text or message.body or "") and "{%" not in (message.body_text or message.body)
    if message.channel == "email":
        wire = EmailMessage(
            to="owner@example.com", reply_to="replies@messaging.instabids.example", **message.email_fields(),
            metadata=_metadata(message, recipient),
        )  # fmt: skip
        assert wire.subject and len(wire.subject) <= 78 and "\n" not in wire.subject
        assert facts.business_name in wire.body_text
        assert wire.body_html.startswith("<!DOCTYPE html>")
    else:
        wire = SmsMessage(to="+16195550100", **message.sms_fields(), metadata=_metadata(message, recipient))
        assert wire.body.startswith("InstaBids: ")
        assert wire.body.endswith("Reply STOP to opt out.")
        assert message.sms is not None and message.sms.encoding == "GSM-7"
        assert message.sms.segments <= 3


def test_the_deterministic_wording_uses_the_facts() -> None:
    message = render("intro_email", "a", FULL, SENDER, recipient=_recipient())
    assert "37 open HVAC projects" in message.body_text
    assert "$12,346" in message.body_text
    assert message.subject == "Ana suggested we get in touch about InstaBids"
    one = render("followup_sms", "a", ONE, SENDER, recipient=_recipient())
    assert "1 pest control project near Tacoma, WA is open" in one.body
    minimal = render("intro_email", "b", MINIMAL, SENDER, recipient=_recipient())
    assert minimal.subject == "Open roofing projects near Austin, TX"
    assert "open projects" not in minimal.body_text  # no count in the facts: no count in the text


def test_html_is_escaped_and_text_is_not() -> None:
    message = render("intro_email", "a", FULL, SENDER, recipient=_recipient())
    assert "Hi Rivera & Sons <Plumbing> team," in message.body_text
    assert "Hi Rivera &amp; Sons &lt;Plumbing&gt; team," in message.body_html
    assert "<Plumbing>" not in message.body_html


def test_a_draft_replaces_the_opening_and_subject_and_is_escaped_in_html() -> None:
    draft = Draft(
        opening="Your <b>HVAC</b> work\n\nin   San Diego & beyond.", subject="Hello\r\nBcc: someone@example.com"
    )
    message = render("intro_email", "a", FULL, SENDER, recipient=_recipient(), draft=draft)
    assert message.subject == "Hello Bcc: someone@example.com"  # one line: no header injection
    assert "Your <b>HVAC</b> work in San Diego & beyond." in message.body_text
    assert "Your &lt;b&gt;HVAC&lt;/b&gt; work in San Diego &amp; beyond." in message.body_html
    assert "InstaBids connects homeowners" not in message.body_text
    assert missing_compliance(message, SENDER) == []
    sms = render("intro_sms", "a", FULL, SENDER, recipient=_recipient(), draft=Draft(opening="It’s “great” – hi…"))
    assert sms.body.startswith('InstaBids: It\'s "great" - hi... Reply to learn more.')
    assert sms.sms.encoding == "GSM-7"


def test_the_gdpr_notice_goes_with_a_first_contact_only() -> None:
    intro = render("intro_email", "a", FULL, SENDER, recipient=_recipient())
    assert intro.first_contact
    assert "the California public contractor license registry" in intro.body_text
    assert "Why we are writing to you" in intro.body_text and "Why we are writing to you" in intro.body_html
    followup = render("followup_email", "a", FULL, SENDER, recipient=_recipient())
    assert not followup.first_contact and "Why we are writing to you" not in followup.body_text
    forced = render("followup_email", "a", FULL, SENDER, recipient=_recipient(first_contact=True))
    assert "Why we are writing to you" in forced.body_text
    not_first = render("intro_email", "a", FULL, SENDER, recipient=_recipient(first_contact=False))
    assert "Why we are writing to you" not in not_first.body_text
    sms = render("intro_sms", "a", MINIMAL, SENDER, recipient=_recipient())
    assert "We found your business in a public online business directory." in sms.body


def test_unknown_templates_variants_and_versions_are_refused() -> None:
    with pytest.raises(TemplateError, match="unknown template"):
        render("nope", "a", FULL, SENDER, recipient=_recipient())
    with pytest.raises(TemplateError, match="no variant"):
        render("intro_email", "z", FULL, SENDER, recipient=_recipient())
    with pytest.raises(TemplateError, match="unknown template version"):
        render("intro_email", "a", FULL, SENDER, recipient=_recipient(), version=99)


# --- a library of our own ---------------------------------------------------------------------------------------


def _library(tmp_path: Path, files: dict[str, str], entries: str) -> Renderer:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "catalog.yaml").write_text("templates:\n" + entries)
    return Renderer(tmp_path)


EMAIL_ENTRY = """\
  - {{id: bare, version: {version}, channel: email, step_kind: intro, variants: {{a: plain}}}}
"""


def test_no_template_can_drop_the_footer_or_headers(tmp_path: Path) -> None:
    renderer = _library(
        tmp_path,
        {"bare.v1.subject.j2": "Hi", "bare.v1.body.txt.j2": "Hello.", "bare.v1.body.html.j2": "<p>Hello.</p>"},
        EMAIL_ENTRY.format(version=1),
    )
    message = renderer.render("bare", "a", MINIMAL, SENDER, recipient=_recipient())
    assert missing_compliance(message, SENDER) == []
    assert message.body_text.startswith("Hello.\n\n--\nWhy we are writing to you")
    assert SENDER.postal_address in message.body_text
    assert set(message.headers) == {"List-Unsubscribe", "List-Unsubscribe-Post"}


def test_the_latest_version_is_used_unless_one_is_named(tmp_path: Path) -> None:
    files = {}
    for version in (1, 2):
        files |= {f"bare.v{version}.subject.j2": f"Version {version}", f"bare.v{version}.body.txt.j2": "x",
                  f"bare.v{version}.body.html.j2": "x"}  # fmt: skip
    renderer = _library(tmp_path, files, EMAIL_ENTRY.format(version=1) + EMAIL_ENTRY.format(version=2))
    assert renderer.render("bare", "a", MINIMAL, SENDER, recipient=_recipient()).subject == "Version 2"
    old = renderer.render("bare", "a", MINIMAL, SENDER, recipient=_recipient(), version=1)
    assert (old.subject, old.template_ref) == ("Version 1", "bare.v1")


@pytest.mark.parametrize(
    "body",
    [
        "{{ facts.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{% set _ = facts.update({'x': 1}) %}",
    ],
)
def test_templates_run_in_an_immutable_sandbox(tmp_path: Path, body: str) -> None:
    renderer = _library(
        tmp_path,
        {"bare.v1.subject.j2": "Hi", "bare.v1.body.txt.j2": body, "bare.v1.body.html.j2": "x"},
        EMAIL_ENTRY.format(version=1),
    )
    with pytest.raises((jinja2.exceptions.SecurityError, jinja2.exceptions.UndefinedError)):
        renderer.render("bare", "a", MINIMAL, SENDER, recipient=_recipient())


def test_undefined_values_fail_loudly(tmp_path: Path) -> None:
    renderer = _library(
        tmp_path,
        {"bare.v1.subject.j2": "Hi", "bare.v1.body.txt.j2": "{{ facts.phone }}", "bare.v1.body.html.j2": "x"},
        EMAIL_ENTRY.format(version=1),
    )
    with pytest.raises(jinja2.exceptions.UndefinedError):
        renderer.render("bare", "a", MINIMAL, SENDER, recipient=_recipient())


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  - {id: gone, version: 1, channel: sms, step_kind: intro, variants: {a: x}}\n", "missing template file"),
        ("  - {id: Bad, version: 1, channel: sms, step_kind: intro, variants: {a: x}}\n", "TemplateId"),
        ("  - {id: bare, version: 1, channel: sms, step_kind: intro, variants: {A B: x}}\n", "Variant"),
        ("  - {id: bare, version: 1, channel: fax, step_kind: intro, variants: {a: x}}\n", "channel"),
        ("  - {id: bare, version: 1, channel: sms, step_kind: intro, variants: {}}\n", "variant"),
    ],
)
def test_a_catalog_that_does_not_match_its_files_is_refused(tmp_path: Path, entry: str, message: str) -> None:
    (tmp_path / "bare.v1.j2").write_text("x")
    (tmp_path / "catalog.yaml").write_text("templates:\n" + entry)
    with pytest.raises(TemplateError, match=message):
        Catalog.load(tmp_path / "catalog.yaml")
