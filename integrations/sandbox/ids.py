"""Ids and timestamps in the contract's formats, reproducible from the seed."""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, datetime


def stable_uuid(*parts: object) -> str:
    """A lowercase UUID derived from its parts: the same id in every run with the same seed and inputs."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def random_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def iso(moment: float | datetime) -> str:
    """RFC 3339 UTC with `Z`, second precision (the contract's Timestamp)."""
    value = moment if isinstance(moment, datetime) else datetime.fromtimestamp(moment, tz=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """Parse a contract Timestamp (`...Z`); ValueError if it is not one."""
    if not text.endswith("Z"):
        raise ValueError("timestamp must be UTC with Z")
    return datetime.fromisoformat(text[:-1] + "+00:00")
