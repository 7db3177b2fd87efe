"""Performance metrics of a daily net return series, annualised with TRADING_DAYS_PER_YEAR.

Pure functions on NumPy arrays. Ratios whose denominator is zero (no variation, no losing
day, no day with a position) are reported as 0.0, never NaN or inf, so metrics stay valid JSON
and a degenerate strategy can never look better than a real one.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from quant_engine import config

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PerformanceMetrics:
    """Headline figures of one backtest; ``to_dict`` is what reports and manifests store."""

    total_return: float
    annual_return: float
    volatility: float
    sharpe: float
    sortino: float
    max_drawdown: float
    turnover: float
    hit_rate: float
    n_trades: int
    n_days: int
    exposure: float

    def to_dict(self) -> dict[str, float | int]:
        """Plain Python numbers keyed by metric name."""
        return asdict(self)


def _as_returns(returns: npt.ArrayLike) -> FloatArray:
    arr = np.asarray(returns, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"daily returns must be 1-D, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError("daily returns contain NaN or inf")
    return arr


def equity_curve(returns: npt.ArrayLike) -> FloatArray:
    """Compounded equity after each day, starting from 1.0 before the first day."""
    equity: FloatArray = np.cumprod(1.0 + _as_returns(returns), dtype=np.float64)
    return equity


def drawdown(returns: npt.ArrayLike) -> FloatArray:
    """Fraction below the running peak after each day (>= 0); the start (1.0) counts as a peak."""
    equity = equity_curve(returns)
    peak = np.maximum.accumulate(np.maximum(equity, 1.0)) if equity.size else equity
    result: FloatArray = 1.0 - equity / peak
    return result


def total_return(returns: npt.ArrayLike) -> float:
    """Compounded return over the whole series: prod(1 + r) - 1."""
    arr = _as_returns(returns)
    return float(np.prod(1.0 + arr) - 1.0)


def annual_return(returns: npt.ArrayLike) -> float:
    """Geometric CAGR: (1 + total)^(days_per_year / n) - 1; -1.0 once equity is wiped out."""
    arr = _as_returns(returns)
    if arr.size == 0:
        return 0.0
    growth = 1.0 + total_return(arr)
    if growth <= 0.0:
        return -1.0
    return float(growth ** (config.TRADING_DAYS_PER_YEAR / arr.size) - 1.0)


def _sample_std(arr: FloatArray) -> float:
    """Sample std (ddof=1); exactly 0.0 for a constant or 1-day series (no rounding noise)."""
    if arr.size < 2 or bool(np.all(arr == arr[0])):
        return 0.0
    return float(np.std(arr, ddof=1))


def _annual_ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator * sqrt(days per year), or 0.0 when that is not a finite number."""
    if denominator == 0.0:
        return 0.0
    ratio = numerator / denominator * math.sqrt(config.TRADING_DAYS_PER_YEAR)
    return ratio if math.isfinite(ratio) else 0.0


def volatility(returns: npt.ArrayLike) -> float:
    """Annualised sample standard deviation (ddof=1); 0.0 for a constant or 1-day series."""
    return _sample_std(_as_returns(returns)) * math.sqrt(config.TRADING_DAYS_PER_YEAR)


def sharpe(returns: npt.ArrayLike) -> float:
    """Annualised mean / sample std (risk-free 0); 0.0 when the series does not vary."""
    arr = _as_returns(returns)
    return _annual_ratio(float(np.mean(arr)), _sample_std(arr)) if arr.size else 0.0


def sortino(returns: npt.ArrayLike) -> float:
    """Annualised mean / downside deviation sqrt(mean(min(r, 0)^2)); 0.0 with no losing day."""
    arr = _as_returns(returns)
    if arr.size == 0:
        return 0.0
    downside = math.sqrt(float(np.mean(np.minimum(arr, 0.0) ** 2)))
    return _annual_ratio(float(np.mean(arr)), downside)


def max_drawdown(returns: npt.ArrayLike) -> float:
    """Largest peak-to-trough loss as a positive fraction (0.25 = equity fell 25% off a peak)."""
    dd = drawdown(returns)
    return float(dd.max()) if dd.size else 0.0


def hit_rate(returns: npt.ArrayLike, exposure: npt.ArrayLike) -> float:
    """Fraction of days with a position (exposure > 0) whose return is positive; 0.0 if none."""
    arr = _as_returns(returns)
    invested = np.asarray(exposure, dtype=np.float64) > 0.0
    if invested.shape != arr.shape:
        raise ValueError(f"exposure {invested.shape} must match returns {arr.shape}")
    days = int(np.count_nonzero(invested))
    if days == 0:
        return 0.0
    return int(np.count_nonzero(arr[invested] > 0.0)) / days


def compute_metrics(
    returns: npt.ArrayLike,
    *,
    turnover: npt.ArrayLike,
    trades: npt.ArrayLike,
    exposure: npt.ArrayLike,
) -> PerformanceMetrics:
    """All metrics of a backtest from its daily net returns, turnover, trades and exposure.

    ``turnover`` and ``exposure`` are averaged per day; ``n_trades`` sums ``trades``, the number
    of (day, ticker) pairs whose target weight changed (entries, exits and resizes).
    """
    arr = _as_returns(returns)
    turn = np.asarray(turnover, dtype=np.float64)
    expo = np.asarray(exposure, dtype=np.float64)
    trade_counts = np.asarray(trades)
    for name, extra in (("turnover", turn), ("trades", trade_counts), ("exposure", expo)):
        if extra.shape != arr.shape:
            raise ValueError(f"{name} {extra.shape} must match returns {arr.shape}")
    return PerformanceMetrics(
        total_return=total_return(arr),
        annual_return=annual_return(arr),
        volatility=volatility(arr),
        sharpe=sharpe(arr),
        sortino=sortino(arr),
        max_drawdown=max_drawdown(arr),
        turnover=float(turn.mean()) if arr.size else 0.0,
        hit_rate=hit_rate(arr, expo),
        n_trades=int(trade_counts.sum()),
        n_days=int(arr.size),
        exposure=float(expo.mean()) if arr.size else 0.0,
    )


METRIC_LABELS: dict[str, str] = {
    "sharpe": "Sharpe",
    "sortino": "Sortino",
    "annual_return": "CAGR",
    "total_return": "total return",
    "volatility": "volatility",
    "max_drawdown": "max drawdown",
    "turnover": "turnover / day",
    "hit_rate": "hit rate",
    "exposure": "exposure",
    "n_trades": "trades",
    "n_days": "days",
}
"""How people read each metric's name, in the order summaries show them."""
PERCENT_METRICS = frozenset(
    {
        "annual_return",
        "total_return",
        "volatility",
        "max_drawdown",
        "turnover",
        "hit_rate",
        "exposure",
    }
)
"""Metrics that are fractions and read as percentages."""


def format_metric(name: str, value: float | int) -> str:
    """A metric as people read it: ``Sharpe 1.23``, ``CAGR 12.30%``, ``max drawdown -59.96%``.

    Max drawdown is stored as a positive loss and shown with a minus sign; counts get no
    decimals, fractions are percentages, ratios have two decimals.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if not math.isfinite(value):
        return "n/a"
    if name == "max_drawdown":
        return f"{-abs(value):.2%}"
    if name in PERCENT_METRICS:
        return f"{value:.2%}"
    return f"{value:.2f}"


def metric_rows(metrics: PerformanceMetrics) -> dict[str, str]:
    """Every metric of ``metrics`` under its readable label, formatted, in summary order."""
    values = metrics.to_dict()
    return {label: format_metric(name, values[name]) for name, label in METRIC_LABELS.items()}
