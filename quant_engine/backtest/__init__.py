"""Vectorised daily backtester: model scores in, positions, costs, metrics and reports out.

Inputs are wide frames (index: sessions; columns: tickers): ``scores`` known at each day's close
(NaN or ±inf = not tradable) and close ``prices``. A name is eligible on a day when it has a
finite score and a price that day. The semantics, which the tests pin down:

* **No look-ahead.** Targets from the scores of day t execute at the close of day
  t + ``execution_lag`` (default ``config.EXECUTION_LAG_BARS`` = 1, never 0) and earn the
  close-to-close returns from the next day on: the book held over day d's return uses scores up
  to d - 1 - lag only.
* **Rules** (``config.PORTFOLIO_RULES``). ``top_k``: long-only, equal weight over the k highest
  scores strictly above ``entry_threshold`` (fewer if fewer qualify, the rest in cash).
  ``long_short``: long the top ``quantile`` of eligible names and short the bottom, equal
  weight, 0.5 gross per side (dollar neutral, gross 1); each side holds
  ``min(max(1, floor(quantile * eligible)), eligible // 2)`` names (cash with fewer than two
  eligible). Names are ranked by score, ties by column order (the earlier column ranks higher).
* **Rebalancing and costs.** The book is rebalanced to target on every ``rebalance_every``-th
  signal day (``config.REBALANCE_EVERY_BARS``, the label horizon); in between weights drift
  with returns. ``max_drops`` (optional) caps the names a rebalance drops from each side.
  Turnover on day t is ``sum |target - drifted|`` of the trades executed at its close, and costs
  ``(cost_bps + slippage_bps) / 1e4 * turnover`` come out of day t's return.
* **Missing data.** A missing return counts as 0 for a held name; a name whose price
  disappears becomes ineligible and is exited at the first rebalance executed after it.
* **Trades.** ``n_trades`` counts (day, ticker) pairs whose target weight changed at a
  rebalance: entries, exits, resizes (an equal-weight book changing size) and long/short flips,
  each once; drift is not a trade.
* **Metrics** (``metrics.py``): annualised with ``config.TRADING_DAYS_PER_YEAR``; a ratio with a
  zero denominator is 0.0 (valid JSON; degenerate runs never look good).
* **Deterministic.** Identical inputs give byte-identical report files.
"""

from quant_engine.backtest.engine import BacktestResult, align_inputs, run_backtest
from quant_engine.backtest.metrics import PerformanceMetrics, compute_metrics
from quant_engine.backtest.report import save_backtest
from quant_engine.backtest.simulation import (
    BacktestConfig,
    BacktestInputError,
    SimulationOutput,
    simulate,
)

__all__ = [
    "BacktestConfig",
    "BacktestInputError",
    "BacktestResult",
    "PerformanceMetrics",
    "SimulationOutput",
    "align_inputs",
    "compute_metrics",
    "run_backtest",
    "save_backtest",
    "simulate",
]
