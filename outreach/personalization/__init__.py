"""Message personalization: `Facts` (all a message may say), `guardrails`, and the `Personalizer` that asks a language
model for a personalized opening and falls back to the deterministic template.

Names are loaded on first use, so importing `outreach.personalization.facts` does not import the openai package.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from outreach.personalization.engine import Composed, Personalizer, Usage
    from outreach.personalization.facts import Facts
    from outreach.personalization.guardrails import Violation
    from outreach.personalization.settings import PersonalizationSettings

_EXPORTS = {
    "Composed": "engine",
    "Personalizer": "engine",
    "Usage": "engine",
    "Facts": "facts",
    "Violation": "guardrails",
    "PersonalizationSettings": "settings",
}
__all__ = ["Composed", "Facts", "PersonalizationSettings", "Personalizer", "Usage", "Violation"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
