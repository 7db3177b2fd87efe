"""ApiSettings: loopback and config defaults, QE_API_* overrides, a key that never shows."""

from __future__ import annotations

import pytest

from quant_engine import config
from quant_engine.api.config import API_KEY_ENV_VAR, ENV_PREFIX, ApiSettings, load_settings
from quant_engine.errors import ConfigError
from quant_engine.runs.redaction import is_recorded_env_name


def test_defaults_are_loopback_and_from_config() -> None:
    settings = load_settings()
    assert settings.host == "127.0.0.1" == config.API_HOST
    assert settings.port == config.API_PORT
    assert settings.api_key is None
    assert not settings.mutations_enabled
    assert settings.max_body_bytes == config.API_MAX_BODY_BYTES
    assert settings.max_concurrent_jobs == config.API_MAX_CONCURRENT_JOBS


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QE_API_PORT", "9123")
    monkeypatch.setenv("QE_API_CORS_ORIGINS", "http://localhost:5173, https://dash.example")
    monkeypatch.setenv("QE_API_API_KEY", "s3cret-value")
    monkeypatch.setenv("QE_API_MAX_CONCURRENT_JOBS", "3")
    settings = load_settings()
    assert settings.port == 9123
    assert settings.cors_origins == ["http://localhost:5173", "https://dash.example"]
    assert settings.max_concurrent_jobs == 3
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == "s3cret-value"
    assert settings.mutations_enabled


def test_explicit_values_beat_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QE_API_PORT", "9123")
    assert load_settings(port=9200).port == 9200


def test_key_never_appears_in_repr_or_dump() -> None:
    settings = ApiSettings(api_key="s3cret-value")
    assert "s3cret-value" not in repr(settings)
    assert "s3cret-value" not in str(settings.model_dump())
    assert "s3cret-value" not in settings.model_dump_json()


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_key_means_no_key(blank: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QE_API_API_KEY", blank)
    assert load_settings().api_key is None


@pytest.mark.parametrize(("name", "value"), [("QE_API_PORT", "http"), ("QE_API_PORT", "70000")])
def test_bad_value_names_the_variable(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings()


def test_every_server_setting_but_the_key_is_recorded_with_its_value() -> None:
    names = {f"{ENV_PREFIX}{field.upper()}" for field in ApiSettings.model_fields}
    assert {name for name in names if is_recorded_env_name(name)} == names - {API_KEY_ENV_VAR}
    assert API_KEY_ENV_VAR not in config.MANIFEST_ENV_NAMES


def test_trusted_hosts_are_the_bound_address_loopback_and_extra_names() -> None:
    assert ApiSettings(host="10.0.0.5", allowed_hosts="qe.lan").trusted_hosts == [
        "10.0.0.5",
        "127.0.0.1",
        "[::1]",
        "localhost",
        "qe.lan",
    ]
    assert "[fd00::5]" in ApiSettings(host="fd00::5").trusted_hosts
    assert "0.0.0.0" not in ApiSettings(host="0.0.0.0").trusted_hosts
