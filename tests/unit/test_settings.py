import json

import pytest

from outreach.settings import DOMAINS, Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    for domain in DOMAINS:
        monkeypatch.delenv(f"INSTABIDS_{domain.upper()}_URL", raising=False)
    monkeypatch.delenv("INSTABIDS_EVENT_BUS_URL", raising=False)
    monkeypatch.setenv("OUTREACH_STATE_DIR", str(tmp_path))


def test_domain_urls_default_to_the_local_sandbox(tmp_path) -> None:
    (tmp_path / "sandbox.json").write_text(json.dumps({"url": "http://127.0.0.1:9999/"}))
    settings = Settings()
    assert {settings.domain_url(d) for d in DOMAINS} == {"http://127.0.0.1:9999"}
    assert settings.event_bus_url() == "http://127.0.0.1:9999/event-bus/events"


def test_an_explicit_domain_url_wins(tmp_path, monkeypatch) -> None:
    (tmp_path / "sandbox.json").write_text(json.dumps({"url": "http://127.0.0.1:9999"}))
    monkeypatch.setenv("INSTABIDS_MESSAGING_URL", "https://messaging.instabids.example")
    settings = Settings()
    assert settings.domain_url("messaging") == "https://messaging.instabids.example"
    assert settings.domain_url("payment") == "http://127.0.0.1:9999"


def test_without_url_or_sandbox_the_error_says_what_to_do() -> None:
    with pytest.raises(RuntimeError, match="INSTABIDS_SOCIAL_URL is not set"):
        Settings().domain_url("social")


def test_unknown_domain_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown domain"):
        Settings().domain_url("billing")


def test_registry_dir_defaults_under_the_state_folder(tmp_path) -> None:
    assert Settings().registry_dir == tmp_path / "registries"


def test_secrets_never_show_when_the_settings_are_printed_or_dumped(monkeypatch) -> None:
    monkeypatch.setenv("INSTABIDS_CLIENT_SECRET", "client-s3cret-value")
    monkeypatch.setenv("INSTABIDS_EVENT_BUS_SECRET", "bus-s3cret-value")
    settings = Settings()
    shown = " ".join((repr(settings), str(settings), settings.model_dump_json(), str(settings.model_dump())))
    assert "client-s3cret-value" not in shown and "bus-s3cret-value" not in shown
    assert settings.client_secret.get_secret_value() == "client-s3cret-value"
    assert settings.event_bus_signing_secret() == "bus-s3cret-value"


def test_without_a_bus_secret_events_are_signed_with_the_sandbox_development_one(monkeypatch) -> None:
    from integrations.contracts.dev_secrets import default_webhook_secret

    monkeypatch.delenv("INSTABIDS_EVENT_BUS_SECRET", raising=False)
    assert Settings().event_bus_signing_secret() == default_webhook_secret("EVENT_BUS")
