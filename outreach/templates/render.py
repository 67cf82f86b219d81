"""Render versioned message templates in a Jinja2 sandbox, then add what compliance requires.

Templates live in `library/` and are listed in `library/catalog.yaml` (id, version, channel, step kind, variants).
An email template is three files, `<id>.v<n>.subject.j2`, `<id>.v<n>.body.txt.j2` and `<id>.v<n>.body.html.j2`
(the HTML one is a fragment, autoescaped); an SMS template is `<id>.v<n>.j2`. Templates may import macros from
`<id>.v<n>.parts.j2`. They see `facts` (the `Facts` fields), `variant`, `sender_name`, `first_contact` and, when
a model wrote them, `opening` and `subject` (else None: the template's own wording is used).

The environment is an `ImmutableSandboxedEnvironment` with `StrictUndefined`, so a template can neither reach
Python internals nor silently print an empty value. Footers, the GDPR notice, the sender prefix of an SMS and the
List-Unsubscribe headers are added by `compliance` after the template, so no template can drop them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup
from pydantic import BaseModel

from outreach.templates import compliance, sms
from outreach.templates.compliance import Recipient, Sender

LIBRARY_DIR = Path(__file__).parent / "library"
CATALOG_FILE = LIBRARY_DIR / "catalog.yaml"

Channel = Literal["email", "sms"]
StepKind = Literal["intro", "followup"]
CHANNELS: tuple[Channel, ...] = ("email", "sms")
STEP_KINDS: tuple[StepKind, ...] = ("intro", "followup")
EMAIL_PARTS = ("subject", "body.txt", "body.html")

TEMPLATE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,89}$")  # `<id>.v<n>` must fit the contract's TemplateId
CONTRACT_TEMPLATE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
VARIANT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


class TemplateError(ValueError):
    """An unknown template, version, variant or channel, or a catalog entry that does not match its files."""


# --- catalog ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateSpec:
    id: str
    version: int
    channel: Channel
    step_kind: StepKind
    first_contact: bool  # the GDPR Art. 14 notice goes with it unless the caller says otherwise
    variants: Mapping[str, str]  # variant -> what sets it apart (also the model's brief for it)
    description: str = ""

    @property
    def ref(self) -> str:
        """`<id>.v<version>`: the `template_id` of the contract's MessageMetadata."""
        return f"{self.id}.v{self.version}"

    def file(self, part: str | None = None) -> str:
        return f"{self.ref}.{part}.j2" if part else f"{self.ref}.j2"

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(self.file(part) for part in EMAIL_PARTS) if self.channel == "email" else (self.file(),)


class Catalog:
    """The templates of `catalog.yaml`, by id and version."""

    def __init__(self, specs: list[TemplateSpec]) -> None:
        self._specs: dict[tuple[str, int], TemplateSpec] = {}
        for spec in specs:
            if (spec.id, spec.version) in self._specs:
                raise TemplateError(f"{spec.ref} is listed twice")
            self._specs[(spec.id, spec.version)] = spec

    def __iter__(self) -> Iterator[TemplateSpec]:
        return iter(sorted(self._specs.values(), key=lambda spec: (spec.id, spec.version)))

    def __len__(self) -> int:
        return len(self._specs)

    @property
    def ids(self) -> list[str]:
        return sorted({spec.id for spec in self._specs.values()})

    def get(self, template_id: str, version: int | None = None) -> TemplateSpec:
        """One version of a template; the latest when `version` is None."""
        if version is None:
            versions = [v for (i, v) in self._specs if i == template_id]
            if not versions:
                raise TemplateError(f"unknown template {template_id!r}; known: {', '.join(self.ids)}")
            version = max(versions)
        try:
            return self._specs[(template_id, version)]
        except KeyError:
            raise TemplateError(f"unknown template version {template_id}.v{version}") from None

    def latest(self) -> list[TemplateSpec]:
        return [self.get(template_id) for template_id in self.ids]

    @classmethod
    def load(cls, path: Path = CATALOG_FILE) -> Catalog:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        specs = []
        for entry in data.get("templates") or []:
            spec = TemplateSpec(
                id=str(entry["id"]),
                version=int(entry["version"]),
                channel=entry["channel"],
                step_kind=entry["step_kind"],
                first_contact=bool(entry.get("first_contact", entry["step_kind"] == "intro")),
                variants={str(k): str(v) for k, v in (entry.get("variants") or {}).items()},
                description=str(entry.get("description", "")).strip(),
            )
            _check_spec(spec, path.parent)
            specs.append(spec)
        return cls(specs)


def _check_spec(spec: TemplateSpec, folder: Path) -> None:
    if not TEMPLATE_ID.match(spec.id) or not CONTRACT_TEMPLATE_ID.match(spec.ref):
        raise TemplateError(f"template id {spec.id!r} does not fit the contract's TemplateId")
    if spec.version < 1:
        raise TemplateError(f"{spec.id}: versions start at 1")
    if spec.channel not in CHANNELS:
        raise TemplateError(f"{spec.ref}: channel must be one of {CHANNELS}")
    if spec.step_kind not in STEP_KINDS:
        raise TemplateError(f"{spec.ref}: step_kind must be one of {STEP_KINDS}")
    if not spec.variants:
        raise TemplateError(f"{spec.ref}: at least one variant is required")
    for variant in spec.variants:
        if not VARIANT.match(variant):
            raise TemplateError(f"{spec.ref}: variant {variant!r} does not fit the contract's Variant")
    for name in spec.files:
        if not (folder / name).is_file():
            raise TemplateError(f"{spec.ref}: missing template file {name}")


@cache
def default_catalog() -> Catalog:
    return Catalog.load()


