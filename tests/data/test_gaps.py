"""Gap detection against the NYSE calendar and suspicious-row checks."""

from __future__ import annotations

import pandas as pd

from quant_engine.data.calendar import nyse_sessions
from quant_engine.data.gaps import fill_from, find_gaps, gap_ranges, suspicious_rows


def frame(days: pd.DatetimeIndex, volume: float = 1e6) -> pd.DataFrame:
    return pd.DataFrame(
        {"open": 10.0, "high": 11.0, "low": 9.0, "close": 10.0, "volume": volume, "adj_close": 5.0},
        index=days,
    )


def test_holidays_are_not_gaps_and_runs_span_them() -> None:
    sessions = nyse_sessions("2023-12-20", "2024-01-05")
    held = sessions.drop(pd.DatetimeIndex(["2023-12-29", "2024-01-02"]))
    missing = find_gaps(held)
    assert list(missing.strftime("%Y-%m-%d")) == ["2023-12-29", "2024-01-02"]
    (run,) = gap_ranges(missing)  # New Year's Day between them is a holiday: one run
    assert (str(run.start), str(run.end), run.sessions) == ("2023-12-29", "2024-01-02", 2)


def test_known_empty_sessions_and_end_date() -> None:
    held = nyse_sessions("2024-01-02", "2024-01-10").drop(pd.Timestamp("2024-01-05"))
    assert len(find_gaps(held, known=["2024-01-05"])) == 0
    assert list(find_gaps(held, end="2024-01-12").strftime("%d")) == ["05", "11", "12"]


def test_early_close_volume_is_not_suspicious_but_collapse_is() -> None:
    days = nyse_sessions("2023-10-02", "2023-11-30")
    data = frame(days)
    data.loc["2023-11-24", "volume"] = 1e3  # early close (day after Thanksgiving): exempt
    data.loc["2023-11-28", "volume"] = 1e3
    data.loc["2023-11-29", "close"] = 30.0
    reasons = {row.date: row.reason for row in suspicious_rows(data)}
    assert "2023-11-24" not in reasons
    assert "volume collapsed" in reasons["2023-11-28"]
    assert "close moved" in reasons["2023-11-29"]


def test_fill_from_adds_only_gap_sessions_and_carries_adjustment() -> None:
    held = frame(nyse_sessions("2024-01-02", "2024-01-10").drop(pd.Timestamp("2024-01-05")))
    fetched = (
        frame(pd.to_datetime(["2024-01-04", "2024-01-05", "2024-01-06"])).drop(columns="adj_close")
        * 2
    )
    merged, filled = fill_from(held, fetched, find_gaps(pd.DatetimeIndex(held.index)))
    assert list(filled.strftime("%d")) == ["05"]
    assert merged.loc["2024-01-04", "close"] == 10.0  # cached history never rewritten
    assert merged.loc["2024-01-05", "adj_close"] == 10.0  # close 20 x previous ratio 0.5
