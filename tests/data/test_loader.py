"""load_universe: fills the sample cache once, reads any source's cache, and cuts the window."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import numpy as np
import pandas as pd
import pytest

from quant_engine import layout
from quant_engine.data import loader
from quant_engine.data.loader import load_universe
from quant_engine.data.local_cache import LocalCache
from quant_engine.data.providers import sample
from quant_engine.errors import UnknownTickerError, UsageError


def bars(start: str, n: int) -> pd.DataFrame:
    close = np.linspace(10.0, 20.0, n)
    return pd.DataFrame(
        {"open": close, "high": close, "low": close, "close": close, "volume": np.ones(n)},
        index=pd.bdate_range(start, periods=n, name="date"),
    )


def test_sample_load_fills_the_cache_and_records_provenance() -> None:
    data = load_universe(["SPX", "S0001"], 2)
    assert data.source == "sample"
    assert data.tickers == ("SPX", "S0001")
    assert data.end == pd.Timestamp("2018-12-31")
    assert data.start == pd.Timestamp("2017-01-03")
    cached = layout.cache_dir("sample") / "SPX.parquet"
    assert cached.is_file()
    record = data.inputs[0]
    assert record.path == "cache/sample/SPX.parquet"
    assert record.sha256 == hashlib.sha256(cached.read_bytes()).hexdigest()
    assert record.rows == len(data.bars["SPX"])
    assert (record.first, record.last) == ("2017-01-03", "2018-12-31")


def test_second_load_reads_the_warm_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_universe(["S0002"], 3)

    def no_generation(tickers: object) -> None:
        raise AssertionError("the warm cache must not be regenerated")

    monkeypatch.setattr(sample, "fetch_many", no_generation)
    second = load_universe(["S0002"], 3)
    assert second.digest == first.digest
    pd.testing.assert_frame_equal(second.bars["S0002"], first.bars["S0002"])


@pytest.mark.parametrize(("years", "first"), [(1, "2018-01-02"), (5, "2013-12-31")])
def test_years_window_counts_back_from_the_latest_date(years: int, first: str) -> None:
    """The window is [end - years, end], both ends inclusive (2013-12-31 was a session)."""
    data = load_universe(["SPX"], years)
    assert data.start == pd.Timestamp(first)
    assert data.end == pd.Timestamp("2018-12-31")


def test_explicit_start_overrides_years_and_end_cuts_the_tail() -> None:
    data = load_universe(["SPX"], 1, start=dt.date(2010, 3, 1), end=dt.date(2010, 3, 31))
    assert data.start == pd.Timestamp("2010-03-01")
    assert data.end == pd.Timestamp("2010-03-31")
    assert data.rows == 23


def test_end_alone_counts_years_back_from_it() -> None:
    data = load_universe(["SPX"], 1, end=dt.date(2008, 12, 31))
    assert data.start == pd.Timestamp("2007-12-31")
    assert data.end == pd.Timestamp("2008-12-31")


def test_start_after_end_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="after"):
        load_universe(["SPX"], 1, start=dt.date(2018, 2, 1), end=dt.date(2018, 1, 1))
    with pytest.raises(UsageError, match=r"after the latest data \(2018-12-31\)"):
        load_universe(["SPX"], 1, start=dt.date(2030, 1, 1))


def test_bad_years_or_no_tickers_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="years"):
        load_universe(["SPX"], 0)
    with pytest.raises(UsageError, match="no tickers"):
        load_universe([], 1)


def test_unknown_sample_ticker_lists_what_is_available() -> None:
    with pytest.raises(UnknownTickerError, match=r"'AAPL'.*available: SPX, COMP, S0000.*more"):
        load_universe(["SPX", "AAPL"], 1)


def test_unknown_source_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown data source 'bloomberg'"):
        load_universe(["SPX"], 1, source="bloomberg")


def test_empty_source_names_the_command_that_fills_it() -> None:
    with pytest.raises(UsageError, match="no cached data for source 'wrds': run qe-wrds-refresh"):
        load_universe(["AAPL"], 1, source="wrds")


def test_other_sources_read_only_what_is_cached() -> None:
    LocalCache().write("ibkr", "AAPL", bars("2020-01-01", 300))
    data = load_universe(["AAPL"], 1, source="ibkr")
    assert data.source == "ibkr"
    assert data.inputs[0].path == "cache/ibkr/AAPL.parquet"
    assert data.end == pd.Timestamp("2021-02-23")
    with pytest.raises(UnknownTickerError, match="available: AAPL"):
        load_universe(["MSFT"], 1, source="ibkr")


def test_ticker_without_rows_in_the_window_is_dropped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = LocalCache()
    cache.write("ibkr", "OLD", bars("2000-01-03", 50))
    cache.write("ibkr", "NEW", bars("2020-01-01", 50))
    with caplog.at_level(logging.WARNING, logger="quant_engine.data"):
        data = load_universe(["OLD", "NEW"], 1, source="ibkr")
    assert data.tickers == ("NEW",)
    assert data.dropped == ("OLD",)
    assert "OLD" in caplog.text
    with pytest.raises(UsageError, match="no data for any requested ticker"):
        load_universe(
            ["OLD"], 1, source="ibkr", start=dt.date(2001, 1, 1), end=dt.date(2001, 12, 31)
        )


def test_a_cached_delisting_return_is_read_for_a_name_that_ended() -> None:
    cache = LocalCache()
    delisting = {"date": "2020-03-11", "code": "500", "ret": -0.3}
    cache.write("wrds", "GONE", bars("2020-01-01", 50), meta={"delisting": delisting})
    cache.write("wrds", "LIVE", bars("2020-01-01", 80))
    cache.write("wrds", "NONE", bars("2020-01-01", 50), meta={"delisting": {"ret": None}})
    data = load_universe(["GONE", "LIVE", "NONE"], 1, source="wrds")
    assert data.delisting_returns == {"GONE": -0.3}
    # a window that ends before the delisting does not see it
    early = load_universe(["GONE", "LIVE"], 1, source="wrds", end=dt.date(2020, 2, 14))
    assert early.delisting_returns == {}


def test_zero_volume_bars_are_flagged_with_ticker_and_date(
    caplog: pytest.LogCaptureFixture,
) -> None:
    frame = bars("2020-01-01", 50)
    frame.iloc[10, frame.columns.get_loc("volume")] = 0.0
    LocalCache().write("ibkr", "THIN", frame)
    with caplog.at_level(logging.WARNING, logger="quant_engine.data"):
        data = load_universe(["THIN"], 1, source="ibkr")
    assert data.bars["THIN"]["volume"].iloc[10] == 0.0  # kept, never silently changed
    assert "THIN: 1 bar(s) with zero volume (2020-01-15)" in caplog.text


def test_duplicate_tickers_load_once() -> None:
    data = load_universe(["SPX", "SPX"], 1)
    assert data.tickers == ("SPX",)
    assert len(data.inputs) == 1


def test_many_tickers_are_read_in_parallel_in_order() -> None:
    tickers = [f"S{i:04d}" for i in range(12, 0, -1)]
    data = load_universe(tickers, 1)
    assert list(data.tickers) == [t for t in tickers if t in data.bars]
    assert [r.ticker for r in data.inputs] == list(data.tickers)
    assert loader.pool_size(500) >= 1


def test_progress_counts_the_cache_fill_then_the_reads_up_to_the_total() -> None:
    seen: list[tuple[int, int]] = []
    load_universe(["S0001", "S0002", "S0003"], 2, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 6)  # three tickers generated into the cache, then three read
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1] == (6, 6)
    warm: list[tuple[int, int]] = []
    load_universe(["S0001", "S0002", "S0003"], 2, progress=lambda d, t: warm.append((d, t)))
    assert warm == [(0, 3), (1, 3), (2, 3), (3, 3)]
