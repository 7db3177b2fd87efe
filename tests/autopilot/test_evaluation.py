"""Walk-forward evaluation of one candidate: OOS only, deterministic, consistent statistics."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from quant_engine.autopilot.candidates import CandidateSpec
from quant_engine.autopilot.evaluation import EvaluationSettings, ReturnStats, evaluate_candidate
from quant_engine.autopilot.state import state_file_text
from quant_engine.backtest.simulation import BacktestConfig
from quant_engine.data.market_data import MarketData
from quant_engine.models.walk_forward import WalkForwardSettings, fit_walk_forward

CANDIDATE = CandidateSpec("minimal", "ridge", "long_short")


def test_result_describes_an_out_of_sample_backtest(autopilot_data: MarketData) -> None:
    result = evaluate_candidate(CANDIDATE, autopilot_data, EvaluationSettings(seed=3))
    assert result.candidate_id == "minimal-ridge-long_short"
    trained = fit_walk_forward(
        autopilot_data,
        feature_mode="minimal",
        model_kind="ridge",
        settings=WalkForwardSettings(seed=3),
    )
    oos_dates = trained.oos_predictions.index.get_level_values("date")
    # Trading covers exactly the walk-forward test span, which starts after the first fold.
    assert result.oos_start == oos_dates.min().date().isoformat()
    assert result.oos_end == oos_dates.max().date().isoformat()
    assert oos_dates.min() > autopilot_data.start + pd.Timedelta(days=90)
    assert result.returns.n == result.metrics["n_days"]
    assert result.returns.sharpe * math.sqrt(252) == pytest.approx(result.metrics["sharpe"])
    assert set(result.model_metrics) >= {"ic", "rank_ic", "hit_rate", "n_obs"}
    assert all(type(v) in (int, float) for v in result.metrics.values())


def test_same_inputs_same_result_and_costs_matter(autopilot_data: MarketData) -> None:
    settings = EvaluationSettings(seed=3)
    first = evaluate_candidate(CANDIDATE, autopilot_data, settings)
    again = evaluate_candidate(CANDIDATE, autopilot_data, settings)
    assert state_file_text(first.to_dict()) == state_file_text(again.to_dict())
    costly = evaluate_candidate(
        CANDIDATE,
        autopilot_data,
        EvaluationSettings(seed=3, portfolio=BacktestConfig(cost_bps=50.0)),
    )
    assert costly.metrics["total_return"] < first.metrics["total_return"]


def test_result_pickles(autopilot_data: MarketData) -> None:
    result = evaluate_candidate(CANDIDATE, autopilot_data)
    assert state_file_text(pickle.loads(pickle.dumps(result)).to_dict()) == state_file_text(
        result.to_dict()
    )


def test_return_stats_match_scipy_sample_moments() -> None:
    values = np.random.default_rng(0).standard_t(5, size=400) * 0.01 + 0.0005
    got = ReturnStats.from_returns(pd.Series(np.append(values, np.nan)))
    assert got.n == 400
    assert got.mean == pytest.approx(values.mean())
    assert got.sharpe == pytest.approx(values.mean() / values.std(ddof=1))
    assert got.skew == pytest.approx(stats.skew(values, bias=False))
    assert got.kurtosis == pytest.approx(stats.kurtosis(values, fisher=False, bias=False))


def test_return_stats_of_a_flat_series_are_undefined() -> None:
    got = ReturnStats.from_returns(pd.Series([0.0] * 50))
    assert got.n == 50
    assert math.isnan(got.sharpe)
    assert math.isnan(got.skew)
    assert math.isnan(got.kurtosis)


def test_entries_and_exits_are_counted_apart_from_resizes(autopilot_data: MarketData) -> None:
    evaluation = evaluate_candidate(CandidateSpec("minimal", "ridge", "top_k"), autopilot_data)
    entries_exits = evaluation.metrics["n_entries_exits"]
    assert entries_exits == int(evaluation.entries_exits.sum())
    assert 0 < entries_exits < evaluation.metrics["n_trades"]  # top_k resizes as names come and go
