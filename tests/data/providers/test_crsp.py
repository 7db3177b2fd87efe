"""CRSP rows become clean split-adjusted OHLCV: midpoints flagged, gaps repaired, splits removed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from quant_engine.data.providers.crsp import (
    DAILY_COLUMNS,
    get_layout,
    to_ohlcv,
    total_return_index,
)
from quant_engine.errors import UsageError


def raw_rows(**changes: list[object]) -> pd.DataFrame:
    """Five days of one permno around a 2:1 split on the third day (factor 2 before, 1 after)."""
    base: dict[str, list[object]] = {
        "permno": [1] * 5,
        "date": [dt.date(2024, 1, d) for d in (2, 3, 4, 5, 8)],
        "open": [99.0, 101.0, 50.0, 51.0, 52.0],
        "high": [101.0, 103.0, 52.0, 52.0, 53.0],
        "low": [98.0, 100.0, 49.0, 50.0, 51.0],
        "price": [100.0, 102.0, 51.0, 51.5, 52.5],
        "volume": [1000.0, 1000.0, 2000.0, 2000.0, 2000.0],
        "ret": [-66.0, 0.02, 0.0, 51.5 / 51 - 1, 52.5 / 51.5 - 1],
        "cfacpr": [2.0, 2.0, 1.0, 1.0, 1.0],
        "cfacshr": [2.0, 2.0, 1.0, 1.0, 1.0],
        "midpoint": [False] * 5,
        "delisting_day": [False] * 5,
    }
    base.update(changes)
    return pd.DataFrame(base, columns=list(DAILY_COLUMNS))


def test_unknown_layout_lists_the_supported_ones() -> None:
    with pytest.raises(UsageError, match="dsf, dsf_v2"):
        get_layout("dsf_v3")


def test_split_is_removed_by_the_cumulative_factors() -> None:
    bars = to_ohlcv(raw_rows())
    close = bars.frame["close"].to_numpy()
    np.testing.assert_allclose(close, [50.0, 51.0, 51.0, 51.5, 52.5])
    np.testing.assert_allclose(bars.frame["volume"].to_numpy(), [2000.0] * 5)
    assert bars.repaired_dates == []
    assert bars.midpoint_dates == []


def test_negative_price_is_a_flagged_midpoint() -> None:
    bars = to_ohlcv(raw_rows(price=[100.0, -102.0, 51.0, 51.5, 52.5]))
    assert bars.frame["close"].iloc[1] == pytest.approx(51.0)
    assert bars.midpoint_dates == ["2024-01-03"]


def test_rows_without_price_are_dropped_and_listed() -> None:
    bars = to_ohlcv(raw_rows(price=[100.0, 0.0, None, 51.5, 52.5]))
    assert bars.no_price_dates == ["2024-01-03", "2024-01-04"]
    assert len(bars.frame) == 3


def test_missing_open_and_inconsistent_high_are_repaired_and_flagged() -> None:
    bars = to_ohlcv(
        raw_rows(open=[None, 101.0, 50.0, 51.0, 52.0], high=[101.0, 101.5, 52.0, 52.0, 53.0])
    )
    frame = bars.frame
    assert frame["open"].iloc[0] == pytest.approx(50.0)  # the close, adjusted
    assert frame["high"].iloc[1] == pytest.approx(51.0)  # widened to the close
    assert bars.repaired_dates == ["2024-01-02", "2024-01-03"]


def test_total_return_index_uses_ret_and_honours_an_anchor() -> None:
    frame = to_ohlcv(raw_rows(ret=[-66.0, 0.02, 0.01, None, 0.0])).frame
    plain = total_return_index(frame)
    assert plain.iloc[0] == pytest.approx(50.0)  # starts at the first close
    assert plain.iloc[2] / plain.iloc[1] == pytest.approx(1.01)  # ret includes a dividend
    assert plain.iloc[3] / plain.iloc[2] == pytest.approx(51.5 / 51.0)  # missing ret: price
    anchored = total_return_index(frame, (dt.date(2024, 1, 4), 10.0))
    assert anchored.iloc[2] == pytest.approx(10.0)
    with pytest.raises(ValueError, match="anchor date"):
        total_return_index(frame, (dt.date(2030, 1, 1), 1.0))
