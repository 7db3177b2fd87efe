"""Backtest a strategy (feature mode x model kind x portfolio) on its walk-forward scores.

qe-backtest and the autopilot both call :func:`backtest_strategy`, so the same data, settings
and portfolio give the same daily returns whichever of them runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from quant_engine.backtest.engine import BacktestResult, run_backtest
from quant_engine.backtest.signal_quality import ic_by_year
from quant_engine.backtest.simulation import BacktestConfig
from quant_engine.data.market_data import MarketData
from quant_engine.models.walk_forward import (
    WalkForwardScores,
    WalkForwardSettings,
    score_walk_forward,
)
from quant_engine.utils.progress import ProgressCallback


@dataclass(frozen=True)
class StrategyBacktest:
    """The walk-forward fit and scores a backtest traded, and the backtest itself."""

    scored: WalkForwardScores
    backtest: BacktestResult


def backtest_strategy(
    data: MarketData,
    *,
    feature_mode: str,
    model_kind: str,
    portfolio: BacktestConfig,
    settings: WalkForwardSettings | None = None,
    progress: ProgressCallback | None = None,
    benchmark_closes: pd.Series | None = None,
) -> StrategyBacktest:
    """Score ``data`` out of sample, then trade the scores against its closes under ``portfolio``.

    The backtest spans the first to the last out-of-sample date: nothing in-sample is traded.
    It is drawn against the equal-weight universe, or the index ``benchmark_closes`` (named by
    its ticker), and carries the scores' IC and rank IC per year against their labels.
    ``progress`` counts the walk-forward fits, then the simulation as one last step.
    """
    fits = 0

    def on_fit(done: int, total: int) -> None:
        nonlocal fits
        fits = total
        if progress is not None:
            progress(done, total + 1)

    scored = score_walk_forward(
        data, feature_mode=feature_mode, model_kind=model_kind, settings=settings, progress=on_fit
    )
    backtest = run_backtest(
        scored.scores,
        data.field("close"),
        portfolio,
        benchmark_closes=benchmark_closes,
        delisting=data.delisting_returns,
    )
    backtest = replace(backtest, ic_by_year=ic_by_year(scored.fit.daily_ic))
    if progress is not None:
        progress(fits + 1, fits + 1)
    return StrategyBacktest(scored=scored, backtest=backtest)
