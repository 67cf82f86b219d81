"""Compose one outreach message: a model's personalized opening when it can be trusted, the template otherwise.

`Personalizer.compose` asks the language model (when one is configured and its circuit is closed) for the only
parts it may write, as structured output: an email's subject and opening paragraph, or an SMS's text. It gives the
model nothing but the `Facts`. The draft must pass the guardrails; then the template and the compliance code
assemble the message around it, and the finished message is checked again. Anything else — no API key, an open
circuit, a timeout, an HTTP error, a reply that does not parse, a guardrail violation — renders the deterministic
template instead, with `method="template"` and the reason.

Drafts that were used are cached in Postgres by (template id, version, variant, channel, facts, model, prompt
version), so composing the same message again makes no call. Every call that returned tokens is recorded in
`app.llm_usage` with its estimated cost, against the recipient's campaign. Writes go through the connection given
to the `Personalizer` and are not committed here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, Protocol

import psycopg
from pydantic import BaseModel, ConfigDict

from integrations.llm import LlmError, LlmUnavailable
from outreach.personalization import guardrails, store
from outreach.personalization.facts import Facts
from outreach.personalization.guardrails import Violation
from outreach.personalization.settings import PersonalizationSettings
from outreach.templates.compliance import Recipient, Sender
from outreach.templates.render import Channel, Draft, RenderedMessage, Renderer, TemplateError, TemplateSpec
from outreach.templates.render import default_renderer as _default_renderer

logger = logging.getLogger(__name__)

PROMPT_VERSION = 1  # part of the cache key: a change of prompt makes new drafts
REFERRER_PLACEHOLDER = "{referrer_first_name}"
SMS_TEXT_TARGET_CHARS = 200

Method = Literal["llm", "template"]


# --- what the model answers -------------------------------------------------------------------------------------


class EmailDraftOutput(BaseModel):
    """The model's part of an email."""

    model_config = ConfigDict(extra="forbid")

    subject: str
    opening: str


class SmsDraftOutput(BaseModel):
    """The model's part of an SMS: the text between the sender's name and the reply instructions."""

    model_config = ConfigDict(extra="forbid")

    text: str


class _Usage(Protocol):
    model: str
    prompt_tokens: int
    completion_tokens: int


class TextGenerator(Protocol):
    """What the engine needs of a model client (`integrations.llm.LlmClient`)."""

    model: str

    @property
    def circuit_open(self) -> bool: ...

    def generate(self, system: str, user: str, schema: type[Any]) -> tuple[Any, _Usage]: ...


# --- results ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd_micros: int


@dataclass(frozen=True)
class Composed:
    """A finished message and how it was made."""

    message: RenderedMessage
    method: Method  # "llm": the model's draft is in it; "template": the deterministic template
    reason: str | None  # why the template was used: llm_not_configured, circuit_open, timeout, llm_error,
    #                     parse_error, guardrails (see `violations`); None when method == "llm"
    violations: tuple[Violation, ...] = ()
    cached: bool = False  # the draft came from the cache (no model call)
    usage: Usage | None = None  # tokens and cost of the call made for this message, if one was made
    model: str | None = None
    cache_key: str | None = None

    @property
    def channel(self) -> Channel:
        return self.message.channel

    @property
    def template_ref(self) -> str:
        return self.message.template_ref

    @property
    def template_id(self) -> str:
        """The contract's MessageMetadata.template_id: `<id>.v<version>` (same as `template_ref`)."""
        return self.message.template_ref

    @property
    def variant(self) -> str:
        return self.message.variant

    # The message's fields, so a Composed reads like the campaign composer's result.
    @property
    def subject(self) -> str | None:
        return self.message.subject

    @property
    def body_text(self) -> str | None:
        return self.message.body_text

    @property
    def body_html(self) -> str | None:
        return self.message.body_html

    @property
    def headers(self) -> dict[str, str] | None:
        return dict(self.message.headers) if self.message.channel == "email" else None

    @property
    def body(self) -> str | None:
        return self.message.body


# --- the engine -------------------------------------------------------------------------------------------------


