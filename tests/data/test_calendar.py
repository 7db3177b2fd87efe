"""NYSE calendar: sessions skip holidays (including one-off closures), gaps are real sessions."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from quant_engine.data.calendar import early_closes, is_session, missing_sessions, nyse_sessions
from quant_engine.errors import UsageError


def days(index: pd.DatetimeIndex) -> list[str]:
    return list(index.strftime("%Y-%m-%d"))


def test_december_2018_sessions_skip_christmas_and_the_bush_funeral() -> None:
    sessions = nyse_sessions("2018-12-01", dt.date(2018, 12, 31))
    assert "2018-12-25" not in days(sessions)
    assert "2018-12-05" not in days(sessions)
    assert "2018-12-24" in days(sessions)
    assert len(sessions) == 19
    assert sessions.name == "date"
    assert sessions.tz is None


def test_full_index_has_no_missing_sessions() -> None:
    sessions = nyse_sessions("2018-01-01", "2018-12-31")
    assert days(missing_sessions(sessions)) == []


def test_removed_session_is_detected_and_holidays_never_count() -> None:
    sessions = nyse_sessions("2018-12-01", "2018-12-31")
    gappy = sessions[sessions != pd.Timestamp("2018-12-12")]
    assert days(missing_sessions(gappy)) == ["2018-12-12"]


def test_weekday_calendar_index_reports_nothing_for_holidays() -> None:
    weekdays = pd.bdate_range("2018-12-03", "2018-12-31")
    assert days(missing_sessions(weekdays)) == []


def test_explicit_window_reports_leading_and_trailing_gaps() -> None:
    index = pd.DatetimeIndex(["2018-12-06", "2018-12-07"])
    missing = missing_sessions(index, start="2018-12-03", end="2018-12-11")
    assert days(missing) == ["2018-12-03", "2018-12-04", "2018-12-10", "2018-12-11"]


def test_unsorted_tz_aware_intraday_stamps_count_as_their_utc_day() -> None:
    index = pd.DatetimeIndex(["2018-12-04 15:00", "2018-12-03 10:00"]).tz_localize("UTC")
    assert days(missing_sessions(index, end="2018-12-06")) == ["2018-12-06"]


def test_empty_index_needs_a_window() -> None:
    with pytest.raises(UsageError, match="start and end"):
        missing_sessions(pd.DatetimeIndex([]))
    assert len(missing_sessions(pd.DatetimeIndex([]), "2018-12-03", "2018-12-07")) == 4


def test_early_closes_of_2018() -> None:
    assert days(early_closes("2018-01-01", "2018-12-31")) == [
        "2018-07-03",
        "2018-11-23",
        "2018-12-24",
    ]


def test_is_session() -> None:
    assert is_session("2018-12-24")
    assert not is_session(dt.date(2018, 12, 25))
    assert not is_session("2018-12-05")
    assert not is_session(pd.Timestamp("2018-12-08"))


def test_bad_inputs_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="after"):
        nyse_sessions("2018-12-31", "2018-01-01")
    with pytest.raises(UsageError, match="not a date"):
        nyse_sessions("yesterday-ish", "2018-01-01")
    with pytest.raises(UsageError, match="outside the trading calendar"):
        is_session("1950-06-01")
