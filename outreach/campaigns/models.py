"""Campaign definitions: what a campaign targets, how it paces itself and what it says, validated from YAML.

A campaign is written once in `campaigns/<slug>.yaml` at the repository root, validated here, and upserted into
`app.campaigns` (with its steps and variants) by `outreach.campaigns.seed`; batches read it back from the database.

Message texts are `str.format` templates over a fixed set of placeholders (`PLACEHOLDERS`), checked at load time so
a typo fails the seed, not a batch. The compliance parts of a message (the CAN-SPAM footer, List-Unsubscribe
headers, "Reply STOP to opt out") are added by the composer, never written by hand in a campaign.
"""

from __future__ import annotations

import hashlib
import json
import string
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from uuid import UUID

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from integrations.instabids.wire import Currency, Email, Specialty, TemplateId
from integrations.instabids.wire import Variant as VariantLabel
from outreach.templates import TemplateError, default_catalog

Channel = Literal["email", "sms"]
CampaignStatus = Literal["draft", "active", "paused", "archived"]
StopCondition = Literal["reply", "opt_out", "conversion"]
# A region slug (`us-ca-san-diego`) or a prefix of one: a state (`us-ca`).
RegionSelector = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}-[a-z]{2}(-[a-z0-9]+)*$", max_length=100)]
SourceSlug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,49}$")]
TemplateRef = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,89}\.v[1-9][0-9]{0,5}$")]
"""A template of the library (`outreach/templates/library/catalog.yaml`) at one version: `<id>.v<version>`."""

PLACEHOLDERS = frozenset(
    {"business_name", "first_name", "city", "state", "specialty", "incentive", "company", "referrer"}
)
"""What a message template may use: `{business_name}`, `{first_name}`, ...; `{referrer}` is the first name of who
referred the prospect, else "Someone in the InstaBids network" (so it starts a sentence)."""

SMS_TEMPLATE_MAX = 1200  # leaves room for substituted values and the opt-out line within Messaging's 1,600
FREE_MAIL_DOMAINS = (
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "aol.com",
    "icloud.com",
    "live.com",
    "msn.com",
    "comcast.net",
    "att.net",
    "sbcglobal.net",
    "verizon.net",
    "me.com",
)
QUIET_HOURS_START = time(8, 0)
QUIET_HOURS_END = time(21, 0)
"""47 CFR 64.1200(c)(1): no solicitation before 8 a.m. or after 9 p.m. at the called party's location."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_template(text: str | None, where: str) -> str | None:
    if text is None:
        return None
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise ValueError(f"{where}: malformed template ({exc})") from exc
    unknown = fields - PLACEHOLDERS
    if unknown or any(not name for name in fields):
        names = ", ".join(sorted(unknown)) or "{}"
        raise ValueError(f"{where}: unknown placeholder(s) {names}; use {', '.join(sorted(PLACEHOLDERS))}")
    return text


def _check_variant_templates(variants: list[Variant], initial: Step, channels: list[Channel]) -> None:
    """Each arm renders a variant its initial templates have, and no two arms render the same one."""
    for channel in channels:
        spec = default_catalog().get(*initial.template_of(channel))
        for variant in variants:
            if variant.renders not in spec.variants:
                raise ValueError(
                    f"variant {variant.label!r} renders template variant {variant.renders!r}, which {spec.ref} does "
                    f"not have (it has {', '.join(spec.variants)}): set its template_variant"
                )
    rendered = [variant.renders for variant in variants]
    if len(set(rendered)) != len(rendered):
        raise ValueError(f"variants render the same template variant ({', '.join(rendered)}): arms must differ")


def _check_step_templates(step: Step, channels: list[Channel]) -> None:
    """A step names a library template for every channel of the campaign (a dead channel may switch to any of
    them), each one that exists, at that version, for that channel."""
    if missing := [channel for channel in channels if channel not in step.templates]:
        raise ValueError(f"step {step.name!r} names no template for {', '.join(missing)}")
    for channel in step.templates:
        try:
            spec = default_catalog().get(*step.template_of(channel))
        except TemplateError as exc:
            raise ValueError(f"step {step.name!r} {channel} template: {exc}") from None
        if spec.channel != channel:
            raise ValueError(f"step {step.name!r}: {spec.ref} is an {spec.channel} template, not {channel}")


class Targeting(_Model):
    """Who a campaign is for. Empty lists match everyone; a prospect must match every non-empty criterion."""

    specialties: list[Specialty] = Field(default_factory=list)
    regions: list[RegionSelector] = Field(default_factory=list)
    sources: list[SourceSlug] = Field(default_factory=list)
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    require_score: bool = False
    """False: a prospect without a score (or no scoring yet) gets the neutral score and `min_score` is not applied."""

    def matches_region(self, region: str | None) -> bool:
        if not self.regions:
            return True
        if region is None:
            return False
        return any(region == r or region.startswith(f"{r}-") for r in self.regions)


class SendWindow(_Model):
    """Local time of the recipient in which the campaign may send, inside the legal 08:00-21:00."""

    start: time = QUIET_HOURS_START
    end: time = QUIET_HOURS_END

    @model_validator(mode="after")
    def _ordered(self) -> SendWindow:
        if not self.start < self.end:
            raise ValueError("send_window.start must be before send_window.end")
        if self.start < QUIET_HOURS_START or self.end > QUIET_HOURS_END:
            raise ValueError("send_window must lie within 08:00-21:00 (47 CFR 64.1200(c))")
        return self


class FrequencyPolicy(_Model):
    """Per-prospect pacing across every campaign."""

    max_messages: int = Field(default=3, ge=1)
    window_days: int = Field(default=7, ge=1)
    cooldown_hours: int = Field(default=48, ge=0)
    """Minimum time since the prospect's last message of another campaign."""


