"""save_backtest: the three report files, their content, byte-identical reruns, atomic writes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quant_engine.backtest import BacktestConfig, BacktestResult, run_backtest, save_backtest
from quant_engine.backtest.report import (
    StrategyLabel,
    equity_png,
    headline,
    summary_rows,
    uses_log_scale,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BUILD = textwrap.dedent(
    """
    import numpy as np, pandas as pd
    from quant_engine.backtest import BacktestConfig, run_backtest
    rng = np.random.default_rng(21)
    index = pd.bdate_range("2022-01-03", periods=120, name="date")
    tickers = [f"S{i:02d}" for i in range(12)]
    moves = rng.normal(0.0003, 0.012, (len(index), len(tickers)))
    prices = pd.DataFrame(50 * np.exp(np.cumsum(moves, axis=0)), index, tickers)
    scores = pd.DataFrame(rng.normal(size=prices.shape), index, tickers)
    result = run_backtest(scores, prices, BacktestConfig(rule="long_short"))
    """
)


def build() -> BacktestResult:
    namespace: dict[str, object] = {}
    exec(BUILD, namespace)
    result = namespace["result"]
    assert isinstance(result, BacktestResult)
    return result


@pytest.fixture(scope="module")
def result() -> BacktestResult:
    return build()


def test_save_writes_three_files_by_logical_name(result: BacktestResult, tmp_path: Path) -> None:
    paths = save_backtest(result, tmp_path / "new" / "run")
    assert set(paths) == {"equity_curve", "metrics", "equity_plot"}
    assert {p.name for p in paths.values()} == {"equity_curve.csv", "metrics.json", "equity.png"}
    assert all(p.is_file() for p in paths.values())
    assert sorted(p.name for p in paths["metrics"].parent.iterdir()) == sorted(
        p.name for p in paths.values()
    )  # no temp files left behind


def test_equity_curve_csv_has_fixed_format(result: BacktestResult, tmp_path: Path) -> None:
    path = save_backtest(result, tmp_path)["equity_curve"]
    lines = path.read_text().splitlines()
    assert lines[0] == "date,daily_return,equity,drawdown,gross_equity,benchmark"
    assert lines[1].startswith("2022-01-03,0.0000000000,1.0000000000,0.0000000000,")
    table = pd.read_csv(path, parse_dates=["date"])
    assert len(table) == len(result.equity)
    np.testing.assert_allclose(table["equity"], result.equity, atol=1e-10)
    np.testing.assert_allclose(table["drawdown"], result.drawdown, atol=1e-10)
    assert result.benchmark is not None
    assert result.gross_returns is not None
    np.testing.assert_allclose(table["benchmark"], result.benchmark, atol=1e-10)
    gross = np.cumprod(1.0 + result.gross_returns.to_numpy())
    np.testing.assert_allclose(table["gross_equity"], gross, atol=1e-9)
    assert (table["gross_equity"] >= table["equity"] - 1e-12).all()  # costs only take away


def test_metrics_json_holds_config_and_metrics(result: BacktestResult, tmp_path: Path) -> None:
    path = save_backtest(result, tmp_path)["metrics"]
    text = path.read_text()
    payload = json.loads(text)
    assert payload["config"] == result.config.to_dict()
    assert payload["metrics"] == result.metrics.to_dict()
    assert payload["period"] == {
        "start": "2022-01-03",
        "end": result.equity.index[-1].strftime("%Y-%m-%d"),
        "sessions": 120,
        "tickers": 12,
    }
    assert text == json.dumps(payload, sort_keys=True, indent=2) + "\n"


def test_plot_is_a_png(result: BacktestResult, tmp_path: Path) -> None:
    data = save_backtest(result, tmp_path)["equity_plot"].read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 10_000
    assert b"Software" not in data


def test_saving_twice_gives_identical_bytes(result: BacktestResult, tmp_path: Path) -> None:
    first = save_backtest(result, tmp_path / "a")
    second = save_backtest(build(), tmp_path / "b")
    for name, path in first.items():
        assert path.read_bytes() == second[name].read_bytes(), name


def test_another_process_writes_identical_bytes(result: BacktestResult, tmp_path: Path) -> None:
    here = save_backtest(result, tmp_path / "here")
    there = tmp_path / "there"
    save = f"from quant_engine.backtest import save_backtest\nsave_backtest(result, {str(there)!r})"
    code = BUILD + save
    subprocess.run([sys.executable, "-c", code], check=True)
    for name, path in here.items():
        assert path.read_bytes() == (there / path.name).read_bytes(), name


def test_overwrite_replaces_previous_files(tmp_path: Path) -> None:
    index = pd.bdate_range("2024-01-01", periods=5, name="date")
    prices = pd.DataFrame({"A": [10.0, 11, 12, 13, 14], "B": [10.0, 9, 8, 7, 6]}, index=index)
    scores = pd.DataFrame({"A": [1.0] * 5, "B": [0.0] * 5}, index=index)
    cfg = BacktestConfig(rule="top_k", top_k=1)
    paths = save_backtest(run_backtest(scores, prices, cfg), tmp_path)
    before = paths["metrics"].read_text()
    swapped = scores.rename(columns={"A": "B", "B": "A"})
    save_backtest(run_backtest(swapped, prices, cfg), tmp_path)
    assert paths["metrics"].read_text() != before
    assert json.loads(paths["metrics"].read_text())["metrics"]["total_return"] < 0


def test_importing_the_backtest_package_does_not_import_matplotlib() -> None:
    code = "import sys, quant_engine.backtest; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"


LABEL = StrategyLabel(model="gbm", feature_mode="full", run_id="20260101T000000.000000Z-1-abcdef")


def test_headline_names_strategy_window_and_costs(result: BacktestResult) -> None:
    line = headline(result, LABEL)
    end = result.equity.index[-1].strftime("%Y-%m-%d")
    assert line == f"backtest gbm/full long_short, 12 tickers, 2022-01-03..{end}, costs 5+2 bps"


def test_metrics_json_records_model_headline_and_benchmark(
    result: BacktestResult, tmp_path: Path
) -> None:
    payload = json.loads(save_backtest(result, tmp_path, LABEL)["metrics"].read_text())
    assert payload["model"] == {"kind": "gbm", "feature_mode": "full"}
    assert payload["headline"] == headline(result, LABEL)
    assert payload["config"] == result.config.to_dict()  # rule and costs, as before
    assert payload["metrics"] == result.metrics.to_dict()
    assert result.benchmark is not None
    bench = payload["benchmark"]
    assert bench["name"] == "equal-weight buy & hold"
    assert bench["total_return"] == pytest.approx(result.benchmark.iloc[-1] - 1.0)
    assert 0.0 <= bench["max_drawdown"] < 1.0


def test_summary_rows_read_as_percentages(result: BacktestResult) -> None:
    rows = summary_rows(result)
    assert rows["max drawdown"] == f"-{result.metrics.max_drawdown * 100:.2f}%"
    assert rows["CAGR"].endswith("%")
    assert rows["Sharpe"] == f"{result.metrics.sharpe:.2f}"
    assert rows["benchmark"].startswith("equal-weight buy & hold: CAGR ")


def test_plot_is_labelled_with_the_run(result: BacktestResult) -> None:
    other = StrategyLabel(model="gbm", feature_mode="full", run_id="another-run")
    assert equity_png(result, LABEL) != equity_png(result, other)
    assert equity_png(result, LABEL) == equity_png(result, LABEL)


def test_log_scale_once_the_curves_span_more_than_twofold(result: BacktestResult) -> None:
    def with_equity(values: np.ndarray) -> BacktestResult:
        equity = pd.Series(values, index=result.equity.index)
        return replace(result, equity=equity, benchmark=equity)

    n = len(result.equity)
    assert not uses_log_scale(with_equity(np.linspace(1.0, 1.9, n)))
    assert uses_log_scale(with_equity(np.linspace(1.0, 4.0, n)))
    assert uses_log_scale(with_equity(np.linspace(1.0, 0.4, n)))


def test_gross_minus_net_is_what_costs_took(result: BacktestResult, tmp_path: Path) -> None:
    assert result.gross_returns is not None
    assert result.costs is not None
    np.testing.assert_array_equal(
        result.gross_returns.to_numpy() - result.costs.to_numpy(), result.daily_returns.to_numpy()
    )
    both = json.loads(save_backtest(result, tmp_path)["metrics"].read_text())["gross_and_net"]
    assert both["costs_per_year"] > 0.0
    gross, net = both["gross"]["mean_return_per_year"], both["net"]["mean_return_per_year"]
    assert gross - net == pytest.approx(both["costs_per_year"], rel=1e-12)
    assert both["net"]["sharpe"] == pytest.approx(result.metrics.sharpe)
    assert both["gross"]["sharpe"] > both["net"]["sharpe"]
    row = summary_rows(result)["gross → net"]
    assert row.startswith(f"Sharpe {both['gross']['sharpe']:.2f} → {result.metrics.sharpe:.2f}")
    assert row.endswith(f"costs {both['costs_per_year']:.2%}/yr")


def test_metrics_json_holds_the_strategy_against_the_benchmark(
    result: BacktestResult, tmp_path: Path
) -> None:
    bench = json.loads(save_backtest(result, tmp_path)["metrics"].read_text())["benchmark"]
    assert result.benchmark is not None
    bench_returns = result.benchmark.pct_change().fillna(result.benchmark.iloc[0] - 1.0)
    active = result.daily_returns - bench_returns
    assert bench["excess_return"] == pytest.approx(active.mean() * 252)
    assert bench["tracking_error"] == pytest.approx(active.std() * np.sqrt(252))
    assert bench["information_ratio"] == pytest.approx(
        bench["excess_return"] / bench["tracking_error"]
    )
    assert "IR " in summary_rows(result)["vs benchmark"]


def test_ic_by_year_goes_to_metrics_and_an_extra_plot_panel(
    result: BacktestResult, tmp_path: Path
) -> None:
    table = pd.DataFrame(
        {"ic": [0.05, -0.01], "rank_ic": [0.04, 0.02], "days": [250, 120]},
        index=pd.Index([2022, 2023], name="year"),
    )
    with_ic = replace(result, ic_by_year=table)
    payload = json.loads(save_backtest(with_ic, tmp_path)["metrics"].read_text())
    assert payload["ic_by_year"] == {
        "2022": {"ic": 0.05, "rank_ic": 0.04, "days": 250},
        "2023": {"ic": -0.01, "rank_ic": 0.02, "days": 120},
    }
    assert summary_rows(with_ic)["IC by year"].startswith("mean IC 0.020, rank IC 0.030")
    from PIL import Image

    def height(png: bytes) -> int:
        return Image.open(io.BytesIO(png)).height

    assert height(equity_png(with_ic)) > height(equity_png(result))  # the IC panel below
