"""The pandas-facing backtest: align and validate score/price frames, simulate, measure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quant_engine import config
from quant_engine.backtest.benchmark import BENCHMARK_NAME, buy_and_hold_equity, index_equity
from quant_engine.backtest.metrics import (
    PerformanceMetrics,
    compute_metrics,
    drawdown,
    equity_curve,
)
from quant_engine.backtest.simulation import BacktestConfig, BacktestInputError, simulate
from quant_engine.data import continuity
from quant_engine.errors import DataError

MIN_SESSIONS = 3
"""Fewest sessions a backtest accepts: a signal, its execution and one earning day."""
_SHOWN = 10


@dataclass(frozen=True)
class BacktestResult:
    """A finished backtest: settings, metrics and the per-day series behind them."""

    config: BacktestConfig
    metrics: PerformanceMetrics
    daily_returns: pd.Series
    equity: pd.Series
    drawdown: pd.Series
    weights: pd.DataFrame
    benchmark: pd.Series | None = None
    """Equity of the benchmark on the same sessions (see benchmark.py)."""
    gross_returns: pd.Series | None = None
    """Daily returns before costs; ``gross_returns - daily_returns`` is ``costs``."""
    costs: pd.Series | None = None
    """Daily trading costs, a fraction of equity."""
    benchmark_name: str = BENCHMARK_NAME
    ic_by_year: pd.DataFrame | None = None
    """Mean IC, rank IC and days per year of the scores traded (model runs; signal_quality.py)."""

    @property
    def total_trades(self) -> int:
        """Position changes over the run (entries, exits and resizes; see ``n_trades``)."""
        return self.metrics.n_trades


def _names(items: Any) -> str:
    shown = [str(item) for item in list(items)[:_SHOWN]]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" (+{more} more)" if more > 0 else "")


def _days(index: pd.Index) -> str:
    return _names(pd.DatetimeIndex(index).strftime("%Y-%m-%d"))


def _check_frame(frame: Any, what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise BacktestInputError(f"{what} must be a DataFrame (dates x tickers)")
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise BacktestInputError(f"{what} index must be a DatetimeIndex of sessions")
    if frame.index.has_duplicates:
        raise BacktestInputError(
            f"{what} has duplicate dates: {_days(frame.index[frame.index.duplicated()])}"
        )
    if not frame.index.is_monotonic_increasing:
        raise BacktestInputError(f"{what} dates must be sorted ascending")
    if frame.columns.has_duplicates:
        raise BacktestInputError(
            f"{what} has duplicate tickers: {_names(frame.columns[frame.columns.duplicated()])}"
        )
    not_numeric = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if not_numeric:
        raise BacktestInputError(f"{what} columns are not numeric: {_names(not_numeric)}")


def _check_prices(prices: pd.DataFrame) -> None:
    values = prices.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isnan(values) & ~(np.isfinite(values) & (values > 0.0))
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        raise DataError(
            f"price of {prices.columns[col]} on {prices.index[row].date()} is "
            f"{values[row, col]!r}: prices must be positive and finite (or NaN when missing)"
        )


def align_inputs(
    scores: pd.DataFrame,
    prices: pd.DataFrame,
    *,
    execution_lag: int = config.EXECUTION_LAG_BARS,
    delisting: Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores and daily returns on the sessions from the first to the last score date.

    Columns follow the scores' order (it breaks ties). Missing bars and delistings follow
    ``quant_engine.data.continuity``: a return is realised from the last known close, so a move
    across a missing bar lands on the next bar; a score carries across a missing bar inside a
    ticker's life (a position cannot be traded without a bar); a name is held to its last bar
    and its ``delisting`` return, if any, is earned on the session after it. Signals whose
    trades would execute after a name's last bar drop it (its holding became cash).
    """
    _check_frame(scores, "scores")
    _check_frame(prices, "prices")
    only_scores = scores.columns.difference(prices.columns)
    only_prices = prices.columns.difference(scores.columns)
    if len(only_scores) or len(only_prices):
        raise BacktestInputError(
            "scores and prices must have the same tickers: "
            f"only in scores: [{_names(only_scores)}]; only in prices: [{_names(only_prices)}]"
        )
    off_session = scores.index.difference(prices.index)
    if len(off_session):
        raise BacktestInputError(f"scores have dates with no price session: {_days(off_session)}")
    _check_prices(prices)
    if scores.empty:
        raise DataError(f"backtest needs at least {MIN_SESSIONS} sessions, got 0")
    first = int(prices.index.searchsorted(scores.index[0]))
    last = int(prices.index.searchsorted(scores.index[-1]))
    n_sessions = last - first + 1
    if n_sessions < MIN_SESSIONS:
        raise DataError(f"backtest needs at least {MIN_SESSIONS} sessions, got {n_sessions}")

    tickers = scores.columns
    closes = prices[tickers].to_numpy(dtype=np.float64, na_value=np.nan)
    returns = continuity.realised_returns(closes)
    if delisting:
        vector = continuity.delisting_vector([str(t) for t in tickers], delisting)
        returns = continuity.with_delisting_returns(returns, closes, vector)
    full = scores.reindex(prices.index).to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    full = continuity.carry_through_gaps(full, closes)
    ended = continuity.last_bar_positions(closes)
    for column in np.flatnonzero(ended < len(prices.index) - 1):
        full[max(int(ended[column]) - execution_lag + 1, 0) :, column] = np.nan
    sessions = prices.index[first : last + 1].rename("date")
    columns = tickers.rename("ticker")
    return (
        pd.DataFrame(full[first : last + 1], index=sessions, columns=columns),
        pd.DataFrame(returns[first : last + 1], index=sessions, columns=columns),
    )


