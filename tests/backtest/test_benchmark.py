"""The equal-weight buy-and-hold benchmark: by hand, no look-ahead, names bought at entry only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from quant_engine.backtest import BacktestConfig, run_backtest
from quant_engine.backtest.benchmark import buy_and_hold_equity

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
