"""``scripts/demo.py``: its own --help runs nothing; other flags reach every step."""

from __future__ import annotations

from pathlib import Path

import pytest

from quant_engine import layout
from scripts import demo


def test_help_prints_the_demos_own_help_and_runs_no_step(
    capsys: pytest.CaptureFixture[str], qe_home: Path
) -> None:
    assert demo.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: demo")
    assert "qe-train" not in out
    assert not layout.manifests_dir().exists() or not any(layout.manifests_dir().iterdir())


def test_other_flags_are_passed_to_the_steps(capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main(["--bogus"]) == 2
    assert "--bogus" in capsys.readouterr().err
