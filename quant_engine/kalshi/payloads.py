"""The Kalshi REST v2 response shapes we rely on, validated with pydantic (unknown fields kept).

Prices come as integer cents (``close``) and, in newer responses, as dollar strings
(``close_dollars``); :meth:`Quote.close_probability` reads either as a probability in [0, 1].
A response that does not fit is a :class:`quant_engine.errors.DataError` naming the endpoint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from quant_engine.errors import DataError

__all__ = [
    "Candle",
    "CandlesPage",
    "CursorPage",
    "Cutoff",
    "Event",
    "EventsPage",
    "Market",
    "MarketsPage",
    "Quote",
    "Trade",
    "TradesPage",
    "parse",
]

PageT = TypeVar("PageT", bound=BaseModel)


class Payload(BaseModel):
    """Base of every response model: extra fields allowed (the API grows), kept for raw dumps."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Quote(Payload):
    """An OHLC block of a candle (``yes_bid``, ``yes_ask`` or ``price``)."""

    open: float | None = None
    high: float | None = None
    low: float | None = None
    close: float | None = None
    close_dollars: str | None = None

    def close_probability(self) -> float | None:
        """The close as a probability: dollars as given, cents divided by 100."""
        if self.close_dollars not in (None, ""):
            return float(self.close_dollars)
        return None if self.close is None else self.close / 100.0


class Candle(Payload):
    """One market candlestick; ``end_period_ts`` is the period's end in Unix seconds."""

    end_period_ts: int
    yes_bid: Quote | None = None
    yes_ask: Quote | None = None
    price: Quote | None = None
    volume: float | None = None
    open_interest: float | None = None


class CursorPage(Payload):
    """A page of a cursor-paginated endpoint; ``cursor`` names the next page (empty at the end)."""

    cursor: str | None = None


class CandlesPage(Payload):
    candlesticks: list[Candle]


class Market(Payload):
    """A binary market; bucketed events use ``strike_type`` with floor/cap strikes."""

    ticker: str
    event_ticker: str
    status: str = ""
    open_time: datetime | None = None
    close_time: datetime | None = None
    strike_type: str | None = None
    floor_strike: float | None = None
    cap_strike: float | None = None
    result: str | None = None


class MarketsPage(CursorPage):
    markets: list[Market]


class Event(Payload):
    """An event: a set of markets resolving together (mutually exclusive buckets or not)."""

    event_ticker: str
    series_ticker: str
    title: str = ""
    mutually_exclusive: bool = False
    strike_date: datetime | None = None


class EventsPage(CursorPage):
    events: list[Event]


class Trade(Payload):
    trade_id: str
    ticker: str
    created_time: datetime
    count: float | None = None
    yes_price: float | None = None
    taker_side: str | None = None


class TradesPage(CursorPage):
    trades: list[Trade]


class Cutoff(Payload):
    """Older markets, candlesticks and trades are served only by the historical endpoints."""

    market_settled_ts: datetime
    trades_created_ts: datetime


def parse(model: type[PageT], payload: Any, endpoint: str) -> PageT:
    """Validate ``payload`` as ``model``; DataError naming the endpoint and the first problem."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise DataError(
            f"Kalshi {endpoint}: malformed response ({where}: {first['msg']})"
        ) from None
