"""/api/data: sources, cached tickers and bars, read through the LocalCache."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from quant_engine import config
from quant_engine.data.local_cache import LocalCache


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


def test_unknown_ticker_is_404_listing_what_is_there(populated: Path, client: TestClient) -> None:
    response = client.get("/api/data/sample/bars/ZZZ")
    assert response.status_code == 404
    message = response.json()["error"]["message"]
    assert "'ZZZ'" in message
    assert "available: NDX, S0000, S0001, SPX" in message


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
