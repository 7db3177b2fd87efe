"""NYSE trading calendar (exchange_calendars "XNYS", offline): sessions, gaps, early closes.

The calendar object and session lists are cached, and :func:`missing_sessions` is a single
vectorised membership test, so gap checks over thousands of tickers stay cheap. Dates outside
the calendar's span (``CALENDAR_START`` to about a year ahead) are unknown, not missing.
"""

from __future__ import annotations

import datetime as dt
import warnings
from functools import lru_cache
from typing import Any

import exchange_calendars as xcals
import numpy as np
import pandas as pd

from quant_engine.cli import check_date_window
from quant_engine.errors import UsageError

__all__ = ["early_closes", "is_session", "missing_sessions", "nyse_sessions"]

EXCHANGE = "XNYS"
CALENDAR_START = "1990-01-01"
"""exchange_calendars only builds ~20 years by default; ask for the span the data can need."""

NS_PER_DAY = 86_400_000_000_000
DateLike = str | dt.date | pd.Timestamp | np.datetime64


def as_day(value: DateLike) -> pd.Timestamp:
    """A tz-naive midnight Timestamp (tz-aware input is taken in UTC); bad input -> UsageError."""
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise UsageError(f"not a date: {value!r}") from None
    if pd.isna(stamp):
        raise UsageError(f"not a date: {value!r}")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.normalize().as_unit("ns")


@lru_cache(maxsize=1)
def nyse_calendar() -> Any:
    """The XNYS calendar from CALENDAR_START (built once per process)."""
    with warnings.catch_warnings():  # the library's own pandas deprecations are not ours to fix
        warnings.simplefilter("ignore", DeprecationWarning)
        return xcals.get_calendar(EXCHANGE, start=CALENDAR_START)


@lru_cache(maxsize=1)
def all_sessions() -> pd.DatetimeIndex:
    """Every session the calendar knows, as a tz-naive ns DatetimeIndex named ``date``."""
    sessions = pd.DatetimeIndex(nyse_calendar().sessions)
    return sessions.tz_localize(None).as_unit("ns").rename("date")


def calendar_span() -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day the calendar covers."""
    return as_day(CALENDAR_START), all_sessions()[-1]


@lru_cache(maxsize=256)
def session_range(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """Cached slice of :func:`all_sessions` between two normalised days, inclusive."""
    sessions = all_sessions()
    lo = int(sessions.searchsorted(start, side="left"))
    hi = int(sessions.searchsorted(end, side="right"))
    return sessions[lo:hi]


def nyse_sessions(start: DateLike, end: DateLike) -> pd.DatetimeIndex:
    """NYSE sessions from ``start`` to ``end`` inclusive (clipped to the calendar's span)."""
    first, last = as_day(start), as_day(end)
    check_date_window(first.date(), last.date(), ("start", "end"))
    return session_range(first, last)


def missing_sessions(
    index: pd.DatetimeIndex,
    start: DateLike | None = None,
    end: DateLike | None = None,
) -> pd.DatetimeIndex:
    """Sessions in ``[start, end]`` (default: the index's own span) absent from ``index``.

    Holidays and weekends are never missing: only exchange sessions are compared.
    """
    dates = pd.DatetimeIndex(index)
    if dates.tz is not None:
        dates = dates.tz_convert("UTC").tz_localize(None)
    days = np.sort(dates.as_unit("ns").asi8 // NS_PER_DAY * NS_PER_DAY)
    if start is None or end is None:
        if days.size == 0:
            raise UsageError("missing_sessions needs start and end when the index is empty")
        start = pd.Timestamp(days[0]) if start is None else start
        end = pd.Timestamp(days[-1]) if end is None else end
    sessions = nyse_sessions(start, end)
    wanted = sessions.asi8
    position = np.minimum(np.searchsorted(days, wanted), max(days.size - 1, 0))
    present = days[position] == wanted if days.size else np.zeros(wanted.size, dtype=bool)
    return sessions[~present]


def early_closes(start: DateLike, end: DateLike) -> pd.DatetimeIndex:
    """Sessions in ``[start, end]`` when the NYSE closed early (e.g. 13:00 on Christmas Eve)."""
    first, last = as_day(start), as_day(end)
    closes = pd.DatetimeIndex(nyse_calendar().early_closes).tz_localize(None).as_unit("ns")
    return closes[(closes >= first) & (closes <= last)].rename("date")


def is_session(date: DateLike) -> bool:
    """True when the NYSE was (or will be) open on ``date``; UsageError outside the calendar."""
    day = as_day(date)
    first, last = calendar_span()
    if not first <= day <= last:
        raise UsageError(
            f"{day.date()} is outside the trading calendar ({first.date()} to {last.date()})"
        )
    sessions = all_sessions()
    position = int(sessions.searchsorted(day))
    return position < len(sessions) and sessions[position] == day
