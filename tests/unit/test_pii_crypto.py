import base64
import json
import stat

import pytest
from cryptography.exceptions import InvalidTag

from outreach.privacy.crypto import PiiCipher, PiiKeyError, load_blind_indexer, load_cipher, new_key_spec


@pytest.fixture
def cipher() -> PiiCipher:
    return PiiCipher.from_spec(new_key_spec("k1"))


def test_round_trip_returns_the_plaintext(cipher: PiiCipher) -> None:
    blob = cipher.encrypt("jo@example.com", "raw.x.email")
    assert b"jo@example.com" not in blob
    assert cipher.decrypt(blob, "raw.x.email") == "jo@example.com"


def test_none_stays_none(cipher: PiiCipher) -> None:
    assert cipher.encrypt(None, "c") is None
    assert cipher.decrypt(None, "c") is None


def test_same_plaintext_encrypts_differently_each_time(cipher: PiiCipher) -> None:
    assert cipher.encrypt("+16195550142", "c") != cipher.encrypt("+16195550142", "c")


def test_a_value_moved_to_another_column_does_not_decrypt(cipher: PiiCipher) -> None:
    blob = cipher.encrypt("secret", "raw.x.email")
    with pytest.raises(InvalidTag):
        cipher.decrypt(blob, "raw.x.phone")


def test_old_keys_still_decrypt_after_a_new_key_becomes_active() -> None:
    old_spec = new_key_spec("k1")
    old = PiiCipher.from_spec(old_spec)
    blob = old.encrypt("value", "c")
    rotated = PiiCipher.from_spec(f"{new_key_spec('k2')},{old_spec}")
    assert rotated.active_kid == "k2"
    assert rotated.decrypt(blob, "c") == "value"
    assert rotated.encrypt("value", "c")[2:4] == b"k2"


def test_unknown_key_id_is_refused() -> None:
    blob = PiiCipher.from_spec(new_key_spec("k1")).encrypt("v", "c")
    with pytest.raises(PiiKeyError, match="no key"):
        PiiCipher.from_spec(new_key_spec("k9")).decrypt(blob, "c")


@pytest.mark.parametrize("spec", ["", "k1", "k1:c2hvcnQ=", ":" + new_key_spec("x").split(":")[1]])
def test_malformed_key_specs_are_refused(spec: str) -> None:
    with pytest.raises((PiiKeyError, ValueError)):
        PiiCipher.from_spec(spec)


def test_local_key_file_is_created_private_and_reused(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("OUTREACH_PII_KEYS", raising=False)
    first = load_cipher(tmp_path)
    key_file = tmp_path / "pii_keys.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(json.loads(key_file.read_text())["keys"]) == 1
    second = load_cipher(tmp_path)
    assert second.decrypt(first.encrypt("v", "c"), "c") == "v"


def test_environment_keys_win_over_the_local_file(tmp_path, monkeypatch) -> None:
    spec = new_key_spec("env1")
    monkeypatch.setenv("OUTREACH_PII_KEYS", spec)
    assert load_cipher(tmp_path).active_kid == "env1"
    assert not (tmp_path / "pii_keys.json").exists()


def test_blind_indexes_are_equal_for_equal_values_and_separate_kinds(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("OUTREACH_BLIND_INDEX_KEY", raising=False)
    indexer = load_blind_indexer(tmp_path)
    assert indexer.index("email", "jo@x.example") == load_blind_indexer(tmp_path).index("email", "jo@x.example")
    assert indexer.index("email", "jo@x.example") != indexer.index("phone", "jo@x.example")
    assert indexer.index("email", None) is None
    assert stat.S_IMODE((tmp_path / "blind_index_key").stat().st_mode) == 0o600


def test_blind_index_depends_on_its_own_key(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("OUTREACH_BLIND_INDEX_KEY", base64.b64encode(b"k" * 32).decode())
    one = load_blind_indexer(tmp_path).index("phone", "+16195550142")
    monkeypatch.setenv("OUTREACH_BLIND_INDEX_KEY", base64.b64encode(b"j" * 32).decode())
    assert load_blind_indexer(tmp_path).index("phone", "+16195550142") != one
