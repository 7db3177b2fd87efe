"""Interactive Brokers historical bars through ib_async, paced to IBKR's historical-data limits.

Needs a running TWS or IB Gateway (logged in there, so no credential lives here) at
``IBKR_HOST:IBKR_PORT`` with ``IBKR_CLIENT_ID`` (config defaults otherwise). IBKR allows about
60 historical requests per 10 minutes; every request waits on a :class:`RateLimiter` first.
Long ranges are split into requests of at most ``config.IBKR_MAX_DAYS_PER_REQUEST`` days.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from quant_engine import config
from quant_engine.data.providers.base import RateLimiter, env_int, env_text
from quant_engine.errors import DataError, UsageError
from quant_engine.extras import requires_extra

__all__ = ["IbkrSettings", "IbkrSource", "bar_size", "date_chunks"]

logger = logging.getLogger("quant_engine.data")

INTRADAY_CHUNK_DAYS = {1: 1, 5: 5, 15: 10, 30: 20, 60: 30}
"""Days per intraday request by bar minutes (IBKR refuses larger duration/bar-size pairs)."""


@dataclass(frozen=True)
class IbkrSettings:
    """Where TWS / IB Gateway listens, and our API client id."""

    host: str = config.IBKR_HOST
    port: int = config.IBKR_PORT
    client_id: int = config.IBKR_CLIENT_ID

    @classmethod
    def from_env(cls) -> IbkrSettings:
        return cls(
            host=env_text("IBKR_HOST", config.IBKR_HOST),
            port=env_int("IBKR_PORT", config.IBKR_PORT),
            client_id=env_int("IBKR_CLIENT_ID", config.IBKR_CLIENT_ID),
        )


def bar_size(minutes: int) -> str:
    """IBKR's bar-size setting for ``minutes`` (``"1 min"``, ``"5 mins"``, ``"1 hour"``)."""
    if minutes == 60:
        return "1 hour"
    return "1 min" if minutes == 1 else f"{minutes} mins"


def date_chunks(start: dt.date, end: dt.date, days: int) -> Iterator[tuple[dt.date, dt.date]]:
    """``[start, end]`` cut into consecutive pieces of at most ``days`` calendar days."""
    first = start
    while first <= end:
        last = min(end, first + dt.timedelta(days=days - 1))
        yield first, last
        first = last + dt.timedelta(days=1)


def default_contract(ticker: str) -> Any:
    """A SMART-routed US stock contract."""
    from ib_async import Stock

    return Stock(ticker, "SMART", "USD")


class IbkrSource:
    """Daily and intraday bars from an ``ib_async.IB`` connection (or anything shaped like it)."""

    name = "ibkr"

    def __init__(
        self,
        ib: Any,
        *,
        limiter: RateLimiter | None = None,
        contract: Callable[[str], Any] = default_contract,
    ) -> None:
        self.ib = ib
        self.limiter = limiter or RateLimiter(
            config.IBKR_PACING_REQUESTS, config.IBKR_PACING_WINDOW_S
        )
        self.contract = contract
        self.contracts: dict[str, Any] = {}

    @classmethod
    def connect(cls, settings: IbkrSettings | None = None) -> IbkrSource:
        """Connect read-only to TWS / IB Gateway; a clear one-line error when that fails."""
        chosen = settings or IbkrSettings.from_env()
        with requires_extra("ibkr", "IBKR"):
            from ib_async import IB
        ib = IB()
        try:
            ib.connect(chosen.host, chosen.port, clientId=chosen.client_id, readonly=True)
        except (OSError, TimeoutError) as exc:
            raise DataError(
                f"cannot reach TWS / IB Gateway at {chosen.host}:{chosen.port} "
                f"(IBKR_HOST / IBKR_PORT): {exc}"
            ) from None
        return cls(ib)

    def close(self) -> None:
        """Disconnect."""
        self.ib.disconnect()

    def qualified(self, ticker: str) -> Any:
        """The ticker's contract, qualified once; UsageError when IBKR does not know it."""
        if ticker not in self.contracts:
            self.limiter.wait()
            found = self.ib.qualifyContracts(self.contract(ticker))
            if not found:
                raise UsageError(f"IBKR does not know ticker {ticker!r}")
            self.contracts[ticker] = found[0]
        return self.contracts[ticker]

    def request(self, ticker: str, end: dt.datetime, days: int, size: str, date_format: int) -> Any:
        """One paced ``reqHistoricalData`` call ending at ``end`` covering ``days`` days."""
        self.limiter.wait()
        return self.ib.reqHistoricalData(
            self.qualified(ticker),
            endDateTime=end,
            durationStr=f"{days} D",
            barSizeSetting=size,
            whatToShow="TRADES",
            useRTH=True,
            formatDate=date_format,
        )

    def fetch_daily(self, ticker: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Daily bars dated ``start`` .. ``end`` (one request per chunk of days)."""
        bars: list[Any] = []
        for first, last in date_chunks(start, end, config.IBKR_MAX_DAYS_PER_REQUEST):
            close = dt.datetime.combine(last, dt.time(23, 59, 59))
            bars += list(self.request(ticker, close, (last - first).days + 1, "1 day", 1) or [])
        frame = bars_frame(bars, "date")
        if frame.empty:
            return frame
        days = pd.to_datetime(frame["date"]).dt.normalize()
        keep = (days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))
        return frame[keep].drop_duplicates("date", keep="last").reset_index(drop=True)

    def fetch_intraday(
        self, ticker: str, start: dt.datetime, end: dt.datetime, minutes: int
    ) -> pd.DataFrame:
        """Regular-hours bars of ``minutes`` starting in ``[start, end)``, UTC timestamps."""
        if minutes not in INTRADAY_CHUNK_DAYS:
            raise UsageError(f"IBKR bar minutes must be one of {sorted(INTRADAY_CHUNK_DAYS)}")
        bars: list[Any] = []
        for first, last in date_chunks(start.date(), end.date(), INTRADAY_CHUNK_DAYS[minutes]):
            close = dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=dt.UTC)
            size = bar_size(minutes)
            bars += list(self.request(ticker, close, (last - first).days + 1, size, 2) or [])
        frame = bars_frame(bars, "timestamp")
        if frame.empty:
            return frame
        stamps = pd.to_datetime(frame["timestamp"], utc=True)
        keep = (stamps >= pd.Timestamp(start)) & (stamps < pd.Timestamp(end))
        frame = frame.assign(timestamp=stamps)[keep]
        return frame.drop_duplicates("timestamp", keep="last").reset_index(drop=True)


def bars_frame(bars: list[Any], time_column: str) -> pd.DataFrame:
    """ib_async ``BarData`` objects -> a frame with ``time_column`` and OHLCV columns."""
    return pd.DataFrame(
        {
            time_column: [b.date for b in bars],
            "open": [float(b.open) for b in bars],
            "high": [float(b.high) for b in bars],
            "low": [float(b.low) for b in bars],
            "close": [float(b.close) for b in bars],
            "volume": [float(b.volume) for b in bars],
        }
    )
