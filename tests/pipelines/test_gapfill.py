"""The gap-fill pipeline over a cache folder that holds more than cached tickers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from quant_engine.data import LocalCache
from quant_engine.data.calendar import nyse_sessions
from quant_engine.pipelines.gapfill import GapfillRequest, gapfill

HOLE = pd.Timestamp("2024-01-10")


def bars(days: pd.DatetimeIndex) -> pd.DataFrame:
    return pd.DataFrame(
        {"open": 10.0, "high": 11.0, "low": 9.0, "close": 10.5, "volume": 1e6},
        index=pd.DatetimeIndex(days, name="date"),
    )


class EveryDay:
    """A bars source with a bar for every calendar day asked."""

    name = "everyday"

    def fetch_daily(self, ticker: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        return bars(pd.date_range(start, end, freq="D"))


def test_stray_files_are_skipped_and_the_gap_fill_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = LocalCache()
    sessions = nyse_sessions("2024-01-02", "2024-01-31")
    store.write("ibkr", "AAA", bars(sessions[sessions != HOLE]))
    folder = store.source_dir("ibkr")
    (folder / "..evil.parquet").write_bytes(b"x")
    (folder / "notes.txt").write_text("my notes")
    (report,) = gapfill(GapfillRequest("ibkr", "ibkr"), EveryDay(), store)
    assert (report.ticker, report.filled) == ("AAA", 1)
    assert HOLE in store.read("ibkr", "AAA")[0].index
    assert "..evil.parquet" in caplog.text
    assert "notes.txt" in caplog.text
