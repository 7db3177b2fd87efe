"""The Kalshi pipeline end to end on a loopback server: historical split, tables, features."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer

from quant_engine import layout
from quant_engine.data.events import read_event_features
from quant_engine.errors import DataError
from quant_engine.kalshi.client import KalshiClient
from quant_engine.pipelines.kalshi_events import SeriesData, fetch_series, write_series
from tests.kalshi.kalshi_fixture import EVENTS, PREFIX, SERIES, expected_value, serve_kalshi

START, END = dt.date(2024, 1, 2), dt.date(2024, 3, 29)
EV = f"kalshi_{SERIES.lower()}_ev"


def fetch(base: str) -> SeriesData:
    with KalshiClient(base, sleep=lambda _s: None) as client:
        return fetch_series(client, SERIES, START, END, client.cutoff())


def close_utc(day: str) -> int:
    return int(pd.Timestamp(f"{day} 16:00", tz="America/New_York").timestamp())


def test_series_tables_cover_live_and_historical_markets(httpserver: HTTPServer) -> None:
    data = fetch(serve_kalshi(httpserver))
    assert list(data.events["event_ticker"]) == ["KXFED-24JAN", "KXFED-24MAR"]  # 23DEC too old
    historical = data.markets.set_index("ticker")["historical"]
    assert historical["KXFED-24JAN-T5.00"]
    assert not historical["KXFED-24MAR-T5.00"]
    assert len(data.markets) == 6
    assert data.candles["end_ts"].dt.tz is not None
    assert data.candles[["bid", "ask", "price"]].max().max() <= 1.0
    paths = {request.path for request, _ in httpserver.log}
    assert f"{PREFIX}/historical/markets/KXFED-24JAN-B5.125/candlesticks" in paths
    assert not any("KXFED-23DEC" in p for p in paths if "candlesticks" in p)


def test_features_follow_the_next_event_with_no_look_ahead(httpserver: HTTPServer) -> None:
    features = fetch(serve_kalshi(httpserver)).features
    assert features.index[0] == pd.Timestamp("2024-01-02")
    jan, mar = EVENTS[1], EVENTS[2]
    assert features.loc["2024-01-10", EV] == pytest.approx(
        expected_value(jan, close_utc("2024-01-10")), abs=2e-3
    )
    # on 2024-01-31 the January decision (19:00 UTC) came before the close: March is next
    assert features.loc["2024-01-31", EV] == pytest.approx(
        expected_value(mar, close_utc("2024-01-31")), abs=2e-3
    )
    to_event = features[f"kalshi_{SERIES.lower()}_sessions_to_event"]
    assert to_event["2024-01-30"] == 1
    assert to_event["2024-03-19"] == 1
    assert features.loc["2024-03-21":, EV].isna().all()  # nothing left to resolve
    change = features[f"kalshi_{SERIES.lower()}_ev_change_5s"]
    assert change["2024-01-03":"2024-01-08"].isna().all()  # fewer than 5 sessions of history
    assert (change["2024-01-10":"2024-01-29"] < 0).all()  # the lower bucket keeps gaining


def test_write_and_load_round_trip(httpserver: HTTPServer) -> None:
    data = fetch(serve_kalshi(httpserver))
    files = write_series(data, "run-1")
    root = layout.kalshi_cache_dir()
    assert all(path.is_relative_to(root) for path in files.values())
    raw = json.loads(files[f"{SERIES}:raw"].read_text())
    assert raw[0]["path"] == "events"
    loaded, records = read_event_features(data.features.index[0], data.features.index[-1])
    assert loaded is not None
    assert [r.ticker for r in records] == [SERIES]
    pd.testing.assert_frame_equal(loaded, data.features.astype("float64"), check_freq=False)


def test_malformed_candles_fail_and_write_nothing(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request(
        f"{PREFIX}/series/{SERIES}/markets/KXFED-24MAR-T5.25/candlesticks"
    ).respond_with_json({"candlesticks": [{"end_period_ts": "soon"}]})
    base = serve_kalshi(httpserver)
    with pytest.raises(DataError, match="candlesticks: malformed response"):
        fetch(base)
    assert not layout.kalshi_cache_dir().exists()
