"""backtest_strategy: progress over the walk-forward fits, then the simulation as the last step."""

from __future__ import annotations

import math

import pytest

from quant_engine.backtest.simulation import BacktestConfig
from quant_engine.backtest.strategy import backtest_strategy
from quant_engine.data.loader import load_universe
from quant_engine.data.market_data import MarketData
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


def test_a_delisting_name_is_scored_and_held_to_its_last_bar_then_earns_its_delisting_return() -> (
    None
):
    full = load_universe(["S0001", "S0002", "S0003", "S0004"], 3)
    grid = full.sessions
    last = grid[-40]  # S0002 delists 39 sessions before the end of the data
    bars = {t: (f[f.index <= last] if t == "S0002" else f) for t, f in full.bars.items()}
    hold_all = BacktestConfig(  # rebalanced every bar: the delisted holding is cash at once
        rule="top_k",
        top_k=4,
        entry_threshold=-math.inf,
        cost_bps=0.0,
        slippage_bps=0.0,
        rebalance_every=1,
    )
    runs = {}
    for delisting in ({}, {"S0002": -0.5}):
        data = MarketData(bars=bars, source="sample", delisting_returns=delisting)
        runs[bool(delisting)] = backtest_strategy(
            data, feature_mode="minimal", model_kind="ridge", portfolio=hold_all
        )
    run = runs[True]
    scores = run.scored.scores["S0002"]
    # its last bars have no label (the horizon runs past them) yet are scored out of sample
    assert scores.loc[grid[-44] : last].notna().all()
    weights = run.backtest.weights["S0002"]
    after = grid[-39]
    assert weights.loc[last] > 0
    assert weights.loc[after] > 0
    assert (weights.loc[grid[-38] :] == 0).all()  # then cash: nothing is traded after it
    delisting_day = (
        run.backtest.daily_returns.loc[after] - runs[False].backtest.daily_returns[after]
    )
    assert delisting_day == pytest.approx(-0.5 * weights.loc[after])
