"""Is a model's recent IC significantly below a floor? A one-sided HAC t-test on daily ICs.

Daily ICs of ``h``-day forward returns overlap by ``h - 1`` days, so they are autocorrelated
and a plain standard error is too small: the mean's variance uses Newey-West weights with
``h - 1`` lags, and the statistic is read against Student's t with one degree of freedom fewer
than the ``n // h`` non-overlapping label windows (with ``n - 1`` the test fires about three
times as often as its level on 20 dates, because Newey-West errors are too small in short series).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats  # type: ignore[import-untyped]  # scipy ships no stubs


@dataclass(frozen=True)
class DecayTest:
    """The mean daily IC, its HAC standard error, the t statistic against the floor and p."""

    mean: float
    std_error: float
    t_stat: float
    p_value: float
    n_dates: int


def newey_west_std_error(values: npt.ArrayLike, lags: int) -> float:
    """Standard error of the mean of ``values`` with Bartlett-weighted autocovariances."""
    x = np.asarray(values, dtype="float64")
    n = len(x)
    centred = x - x.mean()
    variance = float(centred @ centred) / n
    for lag in range(1, min(lags, n - 1) + 1):
        weight = 1.0 - lag / (lags + 1.0)
        variance += 2.0 * weight * float(centred[lag:] @ centred[:-lag]) / n
    return float(np.sqrt(max(variance, 0.0) / n))


def ic_below_floor(daily_ic: npt.ArrayLike, floor: float, *, horizon: int) -> DecayTest:
    """Test H0 "the recent IC is at or above ``floor``" against "it is below" (one-sided).

    A small p-value means the recent daily ICs are too low to be noise around the floor.
    Needs at least two dates.
    """
    x = np.asarray(daily_ic, dtype="float64")
    if len(x) < 2:
        raise ValueError(f"the IC-decay test needs at least 2 dates of ICs, got {len(x)}")
    mean = float(x.mean())
    std_error = newey_west_std_error(x, lags=max(horizon - 1, 0))
    if std_error > 0:
        t_stat = (mean - floor) / std_error
        windows = max(len(x) // max(horizon, 1), 2)
        p_value = float(stats.t.cdf(t_stat, df=windows - 1))
    else:  # identical ICs every day: no noise, the mean is the answer
        t_stat = float("-inf") if mean < floor else float("inf")
        p_value = 0.0 if mean < floor else 1.0
    return DecayTest(mean=mean, std_error=std_error, t_stat=t_stat, p_value=p_value, n_dates=len(x))
