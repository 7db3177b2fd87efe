"""backtest_strategy: progress over the walk-forward fits, then the simulation as the last step."""

from __future__ import annotations

from quant_engine.backtest.simulation import BacktestConfig
from quant_engine.backtest.strategy import backtest_strategy
from quant_engine.data.loader import load_universe
from quant_engine.models.walk_forward import WalkForwardSettings


def test_progress_rises_to_the_total_through_the_fits_and_the_simulation() -> None:
    data = load_universe(["S0001", "S0002", "S0003", "S0004"], 3)
    seen: list[tuple[int, int]] = []
    backtest_strategy(
        data,
        feature_mode="minimal",
        model_kind="ridge",
        portfolio=BacktestConfig(),
        settings=WalkForwardSettings(n_folds=3),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
