"""A small httpx client for Kalshi's public REST API v2 (market data; no account needed).

Retries 429s (honouring ``Retry-After``), 5xx answers and network errors with exponential
backoff, then fails with one clear line; what cannot heal (a base URL that is not http(s), any
other 4xx) fails at once. Error messages never show the URL's credentials. Cursor pagination is
followed to the end. Data older than the cutoff of ``GET /historical/cutoff`` lives on the
separate ``/historical`` endpoints. Every decoded response is passed to ``on_response`` so a
pipeline can keep the raw payloads.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from quant_engine import config
from quant_engine.data.providers.base import parse_retry_after
from quant_engine.errors import DataError, UsageError
from quant_engine.kalshi.payloads import (
    Candle,
    CandlesPage,
    CursorPage,
    Cutoff,
    Event,
    EventsPage,
    Market,
    MarketsPage,
    Trade,
    TradesPage,
    parse,
)
from quant_engine.runs.redaction import redact_text
from quant_engine.utils.closing import ClosesOnExit

__all__ = ["KalshiClient", "RawResponse", "parse_retry_after"]

logger = logging.getLogger("quant_engine.kalshi")

CursorPageT = TypeVar("CursorPageT", bound=CursorPage)
MAX_CANDLES_PER_REQUEST = 5000
"""Kalshi caps candlesticks per request; longer windows are fetched in chunks."""
URL_SCHEMES = ("http", "https")


def checked_base_url(base_url: str) -> str:
    """``base_url`` with one trailing slash; UsageError (credentials hidden) unless it is an
    absolute http(s) URL with a host."""
    shown = redact_text(base_url)
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL as exc:
        raise UsageError(f"Kalshi base URL {shown!r} is not a URL: {exc}") from None
    if url.scheme not in URL_SCHEMES or not url.host:
        raise UsageError(
            f"Kalshi base URL {shown!r} must be http:// or https:// with a host, "
            f"e.g. {config.KALSHI_BASE_URL}"
        )
    return base_url.rstrip("/") + "/"


@dataclass(frozen=True)
class RawResponse:
    """One decoded response as received: endpoint path, query parameters and JSON body."""

    path: str
    params: dict[str, Any]
    body: Any


class KalshiClient(ClosesOnExit):
    """Market-data endpoints of Kalshi's REST API v2; use as a context manager."""

    def __init__(
        self,
        base_url: str = config.KALSHI_BASE_URL,
        *,
        timeout_s: float = config.KALSHI_TIMEOUT_S,
        max_retries: int = config.KALSHI_MAX_RETRIES,
        backoff_base_s: float = config.KALSHI_BACKOFF_BASE_S,
        backoff_max_s: float = config.KALSHI_BACKOFF_MAX_S,
        page_limit: int = config.KALSHI_PAGE_LIMIT,
        sleep: Callable[[float], None] = time.sleep,
        on_response: Callable[[RawResponse], None] | None = None,
    ) -> None:
        self.http = httpx.Client(
            base_url=checked_base_url(base_url),
            timeout=timeout_s,
            headers={"Accept": "application/json", "User-Agent": "quant_engine"},
        )
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.page_limit = page_limit
        self.sleep = sleep
        self.on_response = on_response

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.http.close()

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retry ``attempt`` (0-based): base * 2**attempt, capped."""
        return float(min(self.backoff_base_s * 2**attempt, self.backoff_max_s))

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path`` and decode JSON, retrying what is worth retrying."""
        query = {k: v for k, v in (params or {}).items() if v is not None}
        problem = ""
        for attempt in range(self.max_retries + 1):
            try:
                response = self.http.get(path.lstrip("/"), params=query)
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                shown = redact_text(str(self.http.base_url))
                raise UsageError(f"Kalshi base URL {shown!r} cannot be used: {exc}") from None
            except httpx.TransportError as exc:
                problem = redact_text(f"{type(exc).__name__}: {exc}")
                delay = self.backoff(attempt)
            else:
                code = response.status_code
                if code == 429:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    problem = "HTTP 429 (rate limited)"
                    delay = retry_after if retry_after is not None else self.backoff(attempt)
                elif code >= 500:
                    problem, delay = f"HTTP {code}", self.backoff(attempt)
                elif code >= 400:
                    raise DataError(f"Kalshi /{path.lstrip('/')}: HTTP {code}: {brief(response)}")
                else:
                    return self.decode(path, query, response)
            if attempt == self.max_retries:
                break
            delay = min(delay, self.backoff_max_s)
            logger.info("Kalshi /%s: %s; retrying in %.1fs", path.lstrip("/"), problem, delay)
            self.sleep(delay)
        raise DataError(
            f"Kalshi /{path.lstrip('/')}: gave up after {self.max_retries + 1} attempts ({problem})"
        )

    def decode(self, path: str, query: dict[str, Any], response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            raise DataError(f"Kalshi /{path.lstrip('/')}: response is not JSON") from None
        if self.on_response is not None:
            self.on_response(RawResponse(path.lstrip("/"), dict(query), body))
        return body

    def pages(
        self, path: str, model: type[CursorPageT], params: dict[str, Any]
    ) -> Iterator[CursorPageT]:
        """Every page of a cursor-paginated endpoint, validated as ``model``."""
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = parse(model, self.get(path, {**params, "cursor": cursor}), path)
            yield page
            cursor = page.cursor or None
            if cursor is None:
                return
            if cursor in seen:
                raise DataError(f"Kalshi /{path}: the API repeated cursor {cursor!r}")
            seen.add(cursor)

    def cutoff(self) -> Cutoff:
        """The live/historical boundary timestamps."""
        return parse(Cutoff, self.get("historical/cutoff"), "historical/cutoff")

    def events(self, series_ticker: str) -> list[Event]:
        """Every event of a series (old events stay on the live endpoint)."""
        params = {"series_ticker": series_ticker, "limit": self.page_limit}
        return [e for page in self.pages("events", EventsPage, params) for e in page.events]

    def markets(self, event_ticker: str, *, historical: bool = False) -> list[Market]:
        """An event's markets from the live or the historical endpoint."""
        path = "historical/markets" if historical else "markets"
        params = {"event_ticker": event_ticker, "limit": self.page_limit}
        return [m for page in self.pages(path, MarketsPage, params) for m in page.markets]

    def trades(
        self, ticker: str, min_ts: int, max_ts: int, *, historical: bool = False
    ) -> list[Trade]:
        """Trades of one market between two Unix timestamps."""
        path = "historical/trades" if historical else "markets/trades"
        params = {"ticker": ticker, "min_ts": min_ts, "max_ts": max_ts, "limit": 1000}
        return [t for page in self.pages(path, TradesPage, params) for t in page.trades]

    def candlesticks(
        self,
        series_ticker: str,
        ticker: str,
        start_ts: int,
        end_ts: int,
        period_minutes: int = config.KALSHI_CANDLE_MINUTES,
        *,
        historical: bool = False,
    ) -> list[Candle]:
        """Candles ending in ``[start_ts, end_ts]``, fetched in chunks the API accepts."""
        path = (
            f"historical/markets/{ticker}/candlesticks"
            if historical
            else f"series/{series_ticker}/markets/{ticker}/candlesticks"
        )
        step = MAX_CANDLES_PER_REQUEST * period_minutes * 60
        candles: list[Candle] = []
        for first in range(start_ts, end_ts + 1, step):
            params = {
                "start_ts": first,
                "end_ts": min(first + step - 1, end_ts),
                "period_interval": period_minutes,
            }
            candles += parse(CandlesPage, self.get(path, params), path).candlesticks
        return candles


def brief(response: httpx.Response, limit: int = 200) -> str:
    """The start of a response body for an error message (a URL it echoes loses credentials)."""
    text = redact_text(response.text.strip().replace("\n", " "))
    return text[:limit] + ("..." if len(text) > limit else "")
