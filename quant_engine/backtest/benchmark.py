"""The benchmark a backtest is drawn against, and the strategy's statistics relative to it.

``equal_weight`` (the default) buys every name of the universe that has a return on the day
the strategy's first trades execute, in equal amounts, and holds (weights drift with prices,
no rebalancing, no costs).
An index from the data (``SPX``) is bought and held from the same day. Either uses only
returns up to each day, the same ones the strategy earns, so it cannot look ahead.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from quant_engine import config
from quant_engine.backtest import metrics as perf
from quant_engine.backtest.simulation import earned_returns

FloatArray = npt.NDArray[np.float64]

BENCHMARK_NAME = "equal-weight buy & hold"
"""Readable name of the ``equal_weight`` benchmark; an index is named by its ticker."""


def buy_and_hold_equity(returns: npt.ArrayLike, first_held: int) -> FloatArray:
    """Benchmark equity per day (1.0 before ``first_held``), for ``returns[day, name]``.

    Bought at the close of day ``first_held - 1`` (the names with a finite return that day) and
    earning from day ``first_held`` on; a missing return later earns 0, as in the simulation.
    Flat at 1.0 when no name can be bought.
    """
    arr = np.asarray(returns, dtype=np.float64)
    days = arr.shape[0]
    equity = np.ones(days)
    if not 1 <= first_held < days:
        return equity
    bought = np.isfinite(arr[first_held - 1])
    if not bought.any():
        return equity
    growth = np.cumprod(1.0 + earned_returns(arr[first_held:, bought]), axis=0)
    equity[first_held:] = growth.mean(axis=1)
    return equity


def index_equity(closes: npt.ArrayLike, first_held: int) -> FloatArray:
    """Equity of one index bought at the close of day ``first_held - 1`` and held.

    ``closes`` are the index's closes on the backtest's sessions (NaN when missing): a missing
    close carries the last one forward, so a move across it shows on the next close. Flat at
    1.0 before ``first_held``.
    """
    arr = np.asarray(closes, dtype=np.float64)
    last_known = np.maximum.accumulate(np.where(np.isnan(arr), 0, np.arange(arr.size)))
    arr = arr[last_known]
    returns = np.full(arr.shape, np.nan)
    returns[1:] = arr[1:] / arr[:-1] - 1.0
    return buy_and_hold_equity(returns[:, None], first_held)


def equity_returns(equity: npt.ArrayLike) -> FloatArray:
    """Daily returns of an equity curve that starts from 1.0 before its first day."""
    arr = np.asarray(equity, dtype=np.float64)
    result: FloatArray = arr / np.concatenate(([1.0], arr[:-1])) - 1.0
    return result


@dataclass(frozen=True)
class RelativeStats:
    """A strategy against its benchmark, from daily returns, annualised like the metrics.

    ``excess_return`` is the annualised mean daily active return (strategy - benchmark),
    ``tracking_error`` its annualised sample std, ``information_ratio`` their ratio, ``beta``
    ``cov(strategy, benchmark) / var(benchmark)``. A zero denominator gives 0.0, as in metrics.
    """

    excess_return: float
    tracking_error: float
    information_ratio: float
    beta: float

    def to_dict(self) -> dict[str, float]:
        """Plain floats keyed by name."""
        return asdict(self)


def relative_stats(strategy: npt.ArrayLike, benchmark: npt.ArrayLike) -> RelativeStats:
    """Excess return, tracking error, information ratio and beta of ``strategy`` returns."""
    strat = np.asarray(strategy, dtype=np.float64)
    bench = np.asarray(benchmark, dtype=np.float64)
    if strat.shape != bench.shape or strat.ndim != 1:
        raise ValueError(f"strategy {strat.shape} and benchmark {bench.shape}: same 1-D shape")
    active = strat - bench
    years = config.TRADING_DAYS_PER_YEAR
    spread = perf.volatility(active)
    variance = float(np.var(bench, ddof=1)) if bench.size > 1 else 0.0
    beta = float(np.cov(strat, bench, ddof=1)[0, 1]) / variance if variance > 0.0 else 0.0
    return RelativeStats(
        excess_return=float(active.mean()) * years if active.size else 0.0,
        tracking_error=spread,
        information_ratio=perf.sharpe(active),
        beta=beta if math.isfinite(beta) else 0.0,
    )