class Sender(_Model):
    from_name: str = Field(default="InstaBids", min_length=1, max_length=100)
    reply_to: Email = "partners@instabids.example"
    company: str = Field(default="InstaBids, Inc.", min_length=1, max_length=200)
    postal_address: str = Field(default="100 Market Street, Suite 300, San Francisco, CA 94105", min_length=10)
    """CAN-SPAM (15 U.S.C. 7704(a)(5)): a valid physical postal address in every commercial email."""
    unsubscribe_url: str = Field(default="https://instabids.example/unsubscribe", pattern=r"^https://\S+$")
    unsubscribe_mailto: Email = "unsubscribe@instabids.example"


class Step(_Model):
    """One message of the sequence. Step 0 is the initial message; step n follows step n-1 after `delay_days`."""

    name: str = Field(min_length=1, max_length=100)
    delay_days: int = Field(default=0, ge=0)
    channel: Channel | None = None
    """None: the campaign's channel preference."""
    template_id: TemplateId
    templates: dict[Channel, TemplateRef]
    """What the personalization engine renders for this step on each channel: a library template and its version,
    pinned here so a new template version changes a campaign only when its YAML says so."""
    subject: str = Field(min_length=1, max_length=200)
    email_body: str = Field(min_length=1)
    sms_body: str = Field(min_length=1, max_length=SMS_TEMPLATE_MAX)

    @model_validator(mode="after")
    def _templates(self) -> Step:
        for name in ("subject", "email_body", "sms_body"):
            _check_template(getattr(self, name), f"step {self.name!r} {name}")
        return self

    def template_of(self, channel: Channel) -> tuple[str, int]:
        """(library template id, version) of this step on `channel`."""
        template_id, _, version = self.templates[channel].rpartition(".v")
        return template_id, int(version)


class Variant(_Model):
    """An A/B arm: it may replace the texts of the initial message; follow-ups keep the step's texts.

    `template_variant` is the wording of the library templates the arm renders (the personalization engine's
    messages); unset, it is the arm's label. It must be a variant of the initial step's templates on every channel
    of the campaign, and no two arms may render the same one: otherwise arms would send identical messages and the
    test would measure nothing. The Beta(prior_alpha, prior_beta) prior is updated with the replies observed per
    variant (Thompson sampling).
    """

    label: VariantLabel
    template_variant: VariantLabel | None = None
    description: str = ""
    subject: str | None = Field(default=None, min_length=1, max_length=200)
    email_body: str | None = Field(default=None, min_length=1)
    sms_body: str | None = Field(default=None, min_length=1, max_length=SMS_TEMPLATE_MAX)
    prior_alpha: float = Field(default=1.0, gt=0)
    prior_beta: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _templates(self) -> Variant:
        for name in ("subject", "email_body", "sms_body"):
            _check_template(getattr(self, name), f"variant {self.label!r} {name}")
        return self

    @property
    def renders(self) -> str:
        """The library template variant this arm renders."""
        return self.template_variant or self.label


class Incentive(_Model):
    kind: Literal["signup_credit", "referral_bonus"] = "signup_credit"
    amount_cents: int = Field(ge=1, le=1_000_000)
    currency: Currency = "USD"

    def display(self) -> str:
        amount = self.amount_cents / 100
        text = f"{amount:,.0f}" if self.amount_cents % 100 == 0 else f"{amount:,.2f}"
        return f"${text}" if self.currency == "USD" else f"{text} {self.currency}"


