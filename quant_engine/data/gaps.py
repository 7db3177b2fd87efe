"""Gaps and suspicious rows in cached daily bars, judged against the NYSE calendar.

A gap is an NYSE session missing from a ticker's bars between its first day and an end day;
holidays and weekends never count, and early-close sessions are ordinary sessions. Suspicious
rows are kept (never "fixed" silently) but reported: bars on non-session days, zero volume,
implausible close-to-close moves, and volume collapses on full sessions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quant_engine import config
from quant_engine.data.calendar import all_sessions, early_closes, missing_sessions
from quant_engine.data.providers.base import merge_bars

__all__ = ["GapRange", "Suspicious", "fill_from", "find_gaps", "gap_ranges", "suspicious_rows"]


@dataclass(frozen=True)
class GapRange:
    """A run of consecutive missing sessions (consecutive in the calendar, not in days)."""

    start: dt.date
    end: dt.date
    sessions: int


@dataclass(frozen=True)
class Suspicious:
    """A row worth a look, and why."""

    date: str
    reason: str


def find_gaps(
    index: pd.DatetimeIndex, end: object = None, known: Iterable[str] = ()
) -> pd.DatetimeIndex:
    """Sessions from the first bar to ``end`` (default: the last bar) absent from ``index``.

    ``known`` lists sessions already confirmed empty at the source (e.g. trading halts).
    """
    if len(index) == 0:
        return pd.DatetimeIndex([], name="date")
    last = index[-1] if end is None else max(pd.Timestamp(end), index[-1])  # type: ignore[arg-type]
    missing = missing_sessions(index, start=index[0], end=last)
    skip = pd.DatetimeIndex(list(known)) if known else None
    return missing if skip is None else missing[~missing.isin(skip)]


def gap_ranges(missing: pd.DatetimeIndex) -> list[GapRange]:
    """Group missing sessions into runs that are consecutive in the trading calendar."""
    if len(missing) == 0:
        return []
    position = all_sessions().searchsorted(missing)
    breaks = np.flatnonzero(np.diff(position) != 1) + 1
    return [
        GapRange(run[0].date(), run[-1].date(), len(run))
        for run in np.split(pd.DatetimeIndex(missing), breaks)
        if len(run)
    ]


def suspicious_rows(frame: pd.DataFrame) -> list[Suspicious]:
    """Rows of a cached OHLCV frame worth a look (see the module docstring), oldest first."""
    if frame.empty:
        return []
    dates = pd.DatetimeIndex(frame.index)
    not_session = ~dates.isin(all_sessions())
    volume = frame["volume"].to_numpy(dtype="float64")
    close = frame["close"].to_numpy(dtype="float64")
    move = np.zeros_like(close)
    move[1:] = np.abs(close[1:] / close[:-1] - 1.0)
    median = (
        frame["volume"].rolling(config.GAPFILL_VOLUME_WINDOW, min_periods=5).median().shift(1)
    ).to_numpy(dtype="float64")
    early = dates.isin(early_closes(dates[0], dates[-1]))
    with np.errstate(invalid="ignore"):
        low = (volume < config.GAPFILL_LOW_VOLUME_RATIO * median) & ~early & (volume > 0)
    checks = [
        ("not an NYSE session", not_session),
        ("zero volume", volume == 0),
        (f"close moved more than {config.GAPFILL_MAX_MOVE:.0%}", move > config.GAPFILL_MAX_MOVE),
        ("volume collapsed against the previous sessions", low),
    ]
    flagged = np.logical_or.reduce([mask for _, mask in checks])
    return [
        Suspicious(dates[int(i)].date().isoformat(), "; ".join(r for r, m in checks if m[i]))
        for i in np.flatnonzero(flagged)
    ]


def fill_from(
    cached: pd.DataFrame, fetched: pd.DataFrame, gaps: pd.DatetimeIndex
) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    """``cached`` plus the ``fetched`` rows that fall on gap sessions; and the dates filled.

    Fetched rows on days already cached are ignored (filling never rewrites history). When the
    cache has ``adj_close``, filled rows carry the previous row's adjustment ratio.
    """
    usable = fetched[fetched.index.isin(gaps)]
    if usable.empty:
        return cached, pd.DatetimeIndex([], name="date")
    merged = merge_bars(cached, usable[[c for c in cached.columns if c in usable.columns]])
    if "adj_close" in cached.columns:
        ratio = (merged["adj_close"] / merged["close"]).ffill().bfill()
        merged["adj_close"] = merged["adj_close"].fillna(merged["close"] * ratio)
    return merged, pd.DatetimeIndex(usable.index)
