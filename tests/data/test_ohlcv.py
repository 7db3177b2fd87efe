"""normalize_ohlcv_columns: many spellings in, one canonical frame out, bad rows reported."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from quant_engine.data.ohlcv import CANONICAL_COLUMNS, normalize_ohlcv_columns, validate_ohlcv
from quant_engine.errors import OHLCVValidationError


def bars(n: int = 4, start: str = "2018-01-02") -> pd.DataFrame:
    """A valid canonical frame with ``n`` business days."""
    close = 100.0 + np.arange(n, dtype=float)
    return pd.DataFrame(
        {
            "open": close - 0.5,
            "high": close + 1.0,
            "low": close - 1.0,
            "close": close,
            "volume": np.full(n, 1000.0),
        },
        index=pd.DatetimeIndex(pd.bdate_range(start, periods=n), name="date"),
    )


def test_yahoo_style_spelling_becomes_canonical() -> None:
    raw = bars().rename(
        columns={"open": "Open", "high": "HIGH", "low": "Low", "close": "Close", "volume": "Vol"}
    )
    raw["Adj Close"] = raw["Close"] * 0.9
    raw = raw.rename_axis("Date").reset_index()
    out = normalize_ohlcv_columns(raw)
    assert list(out.columns) == list(CANONICAL_COLUMNS)
    assert out.index.name == "date"
    assert isinstance(out.index, pd.DatetimeIndex)
    assert all(dtype == np.float64 for dtype in out.dtypes)
    assert out["adj_close"].iloc[0] == pytest.approx(90.0)
    assert out.attrs["rejected_rows"] == []


@pytest.mark.parametrize(
    ("adj", "vol", "date"),
    [
        ("adjclose", "Volume", "timestamp"),
        ("Adj_Close", "VOLUME", "Datetime"),
        ("adj close", "v", "date"),
    ],
)
def test_other_spellings_are_accepted(adj: str, vol: str, date: str) -> None:
    raw = bars().rename(columns={"volume": vol})
    raw[adj] = raw["close"]
    raw = raw.rename_axis(date).reset_index()
    out = normalize_ohlcv_columns(raw, strict=True)
    assert set(out.columns) == set(CANONICAL_COLUMNS)
    assert len(out) == 4


def test_tz_aware_timestamps_become_naive_utc_midnight_dates() -> None:
    raw = bars(3)
    raw.index = pd.DatetimeIndex(
        ["2018-01-02 16:00", "2018-01-03 16:00", "2018-01-04 16:00"], name="timestamp"
    ).tz_localize("America/New_York")
    out = normalize_ohlcv_columns(raw)
    assert out.index.tz is None
    assert list(out.index.strftime("%Y-%m-%d %H:%M")) == [
        "2018-01-02 00:00",
        "2018-01-03 00:00",
        "2018-01-04 00:00",
    ]


def test_missing_column_is_named() -> None:
    with pytest.raises(OHLCVValidationError, match="'volume'"):
        normalize_ohlcv_columns(bars().drop(columns="volume"), name="AAPL")


def test_missing_dates_are_named() -> None:
    with pytest.raises(OHLCVValidationError, match="'date'"):
        normalize_ohlcv_columns(bars().reset_index(drop=True))


def test_two_spellings_of_one_column_are_refused() -> None:
    raw = bars().assign(Close=lambda f: f["close"])
    with pytest.raises(OHLCVValidationError, match="both mean 'close'"):
        normalize_ohlcv_columns(raw)


def test_high_below_low_is_dropped_logged_and_recorded(caplog: pytest.LogCaptureFixture) -> None:
    raw = bars()
    raw.loc["2018-01-03", ["high", "low"]] = [90.0, 110.0]
    with caplog.at_level(logging.WARNING, logger="quant_engine.data"):
        out = normalize_ohlcv_columns(raw, name="AAPL")
    assert pd.Timestamp("2018-01-03") not in out.index
    assert len(out) == 3
    assert out.attrs["rejected_rows"][0]["date"] == "2018-01-03"
    assert "high < low" in out.attrs["rejected_rows"][0]["reason"]
    assert "AAPL" in caplog.text
    assert "2018-01-03" in caplog.text


def test_negative_price_and_nan_close_are_rejected() -> None:
    raw = bars()
    raw.loc["2018-01-02", "open"] = -1.0
    raw.loc["2018-01-04", "close"] = np.nan
    out = normalize_ohlcv_columns(raw)
    reasons = {r["date"]: r["reason"] for r in out.attrs["rejected_rows"]}
    assert set(reasons) == {"2018-01-02", "2018-01-04"}
    assert "price" in reasons["2018-01-02"]
    assert "close is NaN" in reasons["2018-01-04"]
    assert list(out.index.strftime("%Y-%m-%d")) == ["2018-01-03", "2018-01-05"]


def test_negative_volume_is_rejected() -> None:
    raw = bars()
    raw.loc["2018-01-05", "volume"] = -5.0
    out = normalize_ohlcv_columns(raw)
    assert out.attrs["rejected_rows"] == [{"date": "2018-01-05", "reason": "volume missing or < 0"}]


def test_strict_raises_naming_dates_and_reasons() -> None:
    raw = bars()
    raw.loc["2018-01-03", "high"] = 50.0
    with pytest.raises(OHLCVValidationError, match=r"AAPL.*2018-01-03 \(high < low"):
        normalize_ohlcv_columns(raw, strict=True, name="AAPL")


def test_duplicates_keep_the_last_row_and_are_reported() -> None:
    raw = bars(3)
    later = raw.iloc[[1]].assign(close=101.5)
    out = normalize_ohlcv_columns(pd.concat([raw, later]))
    assert out.index.is_unique
    assert out.loc["2018-01-03", "close"] == 101.5
    assert out.attrs["rejected_rows"] == [
        {"date": "2018-01-03", "reason": "duplicate date (kept the last row)"}
    ]


def test_unsorted_input_is_sorted() -> None:
    out = normalize_ohlcv_columns(bars().iloc[::-1])
    assert out.index.is_monotonic_increasing


def test_tiny_rounding_slack_is_tolerated_but_real_breaks_are_not() -> None:
    raw = bars(2)
    raw.loc["2018-01-02", "high"] = raw.loc["2018-01-02", "close"] * (1 - 1e-9)
    raw.loc["2018-01-03", "high"] = raw.loc["2018-01-03", "close"] * (1 - 1e-3)
    out = normalize_ohlcv_columns(raw)
    assert [r["date"] for r in out.attrs["rejected_rows"]] == ["2018-01-03"]


def test_unparseable_dates_and_text_prices_are_rejected() -> None:
    raw = bars(3).reset_index()
    raw["date"] = raw["date"].astype(str)
    raw.loc[0, "date"] = "not a date"
    raw["close"] = raw["close"].astype(object)
    raw.loc[2, "close"] = "n/a"
    out = normalize_ohlcv_columns(raw)
    reasons = [r["reason"] for r in out.attrs["rejected_rows"]]
    assert "unparseable date" in reasons[0]
    assert "close is NaN" in reasons[1]
    assert len(out) == 1


def test_validate_lists_every_broken_rule_of_a_row() -> None:
    raw = bars(1)
    raw.iloc[0] = [10.0, 5.0, 8.0, 9.0, -1.0]
    (rejection,) = validate_ohlcv(raw)
    assert "high < low" in rejection.reason
    assert "high < max(open, close)" in rejection.reason
    assert "volume" in rejection.reason
    assert validate_ohlcv(bars()) == []
