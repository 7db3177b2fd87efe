"""Walk-forward evaluation of one candidate: features → OOS predictions → backtest → statistics.

:func:`evaluate_candidate` is a top-level function of picklable arguments so that any executor
(inline, a process pool, a Dask cluster) can run it. It receives the loaded ``MarketData``
rather than load arguments: remote Dask workers share no cache with the client, and loading
(or generating) the data once is cheaper than once per candidate; executors ship it to each
worker once, not once per task.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from quant_engine.autopilot.candidates import CandidateSpec, ScoredCandidate
from quant_engine.backtest.positions import entries_and_exits
from quant_engine.backtest.simulation import BacktestConfig
from quant_engine.backtest.strategy import backtest_strategy
from quant_engine.data.market_data import MarketData
from quant_engine.models.walk_forward import WalkForwardSettings

ENTRIES_EXITS = "n_entries_exits"
"""Metric name: positions opened plus positions closed (what the min-trades guard counts)."""


@dataclass(frozen=True)
class EvaluationSettings(WalkForwardSettings):
    """Everything besides the candidate and the data that determines an evaluation's result.

    The walk-forward settings (seed, horizon, embargo, folds) and the portfolio's sizing and costs.
    """

    portfolio: BacktestConfig = field(default_factory=BacktestConfig)
    """Sizing and costs; each candidate substitutes its own ``rule``."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, recorded in every decision file."""
        training = {"seed": self.seed, "horizon": self.horizon, "embargo": self.embargo}
        return {**training, "n_folds": self.n_folds, "portfolio": self.portfolio.to_dict()}


@dataclass(frozen=True)
class ReturnStats:
    """Moments of the daily OOS return series that the deflated Sharpe ratio needs.

    ``sharpe`` is per period (daily, not annualised); ``kurtosis`` is Pearson's (normal = 3).
    Undefined moments (too few days, zero variance) are NaN.
    """

    n: int
    mean: float
    std: float
    sharpe: float
    skew: float
    kurtosis: float

    @classmethod
    def from_returns(cls, returns: pd.Series) -> ReturnStats:
        """Sample moments of the finite values of ``returns`` (bias-corrected skew, kurtosis)."""
        values = returns.to_numpy(dtype=np.float64)
        values = values[np.isfinite(values)]
        n = int(values.size)
        mean = float(values.mean()) if n else math.nan
        std = float(values.std(ddof=1)) if n > 1 else math.nan
        skew, kurtosis = sample_skew_kurtosis(values) if n > 3 and std > 0 else (math.nan,) * 2
        return cls(
            n=n,
            mean=mean,
            std=std,
            sharpe=mean / std if std > 0 else math.nan,
            skew=skew,
            kurtosis=kurtosis,
        )

    def to_dict(self) -> dict[str, float]:
        """JSON-safe form."""
        return dict(self.__dict__)


def sample_skew_kurtosis(values: npt.NDArray[np.float64]) -> tuple[float, float]:
    """Bias-corrected sample skewness G1 and Pearson kurtosis G2 + 3 (as pandas and Excel).

    Needs at least 4 values with non-zero variance.
    """
    n = values.size
    centred = values - values.mean()
    m2 = float(np.mean(centred**2))
    g1 = float(np.mean(centred**3)) / m2**1.5
    g2 = float(np.mean(centred**4)) / m2**2 - 3.0
    skew = math.sqrt(n * (n - 1)) / (n - 2) * g1
    excess = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6.0)
    return skew, excess + 3.0


@dataclass(frozen=True)
class CandidateEvaluation(ScoredCandidate):
    """One candidate's walk-forward backtest: metrics, model OOS metrics and return moments."""

    candidate: CandidateSpec
    metrics: Mapping[str, float] = field(hash=False)
    model_metrics: Mapping[str, float] = field(hash=False)
    returns: ReturnStats
    oos_start: str
    oos_end: str
    daily_returns: pd.Series = field(
        default_factory=lambda: pd.Series(dtype=np.float64), hash=False, compare=False
    )
    """The backtest's net daily returns (kept out of decision files; their moments are in)."""
    entries_exits: pd.Series = field(
        default_factory=lambda: pd.Series(dtype=np.int64), hash=False, compare=False
    )
    """Per day, names entered plus names exited (resizes not counted): the min-trades guard's."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, for decision files."""
        return {
            "candidate_id": self.candidate_id,
            "candidate": self.candidate.to_dict(),
            "oos_start": self.oos_start,
            "oos_end": self.oos_end,
            "metrics": dict(self.metrics),
            "model_metrics": dict(self.model_metrics),
            "returns": self.returns.to_dict(),
        }


def evaluate_candidate(
    candidate: CandidateSpec, data: MarketData, settings: EvaluationSettings | None = None
) -> CandidateEvaluation:
    """Backtest ``candidate`` on its walk-forward out-of-sample predictions over ``data``.

    The model never scores a day it was trained on; the backtest covers the OOS window only,
    so the return moments describe out-of-sample trading and nothing else. Model fits run on
    ``config.MODEL_THREADS`` native threads whoever calls this, so every executor (and machine)
    computes the same floating-point result.
    """
    settings = settings or EvaluationSettings()
    run = backtest_strategy(
        data,
        feature_mode=candidate.feature_mode,
        model_kind=candidate.model_kind,
        portfolio=replace(settings.portfolio, rule=candidate.rule),
        settings=settings,
    )
    daily_returns = run.backtest.daily_returns
    days = daily_returns.index
    changes = entries_and_exits(run.backtest.weights).reindex(days, fill_value=0)
    metrics = {**run.backtest.metrics.to_dict(), ENTRIES_EXITS: int(changes.sum())}
    return CandidateEvaluation(
        candidate=candidate,
        metrics=plain_numbers(metrics),
        model_metrics=plain_numbers(asdict(run.scored.fit.metrics)),
        returns=ReturnStats.from_returns(daily_returns),
        oos_start=days[0].date().isoformat(),
        oos_end=days[-1].date().isoformat(),
        daily_returns=daily_returns,
        entries_exits=changes,
    )


def plain_numbers(values: Mapping[str, Any]) -> dict[str, float]:
    """Entries as built-in numbers sorted by name, for JSON: see :func:`plain_number`."""
    return {name: plain_number(value) for name, value in sorted(values.items())}


def plain_number(value: Any) -> float:
    """A built-in ``int`` or ``float`` (no NumPy scalar); ``None`` (undefined) becomes NaN."""
    if value is None:
        return math.nan
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)
