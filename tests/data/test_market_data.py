"""MarketData: wide fields aligned on the union of sessions, and a digest of the inputs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from quant_engine.data.market_data import InputRecord, MarketData


def frame(dates: list[str], close: float) -> pd.DataFrame:
    index = pd.DatetimeIndex(dates, name="date")
    values = np.full(len(dates), close)
    return pd.DataFrame(
        {"open": values, "high": values, "low": values, "close": values, "volume": values},
        index=index,
    )


def record(ticker: str, sha: str) -> InputRecord:
    return InputRecord(ticker, "sample", f"cache/sample/{ticker}.parquet", 2, "", "", sha)


def sample() -> MarketData:
    bars = {
        "BBB": frame(["2018-01-02", "2018-01-03"], 10.0),
        "AAA": frame(["2018-01-03", "2018-01-04"], 20.0),
    }
    return MarketData(bars, "sample", (record("BBB", "b" * 64), record("AAA", "a" * 64)))


def test_field_is_dates_by_tickers_with_nan_where_a_ticker_has_no_bar() -> None:
    close = sample().field("close")
    assert list(close.columns) == ["BBB", "AAA"]
    assert list(close.index.strftime("%Y-%m-%d")) == ["2018-01-02", "2018-01-03", "2018-01-04"]
    assert np.isnan(close.loc["2018-01-02", "AAA"])
    assert close.loc["2018-01-04", "AAA"] == 20.0


def test_summary_properties() -> None:
    data = sample()
    assert data.tickers == ("BBB", "AAA")
    assert data.rows == 4
    assert data.start == pd.Timestamp("2018-01-02")
    assert data.end == pd.Timestamp("2018-01-04")


def test_digest_ignores_input_order_but_follows_content() -> None:
    data = sample()
    reordered = dataclasses.replace(data, inputs=tuple(reversed(data.inputs)))
    assert reordered.digest == data.digest
    changed = dataclasses.replace(data, inputs=(record("BBB", "c" * 64), record("AAA", "a" * 64)))
    assert changed.digest != data.digest
