"""Every entry point answers --help and rejects an unknown flag with exit code 2.

That shared flags agree across entry points (defaults and choices from config) is the QE005
gate (scripts/gates/checks.py), which runs on the real parsers.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import quant_engine

ENTRY_POINTS = sorted(
    name for _, name, _ in pkgutil.iter_modules(quant_engine.__path__) if name.startswith("run_")
)


def test_the_engine_entry_points_exist() -> None:
    for name in ("run_train", "run_predict", "run_backtest", "run_retrain", "run_autopilot"):
        assert name in ENTRY_POINTS


@pytest.mark.parametrize("script", ENTRY_POINTS)
def test_help_and_bad_flag_exit_codes(script: str, capsys: pytest.CaptureFixture[str]) -> None:
    module = importlib.import_module(f"quant_engine.{script}")
    assert module.main(["--help"]) == 0
    assert "usage:" in capsys.readouterr().out
    assert module.main(["--no-such-flag"]) == 2
    assert "--no-such-flag" in capsys.readouterr().err


@pytest.mark.parametrize("script", ["run_train", "run_predict", "run_backtest", "run_retrain"])
def test_engine_entry_points_take_a_feature_mode(script: str) -> None:
    parser = importlib.import_module(f"quant_engine.{script}").build_parser()
    assert parser.parse_args(["--feature-mode", "minimal"]).feature_mode == "minimal"
