"""Backtest a strategy (feature mode x model kind x portfolio) on its walk-forward scores.

qe-backtest and the autopilot both call :func:`backtest_strategy`, so the same data, settings
and portfolio give the same daily returns whichever of them runs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from quant_engine.backtest.engine import BacktestResult, run_backtest
from quant_engine.backtest.simulation import BacktestConfig
from quant_engine.data.market_data import MarketData
from quant_engine.models.walk_forward import (
    WalkForwardScores,
    WalkForwardSettings,
    score_walk_forward,
)


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
) -> StrategyBacktest:
    """Score ``data`` out of sample, then trade the scores against its closes under ``portfolio``.

    The backtest spans the first to the last out-of-sample date: nothing in-sample is traded.
    """
    scored = score_walk_forward(
        data, feature_mode=feature_mode, model_kind=model_kind, settings=settings
    )
    return StrategyBacktest(
        scored=scored, backtest=run_backtest(scored.scores, data.field("close"), portfolio)
    )
