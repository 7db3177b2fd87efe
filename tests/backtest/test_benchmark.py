"""Benchmarks (equal weight, an index) by hand, no look-ahead, and stats relative to them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from quant_engine.backtest import BacktestConfig, BacktestInputError, run_backtest
from quant_engine.backtest.benchmark import buy_and_hold_equity, relative_stats

NAN = np.nan


def test_buys_at_the_first_execution_and_lets_weights_drift() -> None:
    index = pd.bdate_range("2024-01-01", periods=5, name="date")
    prices = pd.DataFrame({"A": [10.0, 11, 12, 13, 14], "B": [10.0, 9, 8, 7, 6]}, index=index)
    scores = pd.DataFrame({"A": [1.0] * 5, "B": [0.0] * 5}, index=index)
    result = run_backtest(scores, prices, BacktestConfig(rule="top_k", top_k=1))
    assert result.benchmark is not None
    # lag 1: bought at day 1's close (11 and 9), held from day 2 on, half in each name
    expected = [1.0, 1.0, (12 / 11 + 8 / 9) / 2, (13 / 11 + 7 / 9) / 2, (14 / 11 + 6 / 9) / 2]
    np.testing.assert_allclose(result.benchmark.to_numpy(), expected, rtol=1e-12)
    assert result.benchmark.index.equals(result.equity.index)


def test_later_returns_never_change_earlier_benchmark_values() -> None:
    rng = np.random.default_rng(5)
    returns = rng.normal(0.0, 0.01, (40, 6))
    before = buy_and_hold_equity(returns, 2)
    changed = returns.copy()
    changed[25:] = 0.5
    after = buy_and_hold_equity(changed, 2)
    np.testing.assert_array_equal(before[:25], after[:25])
    assert not np.array_equal(before[25:], after[25:])


def test_only_names_with_a_return_on_the_entry_day_are_bought() -> None:
    returns = np.array([[NAN, NAN], [0.0, NAN], [0.1, 0.5], [0.1, NAN]])
    np.testing.assert_allclose(buy_and_hold_equity(returns, 2), [1.0, 1.0, 1.1, 1.21])


def test_flat_when_nothing_can_be_bought() -> None:
    returns = np.full((4, 2), NAN)
    np.testing.assert_array_equal(buy_and_hold_equity(returns, 2), np.ones(4))
    np.testing.assert_array_equal(buy_and_hold_equity(np.zeros((2, 2)), 2), np.ones(2))


def test_the_benchmark_against_itself_has_beta_one_and_no_active_return() -> None:
    rng = np.random.default_rng(2)
    bench = rng.normal(0.0004, 0.01, 500)
    same = relative_stats(bench, bench)
    assert same.beta == pytest.approx(1.0, abs=1e-12)
    assert same.excess_return == 0.0
    assert same.tracking_error == 0.0
    assert same.information_ratio == 0.0  # 0/0 is reported as 0.0, never NaN
    json.dumps(same.to_dict(), allow_nan=False)


def test_relative_stats_by_hand() -> None:
    rng = np.random.default_rng(4)
    bench = rng.normal(0.0, 0.01, 300)
    # twice the benchmark plus a constant 1bp/day plus noise: beta 2 up to the noise
    noise = rng.normal(0.0, 0.001, 300)
    strat = 2.0 * bench + 0.0001 + noise
    stats = relative_stats(strat, bench)
    active = strat - bench
    assert stats.beta == pytest.approx(np.cov(strat, bench)[0, 1] / np.var(bench, ddof=1))
    assert stats.beta == pytest.approx(2.0, abs=0.05)
    assert stats.excess_return == pytest.approx(active.mean() * 252)
    assert stats.tracking_error == pytest.approx(active.std(ddof=1) * np.sqrt(252))
    assert stats.information_ratio == pytest.approx(stats.excess_return / stats.tracking_error)


def test_a_flat_benchmark_gives_beta_zero_not_nan() -> None:
    assert relative_stats(np.array([0.01, -0.02, 0.03]), np.zeros(3)).beta == 0.0


def test_an_index_benchmark_is_bought_and_held_from_the_first_execution() -> None:
    index = pd.bdate_range("2024-01-01", periods=5, name="date")
    prices = pd.DataFrame({"A": [10.0, 11, 12, 13, 14], "B": [10.0, 9, 8, 7, 6]}, index=index)
    scores = pd.DataFrame({"A": [1.0] * 5, "B": [0.0] * 5}, index=index)
    spx = pd.Series([100.0, 200, 210, NAN, 231], index=index, name="SPX")
    result = run_backtest(scores, prices, BacktestConfig(), benchmark_closes=spx)
    assert result.benchmark is not None
    assert result.benchmark_name == "SPX"
    # bought at day 1's close (200); a missing close carries 210 forward, then 231 is +10%
    np.testing.assert_allclose(result.benchmark.to_numpy(), [1.0, 1.0, 1.05, 1.05, 1.155])


def test_an_index_without_closes_in_the_window_is_a_usage_error() -> None:
    index = pd.bdate_range("2024-01-01", periods=5, name="date")
    prices = pd.DataFrame({"A": [10.0, 11, 12, 13, 14], "B": [10.0, 9, 8, 7, 6]}, index=index)
    scores = pd.DataFrame({"A": [1.0] * 5, "B": [0.0] * 5}, index=index)
    old = pd.Series([100.0], index=pd.DatetimeIndex(["2020-01-02"]), name="SPX")
    with pytest.raises(BacktestInputError, match="benchmark SPX has no close") as caught:
        run_backtest(scores, prices, BacktestConfig(), benchmark_closes=old)
    assert caught.value.exit_code == 2