# --- rendering --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """What a model wrote for one message: the email subject and the opening paragraph (the SMS text)."""

    opening: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class RenderedMessage:
    """A finished message. Email: `subject`, `body_text`, `body_html`, `headers`; SMS: `body` and its `sms` length."""

    channel: Channel
    template_id: str
    template_version: int
    variant: str
    first_contact: bool
    from_name: str
    unsubscribe_token: str | None = None
    subject: str | None = None
    body_text: str | None = None
    body_html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    sms: sms.SmsLength | None = None
    content: str = ""  # what the template produced, before compliance code added footers (and, SMS, the prefix)

    @property
    def template_ref(self) -> str:
        """`<id>.v<version>`, the `template_id` to put in MessageMetadata."""
        return f"{self.template_id}.v{self.template_version}"

    def email_fields(self) -> dict[str, Any]:
        """The rendered fields of the contract's EmailMessage (the caller adds to, reply_to and metadata)."""
        if self.channel != "email":
            raise TemplateError("not an email")
        fields: dict[str, Any] = {
            "from_name": self.from_name,
            "subject": self.subject,
            "body_text": self.body_text,
            "headers": dict(self.headers),
        }
        if self.body_html:
            fields["body_html"] = self.body_html
        return fields

    def sms_fields(self) -> dict[str, Any]:
        """The rendered field of the contract's SmsMessage (the caller adds to and metadata)."""
        if self.channel != "sms":
            raise TemplateError("not an SMS")
        return {"body": self.body}


def _facts_dict(facts: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    values = facts.model_dump(mode="json") if isinstance(facts, BaseModel) else dict(facts)
    if not values.get("source_description"):
        raise TemplateError("facts need a source_description (where we found the prospect's data)")
    return values


def _clean_text(text: str) -> str:
    """Trailing spaces off every line, at most one blank line in a row, no blank start or end."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clean_draft(draft: Draft | None, channel: Channel) -> tuple[str | None, str | None]:
    if draft is None:
        return None, None
    opening = _one_line(draft.opening) if draft.opening else None
    subject = _one_line(draft.subject) if draft.subject else None
    if channel == "sms" and opening:
        opening = sms.to_gsm(opening)
    return opening or None, subject or None


class Renderer:
    """Templates of one library folder in one sandboxed environment."""

    def __init__(self, library_dir: Path = LIBRARY_DIR, catalog: Catalog | None = None) -> None:
        self.catalog = catalog or (default_catalog() if library_dir == LIBRARY_DIR else Catalog.load(
            library_dir / "catalog.yaml"
        ))  # fmt: skip
        self.env = ImmutableSandboxedEnvironment(
            loader=FileSystemLoader(library_dir),
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )

    def spec(self, template_id: str, version: int | None = None) -> TemplateSpec:
        return self.catalog.get(template_id, version)

    def render(
        self,
        template_id: str,
        variant: str,
        facts: BaseModel | Mapping[str, Any],
        sender: Sender,
        *,
        recipient: Recipient,
        draft: Draft | None = None,
        version: int | None = None,
    ) -> RenderedMessage:
        """One finished message: the template (with the model's draft when given), then footer and headers."""
        spec = self.spec(template_id, version)
        if variant not in spec.variants:
            raise TemplateError(f"{spec.ref} has no variant {variant!r}; known: {', '.join(spec.variants)}")
        values = _facts_dict(facts)
        first_contact = spec.first_contact if recipient.first_contact is None else recipient.first_contact
        opening, subject = _clean_draft(draft, spec.channel)
        context = {
            "facts": values,
            "variant": variant,
            "sender_name": sender.name,
            "first_contact": first_contact,
            "opening": opening,
            "subject": subject,
        }
        source = values["source_description"] if first_contact else None
        if spec.channel == "sms":
            content = _one_line(sms.to_gsm(self.env.get_template(spec.file()).render(context)))
            body = compliance.sms_prefix(sender) + content + compliance.sms_footer(sender, source_description=source)
            return RenderedMessage(
                channel="sms", template_id=spec.id, template_version=spec.version, variant=variant,
                first_contact=first_contact, from_name=sender.name, body=body, sms=sms.measure(body),
                content=compliance.sms_prefix(sender) + content,
            )  # fmt: skip
        token = compliance.unsubscribe_token(sender.unsubscribe_key, recipient.prospect_id, recipient.campaign_id)
        subject_line = _one_line(self.env.get_template(spec.file("subject")).render(context))
        text = _clean_text(self.env.get_template(spec.file("body.txt")).render(context))
        html = Markup(self.env.get_template(spec.file("body.html")).render(context).strip())
        return RenderedMessage(
            channel="email",
            template_id=spec.id,
            template_version=spec.version,
            variant=variant,
            first_contact=first_contact,
            from_name=sender.name,
            unsubscribe_token=token,
            subject=subject_line,
            body_text=text + "\n\n" + compliance.email_footer_text(sender, token, source_description=source) + "\n",
            body_html=compliance.html_document(
                subject_line, html, compliance.email_footer_html(sender, token, source_description=source)
            ),
            headers=compliance.list_unsubscribe_headers(sender, token),
            content=text,
        )


@cache
def default_renderer() -> Renderer:
    return Renderer()


def render(
    template_id: str,
    variant: str,
    facts: BaseModel | Mapping[str, Any],
    sender: Sender,
    *,
    recipient: Recipient,
    draft: Draft | None = None,
    version: int | None = None,
) -> RenderedMessage:
    """Render with the library in this repository (see `Renderer.render`)."""
    return default_renderer().render(
        template_id, variant, facts, sender, recipient=recipient, draft=draft, version=version
    )