def benchmark_equity(returns: pd.DataFrame, first_held: int, closes: pd.Series | None) -> pd.Series:
    """The equal-weight benchmark, or the index ``closes`` (named by ticker) when given.

    Raises BacktestInputError when the index has no close in the backtest's window.
    """
    sessions = returns.index
    if closes is None:
        return pd.Series(
            buy_and_hold_equity(returns.to_numpy(), first_held), index=sessions, name="benchmark"
        )
    on_sessions = closes.reindex(sessions).to_numpy(dtype=np.float64, na_value=np.nan)
    if not np.isfinite(on_sessions[: max(first_held, 1)]).any():
        raise BacktestInputError(
            f"benchmark {closes.name} has no close from {sessions[0].date()} to "
            f"{sessions[min(first_held, len(sessions)) - 1].date()} when the backtest first "
            "trades: load it over that window or use --benchmark equal_weight"
        )
    return pd.Series(index_equity(on_sessions, first_held), index=sessions, name="benchmark")


def run_backtest(
    scores: pd.DataFrame,
    prices: pd.DataFrame,
    cfg: BacktestConfig,
    *,
    benchmark_closes: pd.Series | None = None,
    delisting: Mapping[str, float] | None = None,
) -> BacktestResult:
    """Backtest ``scores`` (known at each close) against close ``prices`` under ``cfg``.

    Trades execute ``cfg.execution_lag`` bars after the signal and earn from the next bar on;
    ``delisting`` maps tickers to their delisting return (see :func:`align_inputs`).
    The benchmark is the equal-weight universe, or ``benchmark_closes`` (an index's closes,
    named by its ticker) when given.
    """
    aligned, returns = align_inputs(
        scores, prices, execution_lag=int(cfg.execution_lag), delisting=delisting
    )
    out = simulate(aligned.to_numpy(), returns.to_numpy(), cfg)
    metrics = compute_metrics(
        out.net, turnover=out.turnover, trades=out.trades, exposure=out.exposure
    )
    sessions = aligned.index
    return BacktestResult(
        config=cfg,
        metrics=metrics,
        daily_returns=pd.Series(out.net, index=sessions, name="daily_return"),
        equity=pd.Series(equity_curve(out.net), index=sessions, name="equity"),
        drawdown=pd.Series(drawdown(out.net), index=sessions, name="drawdown"),
        weights=pd.DataFrame(out.weights, index=sessions, columns=aligned.columns),
        benchmark=benchmark_equity(returns, 1 + cfg.execution_lag, benchmark_closes),
        gross_returns=pd.Series(out.gross, index=sessions, name="gross_return"),
        costs=pd.Series(out.costs, index=sessions, name="costs"),
        benchmark_name=BENCHMARK_NAME if benchmark_closes is None else str(benchmark_closes.name),
    )
