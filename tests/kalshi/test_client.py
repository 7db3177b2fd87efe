"""The Kalshi client against a real loopback HTTP server: pagination, retries, bad payloads."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from quant_engine.errors import DataError, UsageError
from quant_engine.kalshi.client import KalshiClient, RawResponse, parse_retry_after
from tests.kalshi.kalshi_fixture import EVENTS, PREFIX, SERIES, probabilities, serve_kalshi


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(httpserver: HTTPServer, sleeps: list[float]) -> KalshiClient:
    base = serve_kalshi(httpserver)
    return KalshiClient(base, sleep=sleeps.append, max_retries=3, backoff_base_s=0.5)


def test_cursor_pagination_follows_every_page(client: KalshiClient) -> None:
    seen: list[RawResponse] = []
    client.on_response = seen.append
    events = client.events(SERIES)
    assert [e.event_ticker for e in events] == ["KXFED-23DEC", "KXFED-24JAN", "KXFED-24MAR"]
    assert [r.params.get("cursor") for r in seen] == [None, "page-2"]


def test_429_waits_for_retry_after_then_succeeds(
    client: KalshiClient, httpserver: HTTPServer, sleeps: list[float]
) -> None:
    httpserver.expect_oneshot_request(f"{PREFIX}/historical/cutoff").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3"}
    )
    cutoff = client.cutoff()
    assert cutoff.market_settled_ts.year == 2024
    assert sleeps == [3.0]


def test_500_then_success_backs_off_exponentially(
    client: KalshiClient, httpserver: HTTPServer, sleeps: list[float]
) -> None:
    for _ in range(2):
        httpserver.expect_oneshot_request(f"{PREFIX}/historical/cutoff").respond_with_data(
            "oops", status=500
        )
    client.cutoff()
    assert sleeps == [0.5, 1.0]


def test_persistent_failure_gives_up_with_one_clear_line(
    httpserver: HTTPServer, sleeps: list[float]
) -> None:
    httpserver.expect_request(f"{PREFIX}/historical/cutoff").respond_with_data("down", status=503)
    client = KalshiClient(httpserver.url_for(PREFIX), sleep=sleeps.append, max_retries=2)
    with pytest.raises(DataError, match=r"historical/cutoff: gave up after 3 attempts \(HTTP 503"):
        client.cutoff()
    assert len(sleeps) == 2


def test_client_errors_are_not_retried(httpserver: HTTPServer, sleeps: list[float]) -> None:
    httpserver.expect_request(f"{PREFIX}/events").respond_with_data("no such series", status=404)
    client = KalshiClient(httpserver.url_for(PREFIX), sleep=sleeps.append)
    with pytest.raises(DataError, match="HTTP 404: no such series"):
        client.events("NOPE")
    assert sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_no_4xx_but_429_is_retried(
    httpserver: HTTPServer, sleeps: list[float], status: int
) -> None:
    httpserver.expect_request(f"{PREFIX}/historical/cutoff").respond_with_data("no", status=status)
    client = KalshiClient(httpserver.url_for(PREFIX), sleep=sleeps.append)
    with pytest.raises(DataError, match=f"HTTP {status}"):
        client.cutoff()
    assert sleeps == []
    assert len(httpserver.log) == 1


@pytest.mark.parametrize(
    "base_url",
    [
        "ftp://user:hunter22@127.0.0.1/trade-api/v2",
        "file:///etc/passwd",
        "127.0.0.1:8000/trade-api/v2",
        "http:///no-host",
    ],
)
def test_a_base_url_that_cannot_work_fails_at_once_without_its_password(
    base_url: str, sleeps: list[float]
) -> None:
    with pytest.raises(UsageError, match="must be http:// or https://") as raised:
        KalshiClient(base_url, sleep=sleeps.append).cutoff()
    assert "hunter22" not in str(raised.value)
    assert "\n" not in str(raised.value)
    assert sleeps == []


def test_malformed_payload_names_the_endpoint_and_field(
    httpserver: HTTPServer, sleeps: list[float]
) -> None:
    httpserver.expect_request(f"{PREFIX}/markets").respond_with_json(
        {"markets": [{"ticker": "X-1"}], "cursor": None}
    )
    client = KalshiClient(httpserver.url_for(PREFIX), sleep=sleeps.append)
    with pytest.raises(DataError, match=r"Kalshi markets: malformed response \(markets\.0\.event"):
        client.markets("X")


def test_non_json_body_is_a_data_error(httpserver: HTTPServer, sleeps: list[float]) -> None:
    httpserver.expect_request(f"{PREFIX}/historical/cutoff").respond_with_data("<html>")
    client = KalshiClient(httpserver.url_for(PREFIX), sleep=sleeps.append)
    with pytest.raises(DataError, match="not JSON"):
        client.cutoff()


def test_historical_candles_come_from_the_historical_endpoint(
    client: KalshiClient, httpserver: HTTPServer
) -> None:
    start, end = 1_704_153_600, 1_704_240_000  # 2024-01-02 .. 2024-01-03 UTC
    candles = client.candlesticks(SERIES, "KXFED-24JAN-T5.00", start, end, 60, historical=True)
    assert len(candles) == 25
    paths = [request.path for request, _ in httpserver.log]
    assert paths[-1] == f"{PREFIX}/historical/markets/KXFED-24JAN-T5.00/candlesticks"
    assert candles[0].price is not None
    expected = probabilities(EVENTS[1], start)[0]
    assert candles[0].price.close_probability() == pytest.approx(expected, abs=1e-4)


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_trades_page_through_the_historical_endpoint(
    httpserver: HTTPServer, sleeps: list[float]
) -> None:
    def trade(n: int) -> dict[str, object]:
        return {
            "trade_id": f"t{n}",
            "ticker": "X-1",
            "created_time": "2024-01-02T15:00:00Z",
            "count": 3,
            "yes_price": 40 + n,
            "taker_side": "yes",
        }

    base = {"ticker": "X-1", "min_ts": "1", "max_ts": "2", "limit": "1000"}
    httpserver.expect_request(f"{PREFIX}/historical/trades", query_string=base).respond_with_json(
        {"trades": [trade(1)], "cursor": "c2"}
    )
    httpserver.expect_request(
        f"{PREFIX}/historical/trades", query_string={**base, "cursor": "c2"}
    ).respond_with_json({"trades": [trade(2)], "cursor": ""})
    client = KalshiClient(httpserver.url_for(PREFIX), sleep=sleeps.append)
    trades = client.trades("X-1", 1, 2, historical=True)
    assert [t.trade_id for t in trades] == ["t1", "t2"]
    assert trades[1].yes_price == 42
