"""Standard Webhooks verification of what the other domains deliver (events, webhooks, callbacks).

Each sending domain signs with its own secret, chosen by the event `source`. The body is checked against the
domains' secrets *before* it is parsed, so nothing of an unauthenticated body is ever interpreted; once one secret
matches, the intake parses the events and requires the secret of each event's `source` to match too (a batch holds
one source). The outcome is the same as picking the secret by `source` first, without parsing untrusted input to
find it. Timestamps are accepted within 5 minutes of our clock (the package's tolerance).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from integrations.api.problems import ProblemError

_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")


def _usable(entry: str) -> bool:
    """A `v1,<base64>` entry the package can check (it would stop at the first one it cannot decode)."""
    version, _, encoded = entry.partition(",")
    if version != "v1" or not encoded:
        return False
    try:
        base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def invalid_signature(detail: str) -> ProblemError:
    return ProblemError(401, "invalid_signature", detail)


class Signature:
    """A delivery whose signature matched at least one sending domain's secret; `covers(source)` says whether
    it matches the secret of `source` (checked on demand, remembered)."""

    def __init__(self, check: Callable[[str], bool], first_match: str) -> None:
        self._check = check
        self._known = {first_match: True}

    def covers(self, source: str) -> bool:
        if source not in self._known:
            self._known[source] = self._check(source)
        return self._known[source]


class SignatureVerifier:
    """Verifies a delivery against the secrets of the sending domains (keyed by CloudEvent source)."""

    def __init__(self, secrets_by_source: Mapping[str, str]) -> None:
        self._webhooks = {source: Webhook(secret) for source, secret in secrets_by_source.items()}

    def verify(self, body: bytes, headers: Mapping[str, str]) -> Signature:
        """The delivery's signature, once some domain's secret matches; a 401 problem when none does, when the
        timestamp is outside the tolerance, or when the headers are unusable."""
        message_id = headers.get("webhook-id")
        timestamp = headers.get("webhook-timestamp")
        signature = headers.get("webhook-signature")
        if not (message_id and timestamp and signature):
            raise invalid_signature("webhook-id, webhook-timestamp and webhook-signature are required")
        if not _TIMESTAMP.match(timestamp):
            raise invalid_signature("webhook-timestamp must be Unix seconds")
        entries = [entry for entry in signature.split(" ") if _usable(entry)]
        if not entries:
            raise invalid_signature("webhook-signature holds no v1 signature")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise invalid_signature("the body is not UTF-8, so its signature cannot be checked") from exc
        normalized = {"webhook-id": message_id, "webhook-timestamp": timestamp,
                      "webhook-signature": " ".join(entries)}

        def signed_with(source: str) -> bool:
            webhook = self._webhooks.get(source)
            if webhook is None:
                return False
            try:
                webhook.verify(text, normalized, json_parse=False)
            except WebhookVerificationError as exc:
                if "timestamp" in str(exc):
                    raise invalid_signature("webhook-timestamp is outside the 5-minute tolerance") from exc
                return False
            return True

        for source in self._webhooks:
            if signed_with(source):
                return Signature(signed_with, source)
        raise invalid_signature("no signature matches a sending domain's secret")
