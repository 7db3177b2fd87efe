"""The autopilot evaluating a candidate and qe-backtest with its settings trade identically."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from quant_engine import run_backtest
from quant_engine.autopilot.candidates import CandidateSpec
from quant_engine.autopilot.evaluation import EvaluationSettings, evaluate_candidate
from quant_engine.backtest.report import EQUITY_CURVE_NAME, FLOAT_FORMAT
from quant_engine.backtest.simulation import BacktestConfig
from quant_engine.data.loader import load_universe

TICKERS = ("SPX", "COMP", "S0000", "S0001", "S0002")
YEARS = 2
SEED = 5
COST_BPS = 7.0
SLIPPAGE_BPS = 3.0


@pytest.fixture
def keep_root_logging() -> Iterator[None]:
    """Entry points configure the root logger; put it back for the tests that follow."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]


def qe_backtest_daily_returns(candidate: CandidateSpec, out_dir: Path) -> pd.Series:
    """Run qe-backtest for ``candidate`` and read the daily returns it wrote, as printed text."""
    argv = [
        "--tickers",
        ",".join(TICKERS),
        "--years",
        str(YEARS),
        "--feature-mode",
        candidate.feature_mode,
        "--model",
        candidate.model_kind,
        "--rule",
        candidate.rule,
        "--cost-bps",
        str(COST_BPS),
        "--slippage-bps",
        str(SLIPPAGE_BPS),
        "--seed",
        str(SEED),
        "--output-dir",
        str(out_dir),
        "--quiet",
    ]
    assert run_backtest.main(argv) == 0
    [curve] = out_dir.rglob(EQUITY_CURVE_NAME)
    written = pd.read_csv(curve, dtype=str)
    return pd.Series(written["daily_return"].to_numpy(), index=written["date"].to_numpy())


@pytest.mark.usefixtures("keep_root_logging")
@pytest.mark.parametrize(
    "candidate",
    [CandidateSpec("core", "ridge", "long_short"), CandidateSpec("minimal", "gbm", "top_k")],
    ids=lambda c: c.candidate_id,
)
def test_autopilot_evaluation_trades_what_qe_backtest_trades(
    candidate: CandidateSpec, tmp_path: Path
) -> None:
    written = qe_backtest_daily_returns(candidate, tmp_path / "qe_backtest")

    data = load_universe(TICKERS, YEARS, source="sample")
    costs = BacktestConfig(cost_bps=COST_BPS, slippage_bps=SLIPPAGE_BPS)
    result = evaluate_candidate(candidate, data, EvaluationSettings(seed=SEED, portfolio=costs))
    evaluated = result.daily_returns
    as_written = pd.Series(
        [FLOAT_FORMAT % value for value in evaluated.to_numpy()],
        index=pd.DatetimeIndex(evaluated.index).strftime("%Y-%m-%d"),
    )

    assert len(written) > 100
    pd.testing.assert_series_equal(as_written, written, check_names=False, check_index_type=False)
    assert (result.oos_start, result.oos_end) == (written.index[0], written.index[-1])
    assert result.returns.n == len(written)
