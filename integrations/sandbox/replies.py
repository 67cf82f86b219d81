"""What prospects write back: realistic reply bodies per intent and channel.

Response analysis is evaluated on these, so each intent has several phrasings, SMS replies are short and
informal, opt-outs include the carrier keywords ("STOP", "UNSUBSCRIBE") as well as polite prose, and email
replies sometimes quote the original message below the answer.
"""

from __future__ import annotations

import random

INTENTS = ("interested", "question", "not_interested", "opt_out", "wrong_contact", "auto_reply")

_EMAIL = {
    "interested": (
        "Hi,\n\nThanks for reaching out. We're definitely interested in getting more {specialty} jobs in {city}. "
        "How do we get started?\n\n{first}\n{business}",
        "Sounds good, sign us up. What do you need from me?\n\n- {first}",
        "Hello, yes we'd like to learn more. We have capacity for a few more projects this month. "
        "Call me at your convenience.\n\nThanks,\n{first}",
        "I'm interested. Send me the details and the link to create the account.\n\n{first} {last}\n{business}",
    ),
    "question": (
        "Hi, how much does it cost to be listed on InstaBids? Are there fees per lead?\n\n{first}",
        "What areas do you cover? We mostly work around {city}. Also, do you check licenses?\n\nThanks, {first}",
        "Before I sign up - how do payments work and how fast do contractors get paid?\n\n{first}",
        "Is this legit? How did you get my contact info?\n\n{first}",
    ),
    "not_interested": (
        "Thanks but we're not interested at this time. We have more work than we can handle.\n\n{first}",
        "No thank you.",
        "We don't use lead services. Please don't contact us again about this.\n\n{business}",
        "Not interested, we get all our work from referrals.",
    ),
    "opt_out": (
        "Please remove me from your mailing list.",
        "UNSUBSCRIBE",
        "Stop emailing me. Remove this address from your list.",
        "Please take us off your list, thank you.\n\n{business}",
    ),
    "wrong_contact": (
        "You have the wrong person. I'm not a contractor and I don't know {business}.",
        "{first} no longer works here. Please update your records.",
        "This is not {business}. Wrong email address.",
    ),
    "auto_reply": (
        "Thank you for your email. I am out of the office until next week with limited access to email. "
        "For urgent matters please call the office.\n\n{business}",
        "This is an automated response: we have received your message and will get back to you within 2 "
        "business days.\n\n{business}",
        "Auto-reply: I'm on a job site today. I'll return your message this evening. - {first}",
    ),
}
_SMS = {
    "interested": (
        "Yes interested. How do I sign up?", "Sure, send me the link", "Interested! call me", "yes pls. {first}",
        "ok sounds good, what do I need to do",
    ),
    "question": (
        "How much does it cost?", "what's the catch? any fees?", "Who is this?", "do you cover {city}?",
        "how did you get my number",
    ),
    "not_interested": ("No thanks", "not interested", "Too busy right now, maybe next year", "No"),
    "opt_out": ("STOP", "Stop", "UNSUBSCRIBE", "STOP texting me", "remove me", "please stop texting this number"),
    "wrong_contact": ("wrong number", "Wrong number, I'm not {first}", "You have the wrong person"),
    "auto_reply": ("I'm driving right now, I'll get back to you.",),
}


def reply_body(rng: random.Random, channel: str, intent: str, context: dict[str, str],
               original: str | None = None, sent_at: str | None = None) -> str:
    """A reply of `intent`; email replies quote the original 40 % of the time."""
    templates = (_SMS if channel == "sms" else _EMAIL)[intent]
    text = rng.choice(templates).format(**context)
    if channel == "email" and original and intent != "auto_reply" and rng.random() < 0.4:
        quoted = "\n".join(f"> {line}" for line in original.splitlines()[:12])
        text += f"\n\nOn {sent_at}, InstaBids wrote:\n{quoted}"
    return text
