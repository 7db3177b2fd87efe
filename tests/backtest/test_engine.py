"""run_backtest: frame alignment and validation, hand-checked results, missing prices."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from quant_engine import config
from quant_engine.backtest import BacktestConfig, BacktestInputError, run_backtest
from quant_engine.errors import DataError, UsageError

FREE = BacktestConfig(rule="top_k", top_k=1, cost_bps=0.0, slippage_bps=0.0, rebalance_every=1)


def frame(rows: list[list[float]], tickers: str = "AB", start: str = "2024-01-01") -> pd.DataFrame:
    index = pd.bdate_range(start, periods=len(rows), name="date")
    return pd.DataFrame(rows, index=index, columns=list(tickers), dtype=float)


def market(days: int = 60, names: int = 8, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    tickers = [f"T{i}" for i in range(names)]
    index = pd.bdate_range("2023-01-02", periods=days, name="date")
    prices = pd.DataFrame(
        100 * np.exp(np.cumsum(rng.normal(0, 0.01, (days, names)), axis=0)), index, tickers
    )
    return pd.DataFrame(rng.normal(size=(days, names)), index, tickers), prices


def test_config_defaults_come_from_quant_engine_config() -> None:
    cfg = BacktestConfig()
    assert cfg.to_dict() == {
        "rule": config.DEFAULT_PORTFOLIO_RULE,
        "top_k": config.TOP_K,
        "quantile": config.LONG_SHORT_QUANTILE,
        "entry_threshold": config.ENTRY_THRESHOLD,
        "cost_bps": config.COST_BPS,
        "slippage_bps": config.SLIPPAGE_BPS,
        "execution_lag": config.EXECUTION_LAG_BARS,
        "rebalance_every": config.REBALANCE_EVERY_BARS,
        "max_drops": config.MAX_DROPS,
    }
    assert config.REBALANCE_EVERY_BARS == config.LABEL_HORIZON_DAYS
    assert config.EXECUTION_LAG_BARS == 1


def test_hand_checked_top_1_backtest() -> None:
    prices = frame([[10, 20], [11, 20], [12.1, 22], [24.2, 22], [24.2, 11]])
    scores = frame([[1, 0], [0, 1], [1, 0], [1, 0], [1, 0]])
    cfg = BacktestConfig(rule="top_k", top_k=1, cost_bps=6.0, slippage_bps=4.0, rebalance_every=1)
    result = run_backtest(scores, prices, cfg)
    # signal 0 -> A over day 2 (+10%), signal 1 -> B over day 3 (0%), signal 2 -> A over day 4
    assert result.weights["A"].tolist() == [0, 0, 1, 0, 1]
    assert result.weights["B"].tolist() == [0, 0, 0, 1, 0]
    gross = [0.0, 0.0, 0.1, 0.0, 0.0]
    turnover = [0.0, 1.0, 2.0, 2.0, 0.0]  # trades at closes 1 (buy A), 2 (A->B), 3 (B->A)
    expected = [g - 10 / 1e4 * t for g, t in zip(gross, turnover, strict=True)]
    np.testing.assert_allclose(result.daily_returns.to_numpy(), expected, rtol=0, atol=1e-15)
    assert result.total_trades == 1 + 2 + 2
    assert result.equity.iloc[0] == 1.0
    assert result.equity.iloc[-1] == pytest.approx(np.prod([1 + r for r in expected]))


def test_returns_are_earned_from_the_bar_after_execution() -> None:
    prices = frame([[10, 10], [10, 10], [12, 10], [12, 15], [6, 15]])
    scores = frame([[1, 0]] * 5)
    result = run_backtest(scores, prices, FREE)
    # A is bought at close 1 (10) and earns +20% on day 2, 0% on day 3, -50% on day 4
    np.testing.assert_allclose(result.daily_returns.to_numpy(), [0, 0, 0.2, 0, -0.5])
    np.testing.assert_allclose(result.equity.to_numpy(), [1, 1, 1.2, 1.2, 0.6])
    np.testing.assert_allclose(result.drawdown.to_numpy(), [0, 0, 0, 0, 0.5])
    assert result.metrics.max_drawdown == pytest.approx(0.5)


def test_series_share_the_session_index_and_the_ticker_columns() -> None:
    scores, prices = market()
    result = run_backtest(scores, prices, BacktestConfig(rule="long_short"))
    for series in (result.daily_returns, result.equity, result.drawdown):
        assert series.index.equals(prices.index)
    assert list(result.weights.columns) == list(scores.columns)
    assert result.metrics.n_days == len(prices)
    np.testing.assert_allclose(result.equity, (1 + result.daily_returns).cumprod())
    assert (result.drawdown >= 0).all()


def test_price_columns_are_aligned_to_the_scores_order() -> None:
    scores, prices = market()
    straight = run_backtest(scores, prices, BacktestConfig(rule="top_k"))
    shuffled = run_backtest(scores, prices[prices.columns[::-1]], BacktestConfig(rule="top_k"))
    pd.testing.assert_series_equal(straight.daily_returns, shuffled.daily_returns)


def test_backtest_runs_over_the_scored_sessions_only() -> None:
    scores, prices = market(days=40)
    result = run_backtest(scores.iloc[10:30], prices, BacktestConfig())
    assert result.daily_returns.index.equals(prices.index[10:30])


def test_missing_score_dates_inside_the_range_mean_no_signal() -> None:
    scores, prices = market(days=30)
    gappy = scores.drop(index=scores.index[5:25])
    result = run_backtest(gappy, prices, FREE)
    assert result.daily_returns.index.equals(prices.index)
    assert (result.weights.iloc[7:27].abs().sum(axis=1) == 0).all()


def test_a_name_whose_prices_end_is_held_to_its_last_bar_then_becomes_cash() -> None:
    prices = frame([[10, 10], [10, 10], [11, 10], [math.nan, 10], [math.nan, 10], [math.nan, 10]])
    scores = frame([[5, 1]] * 6)
    result = run_backtest(scores, prices, FREE)
    # A's last bar is day 2: the book of day 1 holds it over day 3 (no delisting return: 0);
    # the signal of day 2 executes on day 3, after A's last bar, so it buys B instead
    assert result.weights["A"].tolist() == [0, 0, 1, 1, 0, 0]
    assert result.weights["B"].tolist() == [0, 0, 0, 0, 1, 1]
    np.testing.assert_allclose(result.daily_returns.to_numpy(), [0, 0, 0.1, 0, 0, 0])


def test_a_held_name_rising_50_percent_across_a_missing_bar_shows_50_percent() -> None:
    prices = frame([[10, 10], [10, 10], [10, 10], [math.nan, 10], [15, 10], [15, 10]])
    scores = frame([[5, 1], [5, 1], [5, 1], [math.nan, math.nan], [5, 1], [5, 1]])
    result = run_backtest(scores, prices, FREE)
    # the move 10 -> 15 is realised on the bar after the gap, measured from the last close
    np.testing.assert_allclose(result.daily_returns.to_numpy(), [0, 0, 0, 0, 0.5, 0])
    assert result.equity.iloc[-1] == pytest.approx(1.5)
    # the missing bar cannot be traded: A's position is kept through it, not exited
    assert result.weights["A"].tolist() == [0, 0, 1, 1, 1, 1]


def test_a_delisting_name_earns_its_delisting_return_after_its_last_bar() -> None:
    nan = math.nan
    prices = frame([[10, 10], [10, 10], [10, 10], [11, 10], [nan, 10], [nan, 10], [nan, 10]])
    scores = frame([[5, 1]] * 7)
    result = run_backtest(scores, prices, FREE, delisting={"A": -0.3})
    # held through its last bar (day 3), then the -30% delisting return lands on day 4
    assert result.weights["A"].tolist() == [0, 0, 1, 1, 1, 0, 0]
    np.testing.assert_allclose(result.daily_returns.to_numpy(), [0, 0, 0, 0.1, -0.3, 0, 0])
    assert result.equity.iloc[-1] == pytest.approx(1.1 * 0.7)
    without = run_backtest(scores, prices, FREE)
    assert without.equity.iloc[-1] == pytest.approx(1.1)


def test_a_delisting_return_is_ignored_while_the_name_still_trades() -> None:
    scores, prices = market(days=30, names=3)
    plain = run_backtest(scores, prices, FREE)
    listed = run_backtest(scores, prices, FREE, delisting={"T0": -0.9})
    pd.testing.assert_series_equal(plain.daily_returns, listed.daily_returns)


def test_future_prices_do_not_change_past_returns() -> None:
    scores, prices = market()
    changed = prices.copy()
    changed.iloc[40:] *= 1.7
    before = run_backtest(scores, prices, BacktestConfig())
    after = run_backtest(scores, changed, BacktestConfig())
    pd.testing.assert_series_equal(before.daily_returns.iloc[:40], after.daily_returns.iloc[:40])
    # weights drift with returns: those held over day t only know returns up to t - 1
    pd.testing.assert_frame_equal(before.weights.iloc[:41], after.weights.iloc[:41])


def test_mismatched_tickers_are_named() -> None:
    scores, prices = market(names=3)
    with pytest.raises(ValueError, match=r"only in scores: \[ZZZ\]; only in prices: \[T2\]"):
        run_backtest(scores.rename(columns={"T2": "ZZZ"}), prices, FREE)


def test_fewer_than_three_sessions_is_a_data_error() -> None:
    scores, prices = market(days=10)
    with pytest.raises(DataError, match="at least 3 sessions, got 2"):
        run_backtest(scores.iloc[:2], prices, FREE)
    with pytest.raises(DataError, match="got 0"):
        run_backtest(scores.iloc[:0], prices, FREE)


def test_execution_lag_zero_is_rejected() -> None:
    with pytest.raises(BacktestInputError, match="execution_lag=0") as excinfo:
        BacktestConfig(execution_lag=0)
    assert isinstance(excinfo.value, ValueError)
    assert isinstance(excinfo.value, UsageError)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rule": "best"}, "rule='best'"),
        ({"top_k": 0}, "top_k"),
        ({"quantile": 0.0}, "quantile"),
        ({"cost_bps": -2.0}, "cost_bps"),
    ],
)
def test_bad_config_is_rejected_by_name(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(BacktestInputError, match=message):
        BacktestConfig(**fields)


def test_score_dates_off_the_price_sessions_are_named() -> None:
    scores, prices = market(days=10)
    weekend = scores.rename(index={scores.index[3]: pd.Timestamp("2023-01-07")}).sort_index()
    with pytest.raises(ValueError, match="2023-01-07"):
        run_backtest(weekend, prices, FREE)


@pytest.mark.parametrize("bad", [0.0, -3.0, math.inf])
def test_non_positive_or_infinite_prices_name_ticker_and_date(bad: float) -> None:
    scores, prices = market(days=10, names=3)
    prices.iloc[4, 1] = bad
    with pytest.raises(DataError, match=r"T1 on 2023-01-06"):
        run_backtest(scores, prices, FREE)


def test_malformed_frames_are_rejected() -> None:
    scores, prices = market(days=10, names=3)
    with pytest.raises(ValueError, match="DatetimeIndex"):
        run_backtest(scores.reset_index(drop=True), prices, FREE)
    with pytest.raises(ValueError, match="sorted"):
        run_backtest(scores.iloc[::-1], prices, FREE)
    with pytest.raises(ValueError, match="duplicate dates"):
        run_backtest(pd.concat([scores, scores.iloc[[2]]]).sort_index(), prices, FREE)
    with pytest.raises(ValueError, match="not numeric: T0"):
        run_backtest(scores.assign(T0="high"), prices, FREE)
