"""qe-runs plot's pieces: which file holds a run's curve, labels, the log-scale choice."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from quant_engine.errors import DataError, UsageError
from quant_engine.runs.plot import (
    Curve,
    equity_file,
    label_of,
    overlay_png,
    read_curve,
    uses_log_scale,
)
from tests.runs.rows import backtest, make_row


def curve(*values: float) -> Curve:
    dates = pd.date_range("2020-01-01", periods=len(values), freq="D")
    return Curve("x", pd.Series(values, index=dates))


def test_log_scale_once_the_curves_span_more_than_twice() -> None:
    assert not uses_log_scale([curve(1.0, 1.5), curve(0.9, 1.7)])
    assert uses_log_scale([curve(1.0, 1.5), curve(1.0, 2.5)])
    assert uses_log_scale([curve(1.0, 0.4)])


def test_a_run_without_an_equity_curve_is_a_usage_error(qe_home: Path) -> None:
    with pytest.raises(UsageError, match=r"has no equity curve: plot takes backtest runs"):
        equity_file(make_row(1, "run_train"), {"model_model": "models/m/model.pkl"})
    with pytest.raises(DataError, match="is missing"):
        equity_file(backtest(1, "top_k", 0.5), {"equity_curve": "results/gone/equity_curve.csv"})


def test_curve_read_from_the_csv_a_backtest_writes(tmp_path: Path) -> None:
    path = tmp_path / "equity_curve.csv"
    path.write_text(
        "date,daily_return,equity,drawdown\n2020-01-02,0.0,1.0,0.0\n2020-01-03,0.1,1.1,0.0\n"
    )
    read = read_curve(path, "label")
    assert read.equity.tolist() == [1.0, 1.1]
    assert read.equity.index[0] == pd.Timestamp("2020-01-02")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="not an equity curve"):
        read_curve(tmp_path / "bad.csv", "label")
    assert overlay_png([read], "t")[:4] == b"\x89PNG"


def test_label_names_the_strategy() -> None:
    assert label_of(backtest(1, "long_short", -0.7973), "2026010") == (
        "2026010 long_short ridge/core Sharpe -0.797"
    )
