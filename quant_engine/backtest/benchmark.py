"""The equal-weight buy-and-hold benchmark a backtest is drawn against.

It buys every name of the universe that has a return on the day the strategy's first trades
execute, in equal amounts, and holds (weights drift with prices, no rebalancing, no costs).
It uses only returns up to each day, the same ones the strategy earns, so it cannot look ahead.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from quant_engine.backtest.simulation import earned_returns

FloatArray = npt.NDArray[np.float64]

BENCHMARK_NAME = "equal-weight buy & hold"


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
