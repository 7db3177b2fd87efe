"""config.py holds the defaults; environment overrides are validated with a clear message."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator

import pytest

from quant_engine import config
from quant_engine.errors import ConfigError


@pytest.fixture
def reload_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Yield monkeypatch; afterwards restore config as imported from a clean environment."""
    yield monkeypatch
    monkeypatch.undo()
    importlib.reload(config)


def test_documented_defaults() -> None:
    assert config.LOOKBACK_YEARS == 15
    assert config.PREDICT_LOOKBACK_YEARS == 2
    assert config.FEATURE_MODES == ("minimal", "core", "full")
    assert config.DEFAULT_FEATURE_MODE in config.FEATURE_MODES
    assert config.DEFAULT_DATA_SOURCE == "sample"
    assert set(config.REAL_SAMPLE_TICKERS) <= set(config.DEFAULT_UNIVERSE)


@pytest.mark.parametrize(
    ("variable", "raw", "setting", "expected"),
    [
        ("QE_DATA_SOURCE", "wrds", "DEFAULT_DATA_SOURCE", "wrds"),
        ("QE_LOOKBACK_YEARS", "7", "LOOKBACK_YEARS", 7),
        ("QE_PREDICT_LOOKBACK_YEARS", "3", "PREDICT_LOOKBACK_YEARS", 3),
        ("QE_FEATURE_MODE", "minimal", "DEFAULT_FEATURE_MODE", "minimal"),
        ("QE_SEED", "7", "DEFAULT_SEED", 7),
        ("QE_COST_BPS", "1.5", "COST_BPS", 1.5),
        ("QE_SLIPPAGE_BPS", " 0 ", "SLIPPAGE_BPS", 0.0),
    ],
)
def test_env_override_is_applied(
    reload_config: pytest.MonkeyPatch, variable: str, raw: str, setting: str, expected: object
) -> None:
    reload_config.setenv(variable, raw)
    importlib.reload(config)
    assert getattr(config, setting) == expected
    assert config.snapshot()[setting] == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("QE_LOOKBACK_YEARS", "abc"),
        ("QE_LOOKBACK_YEARS", "0"),
        ("QE_PREDICT_LOOKBACK_YEARS", "2.5"),
        ("QE_FEATURE_MODE", "everything"),
        ("QE_SEED", "-1"),
        ("QE_COST_BPS", "lots"),
        ("QE_DATA_SOURCE", "bloomberg"),
    ],
)
def test_bad_env_value_names_the_variable(
    reload_config: pytest.MonkeyPatch, name: str, value: str
) -> None:
    reload_config.setenv(name, value)
    importlib.reload(config)  # importing never fails: every command reports it as one line
    with pytest.raises(ConfigError) as excinfo:
        config.check_environment()
    message = str(excinfo.value)
    assert name in message
    assert repr(value) in message
    assert "\n" not in message
    with pytest.raises(ConfigError, match=name):
        config.snapshot()  # no run is recorded with a silently ignored override


def test_clean_environment_passes_the_check() -> None:
    config.check_environment()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("QE_SEED", "postgresql://bob:hunter2@db/x"),
        ("QE_TOKEN", "hunter2"),
        ("QE_API_KEY_FILE", "hunter2"),
    ],
)
def test_secret_shaped_bad_values_are_not_echoed(name: str, value: str) -> None:
    shown = config.shown_value(name, value)
    assert "hunter2" not in shown
    assert shown == "(value hidden)"


def test_several_bad_values_are_counted_in_one_line(reload_config: pytest.MonkeyPatch) -> None:
    reload_config.setenv("QE_SEED", "x")
    reload_config.setenv("QE_COST_BPS", "y")
    importlib.reload(config)
    with pytest.raises(ConfigError, match=r"\(and 1 more\)$"):
        config.check_environment()


def test_snapshot_is_json_and_hash_tracks_changes(reload_config: pytest.MonkeyPatch) -> None:
    snap = config.snapshot()
    assert json.loads(json.dumps(snap)) == snap
    assert snap["LOOKBACK_YEARS"] == config.LOOKBACK_YEARS
    before = config.snapshot_sha256()
    reload_config.setenv("QE_LOOKBACK_YEARS", "9")
    importlib.reload(config)
    assert config.snapshot_sha256() != before
