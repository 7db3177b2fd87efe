"""qe-backtest as a user runs it: the printed headline, percentages, and metrics.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from quant_engine import run_backtest

ARGS = ["--tickers", "S0000,S0001,S0002,S0003,S0004,S0005", "--years", "4", "--rule", "top_k"]


def test_summary_names_the_strategy_and_reads_in_percent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [*ARGS, "--model", "ridge", "--feature-mode", "minimal", "--cost-bps", "3"]
    assert run_backtest.main([*args, "--output-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    headline = out.splitlines()[0]
    assert re.fullmatch(
        r"backtest ridge/minimal top_k, 6 tickers, \d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d, "
        r"costs 3\+2 bps",
        headline.strip(),
    ), headline
    assert re.search(r"max drawdown\s+│\s+-\d+\.\d\d%", out)
    assert re.search(r"CAGR\s+│\s+-?\d+\.\d\d%", out)
    assert re.search(r"Sharpe\s+│\s+-?\d+\.\d\d\s", out)
    assert "max_drawdown" not in out  # labels are for people, not field names
    payload = json.loads((tmp_path / "metrics.json").read_text())
    assert payload["model"] == {"kind": "ridge", "feature_mode": "minimal"}
    assert payload["headline"] == headline.strip()
    assert payload["config"]["cost_bps"] == 3.0
