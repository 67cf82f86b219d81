"""AI response analysis: what a prospect's reply means and what to do next.

`classify_intent(body, channel, llm=None)` runs opt-out detection first (deterministic rules, final, never the
LLM), then the LLM with structured output when a callable is given, else (or on LLM failure) the local rules +
scikit-learn model. `decide(result, channel)` turns the intent into the follow-up. No I/O here: the handler of
MessageReceivedEvent calls these and writes suppressions, events and sequence changes.
"""

from outreach.responses.decision import CONFIRMATION_SMS_TEXT, Action, FollowUp, decide
from outreach.responses.intent import (
    SYSTEM_PROMPT,
    Intent,
    IntentResult,
    LLMCallable,
    ReplyAnalysis,
    build_user_prompt,
    classify_intent,
)
from outreach.responses.optout import OptOut, detect_opt_out
from outreach.responses.text import NormalizedReply, normalize_reply, strip_quoted

__all__ = [
    "CONFIRMATION_SMS_TEXT",
    "SYSTEM_PROMPT",
    "Action",
    "FollowUp",
    "Intent",
    "IntentResult",
    "LLMCallable",
    "NormalizedReply",
    "OptOut",
    "ReplyAnalysis",
    "build_user_prompt",
    "classify_intent",
    "decide",
    "detect_opt_out",
    "normalize_reply",
    "strip_quoted",
]
