"""/api/data: sources, cached tickers and bars, read through the LocalCache."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from quant_engine import config
from quant_engine.data.local_cache import LocalCache, meta_path_for


def test_sources_are_the_configured_ones(populated: Path, client: TestClient) -> None:
    sources = client.get("/api/data/sources").json()["data"]
    assert [s["name"] for s in sources] == list(config.DATA_SOURCES)
    by_name = {s["name"]: s for s in sources}
    assert by_name["sample"]["available"] is True
    assert by_name["sample"]["kind"] == "embedded"
    assert by_name["wrds"]["available"] is False  # nothing cached for it


def test_tickers_of_a_source(populated: Path, client: TestClient) -> None:
    tickers = client.get("/api/data/sample/tickers").json()["data"]
    assert [t["ticker"] for t in tickers] == list(LocalCache().tickers("sample"))
    by_name = {t["ticker"]: t for t in tickers}
    assert by_name["SPX"]["synthetic"] is False
    assert by_name["S0000"]["synthetic"] is True
    assert by_name["SPX"]["last_date"] == config.SAMPLE_END
    assert by_name["SPX"]["n_bars"] == LocalCache().read_meta("sample", "SPX").rows


def test_one_ticker_has_its_last_close(populated: Path, client: TestClient) -> None:
    data = client.get("/api/data/sample/tickers/spx").json()["data"]
    frame, _ = LocalCache().read("sample", "SPX")
    assert data["ticker"] == "SPX"
    assert data["last_close"] == float(frame["close"].iloc[-1])


def test_bars_in_an_inclusive_date_range(populated: Path, client: TestClient) -> None:
    params = {"start": "2018-12-24", "end": "2018-12-28"}
    data = client.get("/api/data/sample/bars/SPX", params=params).json()["data"]
    dates = [bar["date"] for bar in data["bars"]]
    assert dates == ["2018-12-24", "2018-12-26", "2018-12-27", "2018-12-28"]
    frame, meta = LocalCache().read("sample", "SPX")
    assert data["bars"][-1]["close"] == float(frame.loc["2018-12-28", "close"])
    assert data["data_digest"] == meta.sha256


def test_limit_keeps_the_newest_bars_oldest_first(populated: Path, client: TestClient) -> None:
    data = client.get("/api/data/sample/bars/SPX", params={"limit": 3}).json()["data"]
    assert [bar["date"] for bar in data["bars"]] == ["2018-12-27", "2018-12-28", "2018-12-31"]
    params = {"end": "2018-12-28", "limit": 2}
    data = client.get("/api/data/sample/bars/SPX", params=params).json()["data"]
    assert [bar["date"] for bar in data["bars"]] == ["2018-12-27", "2018-12-28"]
    assert client.get("/api/data/sample/bars/SPX", params={"limit": 0}).status_code == 422


def test_limit_is_documented(client: TestClient) -> None:
    operation = client.get("/api/openapi.json").json()["paths"]["/api/data/{source}/bars/{ticker}"]
    (limit,) = (p for p in operation["get"]["parameters"] if p["name"] == "limit")
    assert "newest" in limit["description"]


def test_unknown_ticker_is_404_listing_what_is_there(populated: Path, client: TestClient) -> None:
    response = client.get("/api/data/sample/bars/ZZZ")
    assert response.status_code == 404
    message = response.json()["error"]["message"]
    assert "'ZZZ'" in message
    assert "available: COMP, S0000, S0001, SPX" in message


def test_bad_inputs_are_400_or_422(populated: Path, client: TestClient) -> None:
    cases = {
        "/api/data/nasdaq/tickers": (422, "path.source"),
        "/api/data/sample/bars/SPX?start=2018-12-28&end=2018-12-01": (400, "is after end"),
        "/api/data/sample/bars/A$B": (422, "path.ticker"),
        "/api/data/sample/bars/SPX?start=yesterday": (422, "query.start"),
    }
    for url, (status, text) in cases.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert text in response.json()["error"]["message"], url


def wrds_cache_with_strays() -> LocalCache:
    """A fresh wrds cache of AAPL and MSFT plus files that are not cached tickers."""
    store = LocalCache()
    days = pd.bdate_range("2024-01-01", periods=5, name="date")
    frame = pd.DataFrame(
        {"open": 10.0, "high": 11.0, "low": 9.0, "close": 10.5, "volume": 100.0}, index=days
    )
    for ticker in ("AAPL", "MSFT"):
        store.write("wrds", ticker, frame)
    folder = store.source_dir("wrds")
    (folder / "..evil.parquet").write_bytes(b"x")
    (folder / "notes.txt").write_text("my notes")
    return store


def test_stray_files_do_not_hide_the_good_tickers(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    wrds_cache_with_strays()
    response = client.get("/api/data/wrds/tickers")
    assert response.status_code == 200
    assert [t["ticker"] for t in response.json()["data"]] == ["AAPL", "MSFT"]
    assert "..evil.parquet" in caplog.text
    assert "notes.txt" in caplog.text


def test_a_damaged_ticker_is_left_out_of_the_list_and_named_when_asked_for(
    client: TestClient,
) -> None:
    store = wrds_cache_with_strays()
    store.path_for("wrds", "MSFT").write_bytes(b"not parquet")
    assert [t["ticker"] for t in client.get("/api/data/wrds/tickers").json()["data"]] == ["AAPL"]
    response = client.get("/api/data/wrds/bars/MSFT")
    assert response.status_code == 500
    assert "MSFT.parquet" in response.json()["error"]["message"]


def test_bars_during_a_crash_between_the_two_writes_are_the_new_pair(
    client: TestClient,
) -> None:
    store = wrds_cache_with_strays()
    sidecar = meta_path_for(store.path_for("wrds", "AAPL"))
    old = sidecar.read_bytes()
    days = pd.bdate_range("2024-01-01", periods=8, name="date")
    store.write(
        "wrds",
        "AAPL",
        pd.DataFrame(
            {"close": 20.0, "open": 20.0, "high": 21.0, "low": 19.0, "volume": 1.0}, index=days
        ),
    )
    sidecar.write_bytes(old)  # the writer was killed before its sidecar rename
    response = client.get("/api/data/wrds/bars/AAPL")
    assert response.status_code == 200
    data = response.json()["data"]
    assert len(data["bars"]) == 8
    assert (
        data["data_digest"]
        == hashlib.sha256(store.path_for("wrds", "AAPL").read_bytes()).hexdigest()
    )
