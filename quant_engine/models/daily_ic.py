"""Day-by-day cross-sectional correlation of scores with forward returns: IC, rank IC, hit rate.

Scores and labels arrive long, indexed by (date, ticker). Each day's correlation is taken over
the tickers where both are known, on dates x tickers arrays (one row per day), which keeps a
universe of thousands of tickers over many years to a few passes over plain arrays.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

MIN_NAMES_PER_DAY = 2
"""A day's cross-sectional correlation needs at least this many tickers."""
IC_NAMES = ("ic", "rank_ic")

FloatArray = npt.NDArray[np.float64]


def finite_or_none(value: float) -> float | None:
    """``value`` as a float, or None when it is NaN or infinite (undefined metric)."""
    return float(value) if np.isfinite(value) else None


def paired_wide(
    pred: pd.Series, label: pd.Series
) -> tuple[pd.DatetimeIndex, FloatArray, FloatArray]:
    """The dates of ``pred`` and both series as dates x tickers arrays over ``pred``'s cells,
    NaN wherever either one is missing or not finite."""
    scores = pred.unstack("ticker")
    realised = label.unstack("ticker").reindex(index=scores.index, columns=scores.columns)
    x = scores.to_numpy(dtype="float64", copy=True)
    y = realised.to_numpy(dtype="float64", copy=True)
    missing = ~(np.isfinite(x) & np.isfinite(y))
    x[missing] = np.nan
    y[missing] = np.nan
    return pd.DatetimeIndex(scores.index, name="date"), x, y


def ranked(values: FloatArray) -> FloatArray:
    """Each row's ranks (ties share their average rank), NaN kept where the value is NaN."""
    return pd.DataFrame(values).rank(axis=1).to_numpy(dtype="float64")


def row_correlations(x: FloatArray, y: FloatArray) -> FloatArray:
    """Pearson correlation of each row of ``x`` with the same row of ``y`` over their known
    cells (NaN in both at the same places); NaN for a row with too few names or no spread."""
    names = np.sum(~np.isnan(x), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        dx = x - (np.nansum(x, axis=1) / names)[:, None]
        dy = y - (np.nansum(y, axis=1) / names)[:, None]
        xy = np.nansum(dx * dy, axis=1)
        xx = np.nansum(dx * dx, axis=1)
        yy = np.nansum(dy * dy, axis=1)
        judged = (names >= MIN_NAMES_PER_DAY) & (xx > 0) & (yy > 0)
        return np.where(judged, xy / np.sqrt(xx * yy), np.nan)


def daily_correlations(pred: pd.Series, label: pd.Series, *, rank: bool) -> pd.Series:
    """Per-date cross-sectional correlation of ``pred`` with ``label`` (Spearman if ``rank``),
    on the dates that have one."""
    dates, x, y = paired_wide(pred, label)
    if rank:
        x, y = ranked(x), ranked(y)
    daily = pd.Series(row_correlations(x, y), index=dates, name="rank_ic" if rank else "ic")
    return daily.dropna()


def daily_ic(pred: pd.Series, label: pd.Series) -> pd.DataFrame:
    """IC and rank IC of every date of ``pred`` (NaN where a day has none), in one pass."""
    dates, x, y = paired_wide(pred, label)
    return pd.DataFrame(
        {"ic": row_correlations(x, y), "rank_ic": row_correlations(ranked(x), ranked(y))},
        index=dates,
    )


def information_coefficient(
    pred: pd.Series, label: pd.Series, *, rank: bool = False
) -> float | None:
    """Mean daily cross-sectional correlation; None when no day has one."""
    daily = daily_correlations(pred, label, rank=rank)
    return finite_or_none(float(daily.mean())) if len(daily) else None


def hit_rate(pred: pd.Series, label: pd.Series) -> float | None:
    """Share of rows where the prediction's sign matches the realised return's sign."""
    frame = pd.DataFrame({"pred": pred, "label": label}).dropna()
    if frame.empty:
        return None
    return float((np.sign(frame["pred"]) == np.sign(frame["label"])).mean())
