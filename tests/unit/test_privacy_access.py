"""The audited accessor and the key helpers: what a reader records, who the actor is, and that no code outside
`outreach/privacy` decrypts with the cipher directly."""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

import pytest

from outreach.privacy.access import PiiReader, acting_as, current_actor, register_actor_provider
from outreach.privacy.audit import MAX_SUBJECTS_PER_ROW, AuditEntry
from outreach.privacy.crypto import (
    BlindIndexer,
    PiiCipher,
    PiiKeyError,
    add_local_key,
    check_keys_separate,
    ciphertext_kid,
    load_cipher,
    new_key_spec,
)

ROOT = Path(__file__).resolve().parents[2]
DIRECT_DECRYPT = re.compile(r"cipher\.decrypt\(")
ALLOWED = {
    # Prospect search decrypts to mask, and audits every unmasked answer itself in the request's transaction
    # (integrations/api/audit.record_read): masked answers reveal nothing and are not audited, by its contract.
    "integrations/api/routes/prospects.py",
}


@pytest.fixture
def cipher() -> PiiCipher:
    return PiiCipher.from_spec(new_key_spec("k1"))


def test_a_reader_records_what_it_read_of_whom_per_table(cipher) -> None:
    reader = PiiReader(cipher, "entity resolution", actor="job:test")
    email = cipher.encrypt("a@b.com", "app.prospects.email")
    phone = cipher.encrypt("+16195550142", "app.prospects.phone")

    assert reader.decrypt(email, "app.prospects.email", "p1") == "a@b.com"
    reader.decrypt(phone, "app.prospects.phone", "p1")
    reader.decrypt(email, "app.prospects.email", "p2")
    reader.decrypt(None, "app.prospects.email", "p3")  # nothing stored, nothing read
    reader.decrypt(cipher.encrypt("{}", "app.inbox_events.data"), "app.inbox_events.data")

    assert reader.take() == [
        AuditEntry("job:test", "read_pii", "entity resolution", "app.inbox_events", [], ["data"],
                   {"values_read": 1}),
        AuditEntry("job:test", "read_pii", "entity resolution", "app.prospects", ["p1", "p2"], ["email", "phone"],
                   {"values_read": 3}),
    ]
    assert reader.take() == []


def test_the_actor_is_the_declared_one_else_a_provider_else_the_os_user() -> None:
    assert current_actor().startswith("os-user:")
    register_actor_provider(lambda: None)  # a provider that does not apply is skipped
    with acting_as("admin@instabids"):
        assert current_actor() == "admin@instabids"
        assert PiiReader(PiiCipher.from_spec(new_key_spec("k")), "why").entries() == []
    assert current_actor().startswith("os-user:")


def test_a_bulk_read_is_split_into_bounded_rows() -> None:
    entry = AuditEntry("a", "read_pii", "p", "app.source_records", [str(i) for i in range(MAX_SUBJECTS_PER_ROW + 1)])
    parts = entry.split()
    assert [len(p.subject_ids) for p in parts] == [MAX_SUBJECTS_PER_ROW, 1]
    assert json.loads(parts[0].params()[-1]) == {}


def test_no_code_outside_the_privacy_package_decrypts_with_the_cipher_directly() -> None:
    sources = [path for folder in ("outreach", "integrations", "orchestration")
               for path in (ROOT / folder).rglob("*.py")]
    offenders = sorted(
        name for path in sources
        if not (name := path.relative_to(ROOT).as_posix()).startswith("outreach/privacy/")
        and DIRECT_DECRYPT.search(path.read_text(encoding="utf-8"))
    )
    assert len(sources) > 100
    assert [name for name in offenders if name not in ALLOWED] == []


def test_rotation_helpers_read_the_key_id_and_reseal_under_the_active_key(cipher) -> None:
    blob = cipher.encrypt("x", "c")
    new = PiiCipher.from_spec(new_key_spec("k2"))
    both = PiiCipher(keys={**new.keys, **cipher.keys}, active_kid="k2")

    resealed = both.reencrypt(blob, "c")

    assert (ciphertext_kid(blob), ciphertext_kid(resealed)) == ("k1", "k2")
    assert new.decrypt(resealed, "c") == "x"
    with pytest.raises(PiiKeyError):
        ciphertext_kid(b"\x09junk")


def test_the_blind_index_key_must_differ_from_every_encryption_key(cipher) -> None:
    check_keys_separate(cipher, BlindIndexer(secrets.token_bytes(32)))
    with pytest.raises(PiiKeyError, match="must differ"):
        check_keys_separate(cipher, BlindIndexer(cipher.keys["k1"]))


def test_a_new_local_key_encrypts_and_the_old_ones_still_decrypt(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("OUTREACH_PII_KEYS", raising=False)
    first = load_cipher(tmp_path)
    blob = first.encrypt("old secret", "c")

    add_local_key(tmp_path, "k2")

    second = load_cipher(tmp_path)
    assert (second.active_kid, sorted(second.keys)) == ("k2", ["k1", "k2"])
    assert second.decrypt(blob, "c") == "old secret"
    assert (tmp_path / "pii_keys.json").stat().st_mode & 0o777 == 0o600
    with pytest.raises(PiiKeyError, match="already exists"):
        add_local_key(tmp_path, "k1")
    monkeypatch.setenv("OUTREACH_PII_KEYS", new_key_spec("env"))
    with pytest.raises(PiiKeyError, match="OUTREACH_PII_KEYS is set"):
        add_local_key(tmp_path, "k3")