class Personalizer:
    def __init__(
        self,
        llm: TextGenerator | None = None,
        *,
        conn: psycopg.Connection | None = None,
        price_prompt_per_1k: Decimal | float | str = 0,
        price_completion_per_1k: Decimal | float | str = 0,
        renderer: Renderer | None = None,
    ) -> None:
        self.llm = llm
        self.conn = conn
        self.price_prompt_per_1k = Decimal(str(price_prompt_per_1k))
        self.price_completion_per_1k = Decimal(str(price_completion_per_1k))
        self.renderer = renderer or _default_renderer()

    @classmethod
    def from_settings(cls, settings: PersonalizationSettings, conn: psycopg.Connection | None = None) -> Personalizer:
        return cls(
            settings.llm_client(),
            conn=conn,
            price_prompt_per_1k=settings.llm_price_prompt_per_1k,
            price_completion_per_1k=settings.llm_price_completion_per_1k,
        )

    def cost_usd_micros(self, prompt_tokens: int, completion_tokens: int) -> int:
        usd = (prompt_tokens * self.price_prompt_per_1k + completion_tokens * self.price_completion_per_1k) / 1000
        return int((usd * 1_000_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def compose(
        self,
        template_id: str,
        variant: str,
        channel: Channel,
        facts: Facts,
        sender: Sender,
        *,
        recipient: Recipient,
        version: int | None = None,
    ) -> Composed:
        """One message for one recipient; never raises for a model problem (the template is the fallback)."""
        spec = self.renderer.spec(template_id, version)
        if spec.channel != channel:
            raise TemplateError(f"{spec.ref} is an {spec.channel} template, not {channel}")
        if variant not in spec.variants:
            raise TemplateError(f"{spec.ref} has no variant {variant!r}; known: {', '.join(spec.variants)}")

        def fallback(reason: str, **details: Any) -> Composed:
            message = self.renderer.render(spec.id, variant, facts, sender, recipient=recipient, version=spec.version)
            return Composed(message, "template", reason, model=self.llm.model if self.llm else None, **details)

        if self.llm is None:
            return fallback("llm_not_configured")
        if self.llm.circuit_open:
            return fallback("circuit_open")
        key = cache_key(spec, variant, facts, self.llm.model)

        cached = self._cached_draft(key, facts)
        if cached is not None:
            message, violations = self._checked(spec, variant, facts, sender, recipient, cached)
            if message is not None and not violations:
                return Composed(message, "llm", None, cached=True, model=self.llm.model, cache_key=key)
            logger.info("personalization: cached draft %s no longer passes the guardrails", key[:12])

        system, user = prompts(spec, variant, facts, sender)
        schema = EmailDraftOutput if spec.channel == "email" else SmsDraftOutput
        try:
            output, raw_usage = self.llm.generate(system, user, schema)
        except LlmUnavailable:
            return fallback("circuit_open", cache_key=key)
        except LlmError as error:
            logger.info("personalization: %s for %s, using the template: %s", error.reason, spec.ref, error)
            usage = self._record(error.usage, recipient, spec, error.reason) if error.usage else None
            return fallback(error.reason, usage=usage, cache_key=key)
        except Exception:  # a model client bug must not stop a campaign: log it loudly and fall back
            logger.exception("personalization: unexpected error from the model client")
            return fallback("llm_error", cache_key=key)

        draft = _draft_of(output)
        message, violations = self._checked(spec, variant, facts, sender, recipient, draft)
        outcome = "used" if not violations else "guardrails"
        usage = self._record(raw_usage, recipient, spec, outcome)
        if violations or message is None:
            logger.info("personalization: draft for %s rejected: %s", spec.ref, "; ".join(map(str, violations)))
            return fallback("guardrails", violations=tuple(violations), usage=usage, cache_key=key)
        if self.conn is not None:
            store.put_cached(
                self.conn,
                key=key,
                template_id=spec.id,
                template_version=spec.version,
                variant=variant,
                channel=spec.channel,
                content=_storable(draft, facts),
                method="llm",
                model=self.llm.model,
            )
        return Composed(message, "llm", None, usage=usage, model=self.llm.model, cache_key=key)

    # --- helpers ---------------------------------------------------------------------------------------------

    def _checked(
        self, spec: TemplateSpec, variant: str, facts: Facts, sender: Sender, recipient: Recipient, draft: Draft
    ) -> tuple[RenderedMessage | None, list[Violation]]:
        """The draft through the guardrails, then the finished message through its own checks."""
        violations = guardrails.check_draft(draft, spec.channel, facts, sender)
        if violations:
            return None, violations
        message = self.renderer.render(
            spec.id, variant, facts, sender, recipient=recipient, draft=draft, version=spec.version
        )
        return message, guardrails.check_message(message, sender)

    def _cached_draft(self, key: str, facts: Facts) -> Draft | None:
        if self.conn is None:
            return None
        row = store.get_cached(self.conn, key)
        if row is None or row.method != "llm":
            return None
        return _restored(row.content, facts)

    def _record(self, raw: _Usage, recipient: Recipient, spec: TemplateSpec, outcome: str) -> Usage:
        usage = Usage(
            model=raw.model,
            prompt_tokens=raw.prompt_tokens,
            completion_tokens=raw.completion_tokens,
            cost_usd_micros=self.cost_usd_micros(raw.prompt_tokens, raw.completion_tokens),
        )
        if self.conn is not None:
            store.insert_usage(
                self.conn,
                campaign_id=recipient.campaign_id,
                template_id=spec.ref,
                model=usage.model,
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                cost_usd_micros=usage.cost_usd_micros,
                outcome=outcome,
            )
        return usage


def cache_key(spec: TemplateSpec, variant: str, facts: Facts, model: str) -> str:
    """SHA-256 over what a draft depends on: template id, version, variant, channel, facts, model, prompt version."""
    parts = {
        "template_id": spec.id,
        "template_version": spec.version,
        "variant": variant,
        "channel": spec.channel,
        "facts": facts.fingerprint(),
        "model": model,
        "prompt_version": PROMPT_VERSION,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def prompts(spec: TemplateSpec, variant: str, facts: Facts, sender: Sender) -> tuple[str, str]:
    """The system and user messages: the rules, then the task and the facts as JSON."""
    if spec.channel == "email":
        shape = (
            "Return JSON with `subject` (a subject line of at most 60 characters) and `opening` (one paragraph of "
            "two or three sentences, at most 500 characters). The email already starts with a greeting line and "
            "continues after your paragraph, so do not greet, sign off or ask for a reply."
        )
    else:
        shape = (
            f"Return JSON with `text`: the whole text message, at most {SMS_TEXT_TARGET_CHARS} characters, "
            "starting with a short greeting that uses the business name. Plain characters only (no emoji). The "
            f'message is sent as "{sender.name}: <your text> Reply to learn more." followed by opt-out words, '
            "so do not add those."
        )
    system = (
        f"You write one part of {'an email' if spec.channel == 'email' else 'a text message'} from {sender.name}, an "
        "online marketplace where homeowners post home-improvement projects and local contractors bid on them, "
        "to a contractor business we would like to invite.\n"
        "Rules:\n"
        "- Use only the facts in the user message. Do not invent anything: no other numbers, prices, dates, "
        "percentages, names, places, reviews or claims. Every number you write must be one of the facts, written "
        "as given.\n"
        "- Never promise or suggest income, earnings, profit, savings or guaranteed work.\n"
        "- Mention a referral only if `referrer_first_name` is in the facts.\n"
        "- No links, email addresses, phone numbers, HTML, markdown or placeholders.\n"
        "- Plain, friendly, professional US English; no hype, no pressure.\n"
        f"- {shape}"
    )
    user = json.dumps(
        {
            "message": spec.description,
            "step": spec.step_kind,
            "angle": spec.variants[variant],
            "facts": facts.for_prompt(),
        },
        indent=2,
    )
    return system, user


def _draft_of(output: BaseModel) -> Draft:
    if isinstance(output, EmailDraftOutput):
        return Draft(opening=output.opening, subject=output.subject)
    if isinstance(output, SmsDraftOutput):
        return Draft(opening=output.text)
    raise TypeError(f"unexpected model output {type(output).__name__}")


def _storable(draft: Draft, facts: Facts) -> dict[str, Any]:
    """The draft as cached: the referrer's first name (a person's name) replaced by a placeholder."""
    content = {"subject": draft.subject, "opening": draft.opening}
    if facts.referrer_first_name:
        name = re.compile(rf"\b{re.escape(facts.referrer_first_name)}\b")
        content = {part: name.sub(REFERRER_PLACEHOLDER, text) if text else text for part, text in content.items()}
    return content


def _restored(content: dict[str, Any], facts: Facts) -> Draft:
    name = facts.referrer_first_name or ""

    def restore(text: Any) -> str | None:
        return str(text).replace(REFERRER_PLACEHOLDER, name) if text else None

    return Draft(opening=restore(content.get("opening")), subject=restore(content.get("subject")))
