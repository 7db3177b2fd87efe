"""qe-autopilot as a user runs it: guards from flags and QE_* variables, recorded in the
manifest; the terminal leaderboard with every guard's verdict; no "incumbent kept" without one."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SMALL_GRID = [
    "--tickers", "S0000,S0001,S0002,S0003,S0004,S0005", "--years", "3",
    "--feature-modes", "minimal", "--models", "ridge", "--workers", "1",
]  # fmt: skip


def autopilot(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m quant_engine.run_autopilot`` from outside the repository."""
    environ = {**os.environ, "QE_HOME": str(home), "COLUMNS": "120", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "quant_engine.run_autopilot", *args],
        cwd=home,
        env=environ,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )


def latest_manifest(home: Path) -> dict[str, object]:
    path = home / "manifests" / "run_manifest_latest_run_autopilot.json"
    data: dict[str, object] = json.loads(path.read_text())
    return data


def test_guards_come_from_variables_and_flags_and_are_recorded(tmp_path: Path) -> None:
    env = {
        "QE_MIN_TRADES": "999999",
        "QE_PROMOTION_MARGIN_SHARPE": "0.25",
        "QE_HOLDOUT_FRACTION": "0.3",
    }
    done = autopilot(tmp_path, *SMALL_GRID, "--max-drawdown", "0.9", "--max-pbo", "0.4", env=env)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "leaderboard: top 2 of 2 by Sharpe" in out
    for header in ("entries+exits≥999999", "DD≤90%", "DSR≥0.90"):
        assert header in out
    rows = [line for line in out.splitlines() if line.startswith("minimal-ridge-")]
    assert len(rows) == 2
    for row in rows:  # candidate, Sharpe, then each guard's figure and verdict, then margin
        assert re.fullmatch(
            r"minimal-ridge-\S+ +-?\d+\.\d\d +[\d,]+ FAIL +-\d+\.\d\d% (pass|FAIL) "
            r"+\d\.\d\d (pass|FAIL) +n/a",
            row.strip(),
        ), row  # nobody trades a million times; no incumbent, so no margin verdict
    assert "no incumbent yet: nothing promoted" in out
    assert "incumbent kept" not in out
    assert re.search(r"trials: 2 on this data \(0 from earlier runs\), effective \d\.\d, PBO", out)
    resolved = latest_manifest(tmp_path)["resolved"]
    assert isinstance(resolved, dict)
    assert resolved["guards"] == {
        "min_trades": 999999,
        "max_drawdown": 0.9,
        "min_deflated_sharpe": 0.9,
        "margin_sharpe": 0.25,
        "max_pbo": 0.4,
        "holdout_fraction": 0.3,
    }
    again = autopilot(tmp_path, *SMALL_GRID, "--rules", "top_k", env=env)
    assert "trials: 2 on this data (1 from earlier runs)" in again.stdout

    quiet = autopilot(tmp_path, *SMALL_GRID, "-q", env=env)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == ""


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["--max-drawdown", "1.5"], {}, "--max-drawdown"),
        (["--min-trades", "-1"], {}, "--min-trades"),
        ([], {"QE_MIN_DEFLATED_SHARPE": "high"}, "QE_MIN_DEFLATED_SHARPE"),
        ([], {"QE_MAX_DRAWDOWN": "2"}, "QE_MAX_DRAWDOWN"),
        (["--holdout-fraction", "0.95"], {}, "--holdout-fraction"),
        ([], {"QE_MAX_PBO": "1.5"}, "QE_MAX_PBO"),
    ],
)
def test_bad_guard_values_are_usage_errors(
    tmp_path: Path, args: list[str], env: dict[str, str], named: str
) -> None:
    done = autopilot(tmp_path, *args, "--help" if not args else "-q", env=env)
    assert done.returncode == 2
    assert named in done.stderr
    assert "Traceback" not in done.stderr
