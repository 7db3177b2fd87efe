"""The Alpaca client against a real loopback HTTP server: page tokens, retries, credentials."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from quant_engine.data.providers.alpaca import AlpacaSource, timeframe
from quant_engine.errors import MissingCredentialError, UsageError

KEY, SECRET = "AKTESTKEY", "very-secret-value"


def bar(stamp: str, close: float) -> dict[str, Any]:
    return {"t": stamp, "o": close, "h": close + 1, "l": close - 1, "c": close, "v": 100, "n": 5}


def paged_bars(request: Request) -> Response:
    assert request.headers["APCA-API-KEY-ID"] == KEY
    token = request.args.get("page_token")
    if token is None:
        body = {"bars": [bar("2024-01-02T05:00:00Z", 10.0)], "next_page_token": "abc"}
    else:
        assert token == "abc"
        body = {"bars": [bar("2024-01-03T05:00:00Z", 11.0)], "next_page_token": None}
    return Response(json.dumps(body), mimetype="application/json")


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def alpaca(httpserver: HTTPServer, sleeps: list[float]) -> AlpacaSource:
    httpserver.expect_request("/v2/stocks/AAPL/bars").respond_with_handler(paged_bars)
    return AlpacaSource(KEY, SECRET, base_url=httpserver.url_for("/"), sleep=sleeps.append)


def test_daily_bars_follow_page_tokens(alpaca: AlpacaSource, httpserver: HTTPServer) -> None:
    frame = alpaca.fetch_daily("AAPL", dt.date(2024, 1, 2), dt.date(2024, 1, 3))
    assert list(frame["date"]) == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03")]
    assert list(frame["close"]) == [10.0, 11.0]
    request, _ = httpserver.log[0]
    assert request.args["timeframe"] == "1Day"
    assert request.args["start"] == "2024-01-02T00:00:00Z"


def test_429_honours_retry_after(
    alpaca: AlpacaSource, httpserver: HTTPServer, sleeps: list[float]
) -> None:
    httpserver.expect_oneshot_request("/v2/stocks/AAPL/bars").respond_with_data(
        "", status=429, headers={"Retry-After": "2"}
    )
    alpaca.fetch_daily("AAPL", dt.date(2024, 1, 2), dt.date(2024, 1, 3))
    assert sleeps == [2.0]


def test_refused_keys_name_the_variables_never_the_values(
    httpserver: HTTPServer, sleeps: list[float]
) -> None:
    httpserver.expect_request("/v2/stocks/AAPL/bars").respond_with_data("forbidden", status=403)
    source = AlpacaSource(KEY, SECRET, base_url=httpserver.url_for("/"), sleep=sleeps.append)
    with pytest.raises(UsageError, match="APCA_API_KEY_ID") as refused:
        source.fetch_daily("AAPL", dt.date(2024, 1, 2), dt.date(2024, 1, 3))
    assert SECRET not in str(refused.value)
    assert KEY not in str(refused.value)


def test_missing_keys_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APCA_API_KEY_ID", raising=False)
    with pytest.raises(MissingCredentialError, match="APCA_API_KEY_ID"):
        AlpacaSource.from_env()


def test_timeframes() -> None:
    assert [timeframe(None), timeframe(5), timeframe(60)] == ["1Day", "5Min", "1Hour"]
