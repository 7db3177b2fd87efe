"""The IBKR source with a stand-in ``IB`` object: pacing, chunked requests, bar conversion."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from quant_engine.data.providers.base import RateLimiter
from quant_engine.data.providers.ibkr import IbkrSource, bar_size, date_chunks
from quant_engine.errors import UsageError


class FakeIB:
    """Answers reqHistoricalData with one daily bar per weekday of the requested duration."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def qualifyContracts(self, contract: Any) -> list[Any]:
        return [] if contract.symbol == "NOPE" else [contract]

    def reqHistoricalData(self, contract: Any, **kw: Any) -> list[Any]:
        self.requests.append(kw)
        end = kw["endDateTime"].date()
        days = int(kw["durationStr"].split()[0])
        dates = pd.bdate_range(end - dt.timedelta(days=days - 1), end)
        return [
            SimpleNamespace(date=d.date(), open=1.0, high=2.0, low=0.5, close=1.5, volume=10)
            for d in dates
        ]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def source(ib: FakeIB, clock: Clock | None = None, limit: int = 60) -> IbkrSource:
    tick = clock or Clock()
    limiter = RateLimiter(limit, 600.0, clock=lambda: tick.now, sleep=tick.sleep)
    return IbkrSource(ib, limiter=limiter, contract=lambda t: SimpleNamespace(symbol=t))


def test_long_ranges_are_split_and_clipped() -> None:
    ib = FakeIB()
    frame = source(ib).fetch_daily("AAA", dt.date(2022, 1, 3), dt.date(2023, 6, 30))
    assert len(ib.requests) == 2  # 365 days, then the rest
    assert ib.requests[0]["barSizeSetting"] == "1 day"
    assert ib.requests[0]["whatToShow"] == "TRADES"
    assert pd.Timestamp(frame["date"].min()) == pd.Timestamp("2022-01-03")
    assert pd.Timestamp(frame["date"].max()) == pd.Timestamp("2023-06-30")
    assert frame["date"].is_unique


def test_requests_wait_for_the_pacing_window() -> None:
    clock = Clock()
    ibkr = source(FakeIB(), clock, limit=3)
    for day in (3, 4, 5, 8, 9, 10):  # plus one request qualifying the contract: 7 in all
        ibkr.fetch_daily("AAA", dt.date(2024, 1, day), dt.date(2024, 1, day))
    assert clock.slept == [600.0, 600.0]  # the 4th and the 7th wait for the window


def test_unknown_ticker_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="NOPE"):
        source(FakeIB()).fetch_daily("NOPE", dt.date(2024, 1, 2), dt.date(2024, 1, 3))


def test_helpers() -> None:
    assert [bar_size(m) for m in (1, 5, 60)] == ["1 min", "5 mins", "1 hour"]
    chunks = list(date_chunks(dt.date(2024, 1, 1), dt.date(2024, 1, 10), 4))
    assert chunks[-1] == (dt.date(2024, 1, 9), dt.date(2024, 1, 10))
    assert len(chunks) == 3
