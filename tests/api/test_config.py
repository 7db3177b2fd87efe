"""ApiSettings: loopback and config defaults, QE_API_* overrides, a key that never shows."""

from __future__ import annotations

import pytest

from quant_engine import config
from quant_engine.api.config import ApiSettings, load_settings
from quant_engine.errors import ConfigError


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
