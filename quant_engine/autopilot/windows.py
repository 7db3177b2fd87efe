"""Candidates compared on the same days: the common window, and its selection/holdout split.

Feature modes warm up for different lengths, so their out-of-sample spans start on different
days; comparing Sharpe ratios over different spans compares the periods as much as the
strategies. Every figure the selection reads is recomputed on the days all candidates share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from quant_engine.autopilot.evaluation import ENTRIES_EXITS, CandidateEvaluation, ReturnStats
from quant_engine.backtest import metrics as perf
from quant_engine.errors import DataError


@dataclass(frozen=True)
class Window:
    """A span of sessions, both ends included."""

    start: pd.Timestamp
    end: pd.Timestamp

    def to_dict(self) -> dict[str, str]:
        """ISO dates."""
        return {"start": self.start.date().isoformat(), "end": self.end.date().isoformat()}


def common_window(results: Sequence[CandidateEvaluation]) -> Window:
    """The latest first day to the earliest last day of every candidate's returns."""
    start = max(r.daily_returns.index[0] for r in results)
    end = min(r.daily_returns.index[-1] for r in results)
    if start > end:
        raise DataError(
            f"the candidates' out-of-sample spans do not overlap ({start.date()} > {end.date()}): "
            "use more --years or fewer feature modes"
        )
    return Window(pd.Timestamp(start), pd.Timestamp(end))


def split_holdout(
    window: Window, days: pd.DatetimeIndex, fraction: float
) -> tuple[Window, Window | None]:
    """(selection, holdout): the last ``fraction`` of the window's ``days`` is held out."""
    inside = days[(days >= window.start) & (days <= window.end)]
    held = int(len(inside) * fraction)
    if held == 0 or held >= len(inside):
        return window, None
    cut = len(inside) - held
    return Window(inside[0], inside[cut - 1]), Window(inside[cut], inside[-1])


def on_window(result: CandidateEvaluation, window: Window) -> CandidateEvaluation:
    """``result`` with its return figures, moments and entries/exits recomputed on ``window``.

    Unchanged when the window is the result's whole span (same numbers, bit for bit).
    """
    returns = result.daily_returns
    if returns.index[0] == window.start and returns.index[-1] == window.end:
        return result
    part = returns.loc[window.start : window.end]
    values = part.to_numpy(dtype=np.float64)
    changes = result.entries_exits.loc[window.start : window.end]
    metrics = dict(result.metrics)
    for name, measure in (
        ("total_return", perf.total_return),
        ("annual_return", perf.annual_return),
        ("volatility", perf.volatility),
        ("sharpe", perf.sharpe),
        ("sortino", perf.sortino),
        ("max_drawdown", perf.max_drawdown),
    ):
        metrics[name] = float(measure(values))
    metrics["n_days"] = int(values.size)
    metrics[ENTRIES_EXITS] = int(changes.sum())
    return replace(
        result,
        metrics=metrics,
        returns=ReturnStats.from_returns(part),
        oos_start=window.start.date().isoformat(),
        oos_end=window.end.date().isoformat(),
        daily_returns=part,
        entries_exits=changes,
    )


def return_matrix(results: Sequence[CandidateEvaluation]) -> np.ndarray:
    """[days, candidates] daily returns on the days they share (NaN as 0: nothing earned)."""
    frame = pd.concat([r.daily_returns for r in results], axis=1, join="inner")
    return frame.fillna(0.0).to_numpy(dtype=np.float64)
