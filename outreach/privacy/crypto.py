"""Encryption of contact data at rest (AES-256-GCM with key ids, so keys can rotate).

Keys come from `OUTREACH_PII_KEYS` (`kid:base64key[,kid:base64key...]`, the first one encrypts, all decrypt).
Without it, a local keyring file is created once under the state folder (`pii_keys.json`, mode 0600) so a fresh
machine works; a production deployment sets the variable from its secret store. Rotation (docs/privacy.md): put a
new key first, keep the old ones, run `outreach privacy rotate-keys`, then drop the old keys. Ciphertext layout:
`b"\\x01" | len(kid) | kid | 12-byte nonce | AES-GCM(ciphertext + tag)`, with the column name as associated data
so a value cannot be moved to another column unnoticed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = 1
NONCE_BYTES = 12


class PiiKeyError(RuntimeError):
    """A key is missing or malformed; nothing is decrypted with a guess."""


@dataclass(frozen=True)
class PiiCipher:
    """Encrypts with the active key, decrypts with any known key."""

    keys: dict[str, bytes]
    active_kid: str

    def encrypt(self, plaintext: str | None, context: str) -> bytes | None:
        if plaintext is None:
            return None
        kid = self.active_kid.encode()
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.active_kid]).encrypt(nonce, plaintext.encode(), context.encode())
        return bytes([FORMAT_VERSION, len(kid)]) + kid + nonce + sealed

    def decrypt(self, blob: bytes | None, context: str) -> str | None:
        if blob is None:
            return None
        blob = bytes(blob)
        if not blob or blob[0] != FORMAT_VERSION:
            raise PiiKeyError("unknown ciphertext format")
        kid_len = blob[1]
        kid = blob[2 : 2 + kid_len].decode()
        if kid not in self.keys:
            raise PiiKeyError(f"no key with id {kid!r}")
        nonce = blob[2 + kid_len : 2 + kid_len + NONCE_BYTES]
        sealed = blob[2 + kid_len + NONCE_BYTES :]
        return AESGCM(self.keys[kid]).decrypt(nonce, sealed, context.encode()).decode()

    def reencrypt(self, blob: bytes, context: str) -> bytes:
        """The same plaintext sealed with the active key (key rotation); the plaintext never leaves this method."""
        return self.encrypt(self.decrypt(blob, context), context)

    @classmethod
    def from_spec(cls, spec: str) -> PiiCipher:
        """Parse `kid:base64key,...`; the first key is the active one."""
        keys: dict[str, bytes] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            kid, _, encoded = part.partition(":")
            key = base64.b64decode(encoded)
            if not kid or len(key) != 32:
                raise PiiKeyError("OUTREACH_PII_KEYS entries must be kid:base64(32 bytes)")
            keys[kid] = key
        if not keys:
            raise PiiKeyError("OUTREACH_PII_KEYS is empty")
        return cls(keys=keys, active_kid=next(iter(keys)))


def ciphertext_kid(blob: bytes) -> str:
    """The id of the key a ciphertext was sealed with (read from its header, nothing decrypted)."""
    blob = bytes(blob)
    if len(blob) < 2 or blob[0] != FORMAT_VERSION:
        raise PiiKeyError("unknown ciphertext format")
    return blob[2 : 2 + blob[1]].decode()


def new_key_spec(kid: str) -> str:
    return f"{kid}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


def load_cipher(state_dir: Path) -> PiiCipher:
    """The cipher from `OUTREACH_PII_KEYS`, else from (a newly created) local key file."""
    if spec := os.environ.get("OUTREACH_PII_KEYS"):
        return PiiCipher.from_spec(spec)
    key_file = state_dir / "pii_keys.json"
    _create_private_file(key_file, json.dumps({"keys": [new_key_spec("k1")]}))
    return PiiCipher.from_spec(",".join(json.loads(key_file.read_text())["keys"]))


def add_local_key(state_dir: Path, kid: str) -> Path:
    """Put a new key first in the local keyring file (it encrypts from now on; the older ones still decrypt).

    Only for the local keyring: with `OUTREACH_PII_KEYS` set, the deployment's secret store holds the keys and
    this refuses, so a key never silently lands in a file nobody reads.
    """
    if os.environ.get("OUTREACH_PII_KEYS"):
        raise PiiKeyError("OUTREACH_PII_KEYS is set: add the new key to it (first position), not to the local file")
    load_cipher(state_dir)  # creates the file on a fresh machine
    key_file = state_dir / "pii_keys.json"
    specs = json.loads(key_file.read_text())["keys"]
    if any(spec.partition(":")[0] == kid for spec in specs):
        raise PiiKeyError(f"a key with id {kid!r} already exists")
    replacement = key_file.with_suffix(".tmp")
    replacement.unlink(missing_ok=True)
    _create_private_file(replacement, json.dumps({"keys": [new_key_spec(kid), *specs]}))
    replacement.replace(key_file)
    return key_file


def check_keys_separate(cipher: PiiCipher, indexer: BlindIndexer) -> None:
    """Refuse a blind-index key equal to an encryption key: one leaked secret must not unlock both."""
    if any(hmac.compare_digest(key, indexer.key) for key in cipher.keys.values()):
        raise PiiKeyError("OUTREACH_BLIND_INDEX_KEY must differ from every OUTREACH_PII_KEYS key")


def _create_private_file(path: Path, content: str) -> None:
    """Create a mode-0600 key file once; a file that exists (maybe written by a concurrent process) is kept."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(content)


@dataclass(frozen=True)
class BlindIndexer:
    """Keyed HMAC-SHA256 of normalized contact values: equality lookups and dedupe without decrypting.

    Its key is separate from the encryption keys (`OUTREACH_BLIND_INDEX_KEY`, base64 of 32 bytes), so rotating an
    encryption key does not change any index, and knowing the indexes reveals nothing without this key.
    """

    key: bytes

    def index(self, kind: str, normalized: str | None) -> bytes | None:
        """`kind` (email, phone, ...) separates the spaces, so equal strings of two kinds never collide."""
        if not normalized:
            return None
        return hmac.new(self.key, f"{kind}:{normalized}".encode(), hashlib.sha256).digest()


def load_blind_indexer(state_dir: Path) -> BlindIndexer:
    """The indexer from `OUTREACH_BLIND_INDEX_KEY`, else from (a newly created) local key file."""
    if encoded := os.environ.get("OUTREACH_BLIND_INDEX_KEY"):
        key = base64.b64decode(encoded)
        if len(key) != 32:
            raise PiiKeyError("OUTREACH_BLIND_INDEX_KEY must be base64 of 32 bytes")
        return BlindIndexer(key)
    key_file = state_dir / "blind_index_key"
    _create_private_file(key_file, base64.b64encode(secrets.token_bytes(32)).decode())
    return BlindIndexer(base64.b64decode(key_file.read_text()))
