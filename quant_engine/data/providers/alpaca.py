"""Alpaca market data (REST v2 ``/v2/stocks/{symbol}/bars``) with page tokens, over httpx.

We call the documented REST endpoint directly instead of through alpaca-py: the same requests
and page tokens, one dependency fewer, and a client we can test against a real local server.
Keys come from ``APCA_API_KEY_ID`` / ``APCA_API_SECRET_KEY`` (Alpaca's own variable names);
a missing one is a MissingCredentialError naming it, and neither value ever reaches a message.
429s (honouring Retry-After) and 5xx answers are retried with exponential backoff.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from quant_engine import config
from quant_engine.data.providers.base import parse_retry_after, require_env
from quant_engine.errors import DataError, UsageError
from quant_engine.extras import requires_extra

with requires_extra("alpaca", "the Alpaca source"):
    import httpx

__all__ = ["ENV_KEY_ID", "ENV_SECRET", "AlpacaSource", "timeframe"]

logger = logging.getLogger("quant_engine.data")

ENV_KEY_ID = "APCA_API_KEY_ID"
ENV_SECRET = "APCA_API_SECRET_KEY"
BACKOFF_BASE_S = 0.5


def timeframe(minutes: int | None) -> str:
    """Alpaca's timeframe string: ``1Day`` for daily, ``5Min`` / ``1Hour`` for intraday."""
    if minutes is None:
        return "1Day"
    return "1Hour" if minutes == 60 else f"{minutes}Min"


def rfc3339(moment: dt.datetime) -> str:
    """UTC RFC 3339 with a ``Z`` (naive datetimes are taken as UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AlpacaSource:
    """Daily and intraday bars of US stocks from Alpaca's market-data API."""

    name = "alpaca"

    def __init__(
        self,
        key_id: str,
        secret: str,
        *,
        base_url: str = config.ALPACA_DATA_URL,
        feed: str = config.ALPACA_FEED,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            timeout=config.ALPACA_TIMEOUT_S,
            headers={"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret},
        )
        self.feed = feed
        self.sleep = sleep

    @classmethod
    def from_env(cls, base_url: str = config.ALPACA_DATA_URL) -> AlpacaSource:
        """Keys from the environment; MissingCredentialError (exit 2) naming a missing one."""
        purpose = "Alpaca market data"
        return cls(
            require_env(ENV_KEY_ID, purpose), require_env(ENV_SECRET, purpose), base_url=base_url
        )

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.http.close()

    def get(self, path: str, params: dict[str, Any]) -> Any:
        """One GET with retries; auth failures name the variables (never their values)."""
        problem = ""
        for attempt in range(config.ALPACA_MAX_RETRIES + 1):
            try:
                response = self.http.get(path, params=params)
            except httpx.TransportError as exc:
                problem, delay = type(exc).__name__, BACKOFF_BASE_S * 2**attempt
            else:
                if response.status_code in (401, 403):
                    raise UsageError(
                        f"Alpaca refused the keys in {ENV_KEY_ID} / {ENV_SECRET} "
                        f"(HTTP {response.status_code})"
                    )
                if response.status_code == 429 or response.status_code >= 500:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    problem = f"HTTP {response.status_code}"
                    delay = retry_after if retry_after is not None else BACKOFF_BASE_S * 2**attempt
                elif response.status_code >= 400:
                    raise DataError(
                        f"Alpaca {path}: HTTP {response.status_code}: {response.text[:200]}"
                    )
                else:
                    try:
                        return response.json()
                    except ValueError:
                        raise DataError(f"Alpaca {path}: response is not JSON") from None
            if attempt < config.ALPACA_MAX_RETRIES:
                logger.info("Alpaca %s: %s; retrying in %.1fs", path, problem, delay)
                self.sleep(delay)
        raise DataError(
            f"Alpaca {path}: gave up after {config.ALPACA_MAX_RETRIES + 1} attempts ({problem})"
        )

    def bars(
        self, ticker: str, start: dt.datetime, end: dt.datetime, minutes: int | None
    ) -> pd.DataFrame:
        """Every bar of ``ticker`` in ``[start, end]``, following ``next_page_token``."""
        path = f"v2/stocks/{ticker}/bars"
        params: dict[str, Any] = {
            "timeframe": timeframe(minutes),
            "start": rfc3339(start),
            "end": rfc3339(end),
            "limit": config.ALPACA_PAGE_LIMIT,
            "adjustment": config.ALPACA_ADJUSTMENT,
            "feed": self.feed,
        }
        rows: list[dict[str, Any]] = []
        tokens: set[str] = set()
        while True:
            body = self.get(path, params)
            page = body.get("bars") if isinstance(body, dict) else None
            if page is not None and not isinstance(page, list):
                raise DataError(f"Alpaca {path}: malformed response ('bars' is not a list)")
            rows += page or []
            token = body.get("next_page_token")
            if not token:
                break
            if token in tokens:
                raise DataError(f"Alpaca {path}: the API repeated page token {token!r}")
            tokens.add(token)
            params["page_token"] = token
        return bars_frame(rows, path)

    def fetch_daily(self, ticker: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Daily bars dated ``start`` .. ``end`` (Alpaca stamps them at midnight New York)."""
        first = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
        last = dt.datetime.combine(end, dt.time(23, 59, 59), tzinfo=dt.UTC)
        frame = self.bars(ticker, first, last, None)
        stamps = pd.to_datetime(frame["timestamp"], utc=True).dt.tz_convert("America/New_York")
        return frame.drop(columns="timestamp").assign(
            date=stamps.dt.tz_localize(None).dt.normalize()
        )

    def fetch_intraday(
        self, ticker: str, start: dt.datetime, end: dt.datetime, minutes: int
    ) -> pd.DataFrame:
        """Bars of ``minutes`` starting in ``[start, end)``, UTC timestamps."""
        frame = self.bars(ticker, start, end, minutes)
        stamps = pd.to_datetime(frame["timestamp"], utc=True)
        return frame[stamps < pd.Timestamp(rfc3339(end))].reset_index(drop=True)


def bars_frame(rows: list[dict[str, Any]], path: str) -> pd.DataFrame:
    """Alpaca bar objects (``t o h l c v``) -> ``timestamp`` + OHLCV columns."""
    try:
        frame = pd.DataFrame(
            {
                "timestamp": pd.to_datetime([r["t"] for r in rows], utc=True),
                "open": [float(r["o"]) for r in rows],
                "high": [float(r["h"]) for r in rows],
                "low": [float(r["l"]) for r in rows],
                "close": [float(r["c"]) for r in rows],
                "volume": [float(r["v"]) for r in rows],
            }
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"Alpaca {path}: malformed bar ({type(exc).__name__}: {exc})") from None
    return frame
