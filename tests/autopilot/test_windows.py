"""Candidates of different feature modes are compared on the days they share."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quant_engine.autopilot.candidates import CandidateSpec, build_grid
from quant_engine.autopilot.evaluation import CandidateEvaluation, ReturnStats
from quant_engine.autopilot.executors import LocalExecutor
from quant_engine.autopilot.runner import run_autopilot
from quant_engine.autopilot.selection import Guards
from quant_engine.autopilot.state import AutopilotState
from quant_engine.autopilot.windows import Window, common_window, on_window, split_holdout
from quant_engine.backtest import metrics as perf
from quant_engine.data.market_data import MarketData

DAYS = pd.bdate_range("2020-01-01", periods=100)


def evaluation(mode: str, first: int, returns: np.ndarray) -> CandidateEvaluation:
    days = DAYS[first:]
    series = pd.Series(returns[first:], index=days)
    changes = pd.Series(np.ones(len(days), dtype=np.int64), index=days)
    return CandidateEvaluation(
        candidate=CandidateSpec(mode, "ridge", "top_k"),
        metrics={"sharpe": perf.sharpe(series.to_numpy()), "n_entries_exits": len(days)},
        model_metrics={},
        returns=ReturnStats.from_returns(series),
        oos_start=days[0].date().isoformat(),
        oos_end=days[-1].date().isoformat(),
        daily_returns=series,
        entries_exits=changes,
    )


def test_a_later_starting_mode_sets_the_common_window_and_all_are_recut() -> None:
    rng = np.random.default_rng(0)
    early = evaluation("minimal", 0, rng.normal(0.001, 0.01, 100))
    late = evaluation("full", 40, rng.normal(0.001, 0.01, 100))
    window = common_window([early, late])
    assert window == Window(DAYS[40], DAYS[-1])
    cut = on_window(early, window)
    assert cut.returns.n == late.returns.n == 60
    assert cut.oos_start == late.oos_start
    assert cut.sharpe == pytest.approx(perf.sharpe(early.daily_returns.iloc[40:].to_numpy()))
    assert cut.metrics["n_entries_exits"] == 60
    assert on_window(late, window) is late  # already on the window: untouched


def test_the_holdout_is_the_end_of_the_common_window() -> None:
    selection, holdout = split_holdout(Window(DAYS[40], DAYS[-1]), DAYS, 0.25)
    assert selection == Window(DAYS[40], DAYS[84])
    assert holdout == Window(DAYS[85], DAYS[-1])
    whole, none = split_holdout(Window(DAYS[0], DAYS[-1]), DAYS, 0.0)
    assert none is None
    assert whole == Window(DAYS[0], DAYS[-1])


def test_autopilot_scores_every_feature_mode_on_the_same_days(
    autopilot_data: MarketData, tmp_path: Path
) -> None:
    grid = build_grid(["minimal", "full"], ["ridge"], ["top_k"])
    outcome = run_autopilot(
        autopilot_data,
        grid=grid,
        executor=LocalExecutor(1),
        seed=5,
        guards=Guards(holdout_fraction=0.2),
        state=AutopilotState(tmp_path),
    )
    spans = {(r.oos_start, r.oos_end, r.returns.n) for r in outcome.results}
    assert len(spans) == 1
    context = outcome.decision.context
    assert context is not None
    assert context.holdout_days > 0
    assert set(context.holdout_sharpe) == {c.candidate_id for c in grid}
    assert max(r.daily_returns.index[-1] for r in outcome.results) < pd.Timestamp(
        autopilot_data.end
    )  # the holdout days were not part of the selection
