"""Trials counted across autopilot runs on the same data, never across different data."""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

import pytest

from quant_engine.autopilot.candidates import build_grid
from quant_engine.autopilot.executors import LocalExecutor
from quant_engine.autopilot.runner import AutopilotOutcome, run_autopilot
from quant_engine.autopilot.selection import Guards, deflated_sharpe_ratio
from quant_engine.autopilot.state import AutopilotState
from quant_engine.autopilot.trials import history_from_log
from quant_engine.data.market_data import MarketData
from tests.autopilot.conftest import synthetic_market_data

TOP_K = build_grid(["minimal"], ["ridge"], ["top_k"])
LONG_SHORT = build_grid(["minimal"], ["ridge"], ["long_short"])
NEVER = Guards(min_trades=10**9, max_pbo=1.0, holdout_fraction=0.0)
"""Guards nothing passes: no incumbent, so each run evaluates exactly its grid."""


def run(data: MarketData, state_dir: Path, grid: Any) -> AutopilotOutcome:
    return run_autopilot(
        data,
        grid=grid,
        executor=LocalExecutor(1),
        seed=5,
        guards=NEVER,
        state=AutopilotState(state_dir),
    )


def test_a_second_run_on_the_same_data_counts_the_first_runs_trials(
    autopilot_data: MarketData, tmp_path: Path
) -> None:
    first = run(autopilot_data, tmp_path, TOP_K)
    assert first.decision.n_trials == 1
    second = run(autopilot_data, tmp_path, LONG_SHORT)
    decision = second.decision
    assert decision.n_trials == 2
    assert decision.context is not None
    assert decision.context.prior_trials == 1
    stats = second.results[0].returns
    both = [first.results[0].returns.sharpe, stats.sharpe]
    expected = deflated_sharpe_ratio(
        stats.sharpe,
        stats.n,
        stats.skew,
        stats.kurtosis,
        n_trials=2,
        sharpe_variance=statistics.variance(both),
    )
    assert decision.table[0].deflated_sharpe == pytest.approx(expected, rel=1e-12)
    alone = run(autopilot_data, tmp_path / "fresh", LONG_SHORT)
    assert alone.decision.n_trials == 1
    assert decision.table[0].deflated_sharpe < alone.decision.table[0].deflated_sharpe
    again = run(autopilot_data, tmp_path, TOP_K)  # the same trial re-run counts once
    assert again.decision.n_trials == 2


def test_runs_on_different_data_do_not_share_trials(
    autopilot_data: MarketData, tmp_path: Path
) -> None:
    run(autopilot_data, tmp_path, TOP_K)
    other = run(synthetic_market_data(seed=8), tmp_path, LONG_SHORT)
    assert other.decision.n_trials == 1
    log = AutopilotState(tmp_path).read_log()
    assert len({record["data_digest"] for record in log}) == 2


def test_history_skips_other_windows_and_old_records() -> None:
    records = [
        {"data_digest": "a", "trials": {"x@1": 0.1, "y@1": None}},
        {"data_digest": "b", "trials": {"z@1": 0.3}},
        {"decision_id": "old format, no trials"},
        {"data_digest": "a", "trials": {"x@1": 0.2}},
    ]
    history = history_from_log(records, "a")
    assert history.count == 2
    assert history.sharpes["x@1"] == 0.2
    assert math.isnan(history.sharpes["y@1"])
    assert history.sharpe_variance() == 0.0  # one finite Sharpe
