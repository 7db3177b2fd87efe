"""Every entry point's parser shares flags with identical, config-derived defaults and choices."""

from __future__ import annotations

import argparse
import importlib
import pkgutil

import pytest

import quant_engine
from quant_engine import config

ENTRY_POINTS = sorted(
    name for _, name, _ in pkgutil.iter_modules(quant_engine.__path__) if name.startswith("run_")
)
YEARS_DEFAULT = {"run_predict": config.PREDICT_LOOKBACK_YEARS}
REQUIRED_ENGINE_FLAGS = ("--feature-mode",)
FEATURE_MODE_SCRIPTS = ("run_train", "run_predict", "run_backtest", "run_retrain")


def _parsers() -> dict[str, argparse.ArgumentParser]:
    return {
        name: importlib.import_module(f"quant_engine.{name}").build_parser()
        for name in ENTRY_POINTS
    }


def _actions(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {
        option: action
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--")
    }


def _signature(action: argparse.Action) -> tuple[object, ...]:
    choices = tuple(action.choices) if action.choices is not None else None
    return (action.dest, action.default, choices, action.type, type(action).__name__)


def test_the_engine_entry_points_exist() -> None:
    for name in ("run_train", "run_predict", "run_backtest", "run_retrain", "run_autopilot"):
        assert name in ENTRY_POINTS


@pytest.mark.parametrize("script", ENTRY_POINTS)
def test_years_default_comes_from_config(script: str) -> None:
    actions = _actions(_parsers()[script])
    if "--years" in actions:
        assert actions["--years"].default == YEARS_DEFAULT.get(script, config.LOOKBACK_YEARS)


@pytest.mark.parametrize("script", FEATURE_MODE_SCRIPTS)
def test_feature_mode_offers_exactly_the_config_modes(script: str) -> None:
    action = _actions(_parsers()[script])["--feature-mode"]
    assert tuple(action.choices or ()) == config.FEATURE_MODES
    assert action.default == config.DEFAULT_FEATURE_MODE


def test_shared_flags_are_identical_everywhere() -> None:
    """A flag that appears in several entry points must mean the same thing in each."""
    seen: dict[str, tuple[str, tuple[object, ...]]] = {}
    drift = []
    for script, parser in _parsers().items():
        for option, action in _actions(parser).items():
            if option == "--years":
                continue  # checked above: predict has its own config default
            signature = _signature(action)
            first = seen.setdefault(option, (script, signature))
            if first[1] != signature:
                drift.append(f"{option}: {first[0]} {first[1]} != {script} {signature}")
    assert drift == []


@pytest.mark.parametrize("script", ENTRY_POINTS)
def test_help_and_bad_flag_exit_codes(script: str, capsys: pytest.CaptureFixture[str]) -> None:
    module = importlib.import_module(f"quant_engine.{script}")
    assert module.main(["--help"]) == 0
    assert "usage:" in capsys.readouterr().out
    assert module.main(["--no-such-flag"]) == 2
    assert "--no-such-flag" in capsys.readouterr().err
