"""qe-backtest as a user runs it: the printed headline, percentages, and metrics.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quant_engine import run_backtest
from quant_engine.data.local_cache import LocalCache

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


def test_a_requested_ticker_without_rows_in_the_window_is_named_in_summary_and_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # one table row per line
    rng = np.random.default_rng(3)
    cache = LocalCache()
    for name in ("AAA", "BBB", "CCC", "DDD", "EEE"):
        close = 50.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, 1000)))
        cache.write("ibkr", name, ohlcv(close, pd.bdate_range("2016-01-04", periods=1000)))
    cache.write("ibkr", "OLD", ohlcv(np.full(50, 10.0), pd.bdate_range("2000-01-03", periods=50)))
    tickers = "AAA,OLD,BBB,CCC,DDD,EEE"
    args = ["--data-source", "ibkr", "--tickers", tickers, "--years", "3", "--model", "ridge"]
    out_dir = tmp_path / "out"
    assert (
        run_backtest.main([*args, "--feature-mode", "minimal", "--output-dir", str(out_dir)]) == 0
    )
    out = capsys.readouterr().out
    assert re.search(r"dropped tickers \(no rows in the window\)\s+│\s+OLD", out)
    manifest = json.loads(Path(re.findall(r"manifest\s+│\s+(\S+)", out)[0]).read_text())
    assert manifest["result"]["dropped_tickers"] == ["OLD"]


def ohlcv(close: np.ndarray, dates: pd.DatetimeIndex) -> pd.DataFrame:
    volume = np.full(len(close), 1e6)
    frame = {"open": close, "high": close, "low": close, "close": close, "volume": volume}
    return pd.DataFrame(frame, index=dates.rename("date"))
