"""Message templates: versioned Jinja2 in a sandbox (`render`), the parts the law requires (`compliance`) and SMS
segment counting (`sms`). The library of templates and its `catalog.yaml` live in `library/`."""

from outreach.templates.compliance import (
    Recipient,
    Sender,
    UnsubscribeClaim,
    unsubscribe_token,
    verify_unsubscribe_token,
)
from outreach.templates.render import (
    Catalog,
    Draft,
    RenderedMessage,
    Renderer,
    TemplateError,
    TemplateSpec,
    default_catalog,
    render,
)

__all__ = [
    "Catalog",
    "Draft",
    "Recipient",
    "RenderedMessage",
    "Renderer",
    "Sender",
    "TemplateError",
    "TemplateSpec",
    "UnsubscribeClaim",
    "default_catalog",
    "render",
    "unsubscribe_token",
    "verify_unsubscribe_token",
]