class Campaign(_Model):
    id: UUID
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    status: CampaignStatus = "draft"
    targeting: Targeting = Field(default_factory=Targeting)
    channels: list[Channel] = Field(min_length=1, max_length=2)
    """Channels the campaign may use, in order of preference (a dead channel falls back to the next one)."""
    send_time: time = time(19, 0)
    """UTC time of the daily batch: with the partition date it is the batch clock (19:00 UTC is 09:00-15:00 in
    every US zone, inside every window)."""
    send_window: SendWindow = Field(default_factory=SendWindow)
    daily_cap: int = Field(ge=1)
    per_domain_cap: int | None = Field(default=None, ge=1)
    """Emails per recipient domain per day across campaigns; None = no cap."""
    per_domain_cap_exempt: list[str] = Field(default_factory=lambda: list(FREE_MAIL_DOMAINS))
    frequency: FrequencyPolicy = Field(default_factory=FrequencyPolicy)
    steps: list[Step] = Field(min_length=1, max_length=10)
    stop_on: list[StopCondition] = Field(default_factory=lambda: ["reply", "opt_out", "conversion"])
    variants: list[Variant] = Field(min_length=1, max_length=10)
    incentive: Incentive | None = None
    sender: Sender = Field(default_factory=Sender)

    @field_validator("channels", "stop_on")
    @classmethod
    def _unique(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("values must be unique")
        return values

    @field_validator("send_time")
    @classmethod
    def _naive_time(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("send_time is a UTC time of day without a zone (e.g. '19:00')")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Campaign:
        if self.steps[0].delay_days != 0:
            raise ValueError("the initial step (steps[0]) must have delay_days 0")
        for step in self.steps:
            if step.channel is not None and step.channel not in self.channels:
                raise ValueError(f"step {step.name!r} uses channel {step.channel!r} outside the campaign's channels")
            _check_step_templates(step, self.channels)
        labels = [v.label for v in self.variants]
        if len(set(labels)) != len(labels):
            raise ValueError("variant labels must be unique")
        _check_variant_templates(self.variants, self.steps[0], self.channels)
        if len({s.name for s in self.steps}) != len(self.steps):
            raise ValueError("step names must be unique")
        needs_incentive = any(
            "{incentive}" in (text or "")
            for item in (*self.steps, *self.variants)
            for text in (item.subject, item.email_body, item.sms_body)
        )
        if needs_incentive and self.incentive is None:
            raise ValueError("a template uses {incentive} but the campaign offers none")
        return self

    @property
    def campaign_id(self) -> str:
        return str(self.id)

    def variant(self, label: str) -> Variant:
        for variant in self.variants:
            if variant.label == label:
                return variant
        raise KeyError(f"campaign {self.id} has no variant {label!r}")

    def template_variant(self, step: int, channel: Channel, label: str) -> str:
        """The library template variant a message of arm `label` renders at `step` on `channel`: the arm's own on the
        initial step (checked at load); a follow-up renders it when its template has it, else the template's first
        variant (follow-ups are the same for every arm, as their texts are)."""
        wanted = self.variant(label).renders
        if step == 0:
            return wanted
        variants = default_catalog().get(*self.steps[step].template_of(channel)).variants
        return wanted if wanted in variants else next(iter(variants))

    def definition(self) -> dict:
        """The JSON form stored in `app.campaigns.definition` (and read back with `Campaign.model_validate`)."""
        return self.model_dump(mode="json")

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.definition(), sort_keys=True).encode()).hexdigest()


class CampaignFileError(ValueError):
    """A campaign file is not valid YAML or not a valid campaign; the message names the file."""


def load_campaign_file(path: Path) -> Campaign:
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise CampaignFileError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise CampaignFileError(f"{path.name}: a campaign file holds one mapping")
    try:
        return Campaign.model_validate(raw)
    except ValueError as exc:
        raise CampaignFileError(f"{path.name}: {exc}") from exc


DEFAULT_CAMPAIGNS_DIR = Path(__file__).resolve().parents[2] / "campaigns"


def load_campaigns(directory: Path = DEFAULT_CAMPAIGNS_DIR) -> list[Campaign]:
    """Every `*.yaml`/`*.yml` of the folder, validated, in file-name order; ids must be unique."""
    paths = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    campaigns = [load_campaign_file(path) for path in paths]
    seen: dict[UUID, str] = {}
    for path, campaign in zip(paths, campaigns, strict=True):
        if campaign.id in seen:
            raise CampaignFileError(f"{path.name}: campaign id {campaign.id} already used by {seen[campaign.id]}")
        seen[campaign.id] = path.name
    return campaigns
