"""A Kalshi-shaped API on a real loopback HTTP server (pytest-httpserver), for the Kalshi tests.

Series ``KXFED`` has three events (events are served in two pages):

- ``KXFED-23DEC`` resolved before the test window: never fetched further;
- ``KXFED-24JAN`` settled before the historical cutoff (2024-02-15): its markets and candles
  exist only on the ``/historical`` endpoints, prices as dollar strings;
- ``KXFED-24MAR`` live, prices as integer cents.

Each event has three mutually exclusive buckets: below 5.00, 5.00-5.25, above 5.25. Candles are
hourly; the lower bucket's probability rises linearly over the market's life.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

PREFIX = "/trade-api/v2"
SERIES = "KXFED"
CUTOFF = "2024-02-15T00:00:00Z"
WINDOW = ("2024-01-02", "2024-03-29")
BUCKETS = (
    ("T5.00", "less", None, 5.0),
    ("B5.125", "between", 5.0, 5.25),
    ("T5.25", "greater", 5.25, None),
)


@dataclass(frozen=True)
class EventSpec:
    ticker: str
    opens: str
    closes: str
    historical: bool


EVENTS = (
    EventSpec("KXFED-23DEC", "2023-11-01T00:00:00Z", "2023-12-13T19:00:00Z", True),
    EventSpec("KXFED-24JAN", "2023-12-01T00:00:00Z", "2024-01-31T19:00:00Z", True),
    EventSpec("KXFED-24MAR", "2024-01-02T00:00:00Z", "2024-03-20T18:00:00Z", False),
)


def seconds(text: str) -> int:
    return int(pd.Timestamp(text).timestamp())


def probabilities(event: EventSpec, end_ts: int) -> tuple[float, float, float]:
    """Bucket probabilities at ``end_ts``: low rises from 0.1 to 0.6, high stays 0.2."""
    life = (end_ts - seconds(event.opens)) / (seconds(event.closes) - seconds(event.opens))
    x = min(max(life, 0.0), 1.0)
    return 0.1 + 0.5 * x, 0.7 - 0.5 * x, 0.2


def expected_value(event: EventSpec, end_ts: int) -> float:
    low, mid, high = probabilities(event, end_ts)
    return 4.875 * low + 5.125 * mid + 5.375 * high


def event_json(event: EventSpec) -> dict[str, Any]:
    return {
        "event_ticker": event.ticker,
        "series_ticker": SERIES,
        "title": f"Fed rate {event.ticker}",
        "mutually_exclusive": True,
        "strike_date": event.closes,
        "category": "Economics",
    }


def market_json(event: EventSpec, suffix: str, kind: str, floor: Any, cap: Any) -> dict[str, Any]:
    market: dict[str, Any] = {
        "ticker": f"{event.ticker}-{suffix}",
        "event_ticker": event.ticker,
        "status": "settled" if event.historical else "active",
        "open_time": event.opens,
        "close_time": event.closes,
        "strike_type": kind,
        "result": "",
    }
    if floor is not None:
        market["floor_strike"] = floor
    if cap is not None:
        market["cap_strike"] = cap
    return market


def quote(probability: float, dollars: bool) -> dict[str, Any]:
    if dollars:
        return {"close_dollars": f"{probability:.4f}"}
    return {"close": round(probability * 100), "open": round(probability * 100)}


def candles_json(event: EventSpec, index: int, start_ts: int, end_ts: int) -> dict[str, Any]:
    lo = max(start_ts, seconds(event.opens))
    hi = min(end_ts, seconds(event.closes))
    first = math.ceil(lo / 3600) * 3600
    candles = []
    for stamp in range(first, hi + 1, 3600):
        p = probabilities(event, stamp)[index]
        candles.append(
            {
                "end_period_ts": stamp,
                "yes_bid": quote(p - 0.01, event.historical),
                "yes_ask": quote(p + 0.01, event.historical),
                "price": quote(p, event.historical),
                "volume": 10,
                "open_interest": 100,
            }
        )
    return {"ticker": f"{event.ticker}-{BUCKETS[index][0]}", "candlesticks": candles}


def json_response(payload: Any, status: int = 200, **headers: str) -> Response:
    return Response(
        json.dumps(payload), status=status, mimetype="application/json", headers=headers
    )


def candle_handler(event: EventSpec, index: int) -> Any:
    def handle(request: Request) -> Response:
        args = request.args
        assert args["period_interval"] == "60"
        return json_response(candles_json(event, index, int(args["start_ts"]), int(args["end_ts"])))

    return handle


def serve_kalshi(server: HTTPServer) -> str:
    """Register the whole API on ``server``; return its base URL."""
    server.expect_request(f"{PREFIX}/historical/cutoff").respond_with_json(
        {"market_settled_ts": CUTOFF, "trades_created_ts": CUTOFF, "orders_updated_ts": CUTOFF}
    )
    first_page = {"events": [event_json(e) for e in EVENTS[:2]], "cursor": "page-2"}
    server.expect_request(
        f"{PREFIX}/events", query_string={"series_ticker": SERIES, "limit": "200"}
    ).respond_with_json(first_page)
    server.expect_request(
        f"{PREFIX}/events",
        query_string={"series_ticker": SERIES, "limit": "200", "cursor": "page-2"},
    ).respond_with_json({"events": [event_json(EVENTS[2])], "cursor": ""})
    for event in EVENTS:
        markets = [market_json(event, *b) for b in BUCKETS]
        live_path, old_path = f"{PREFIX}/markets", f"{PREFIX}/historical/markets"
        query = {"event_ticker": event.ticker, "limit": "200"}
        server.expect_request(live_path, query_string=query).respond_with_json(
            {"markets": [] if event.historical else markets, "cursor": None}
        )
        server.expect_request(old_path, query_string=query).respond_with_json(
            {"markets": markets if event.historical else [], "cursor": None}
        )
        for index, (suffix, *_rest) in enumerate(BUCKETS):
            ticker = f"{event.ticker}-{suffix}"
            path = (
                f"{PREFIX}/historical/markets/{ticker}/candlesticks"
                if event.historical
                else f"{PREFIX}/series/{SERIES}/markets/{ticker}/candlesticks"
            )
            server.expect_request(path).respond_with_handler(candle_handler(event, index))
    return server.url_for(PREFIX)
