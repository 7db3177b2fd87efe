"""The Kalshi event pipeline: fetch series -> events -> markets -> candles, normalise, featurise.

Everything is fetched and validated before anything is written, so a malformed response or a
failed request leaves the cache exactly as it was. Layout under ``layout.kalshi_cache_dir()``::

    raw/<SERIES>/<run_id>.json          every response as received (path, params, body)
    tables/<SERIES>/events.parquet      normalised events, markets and candles
    tables/<SERIES>/markets.parquet
    tables/<SERIES>/candles.parquet
    features/<SERIES>.parquet           session-aligned event features (see kalshi.features)
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from quant_engine import config, layout
from quant_engine.data.calendar import nyse_sessions
from quant_engine.data.events import event_features_dir
from quant_engine.kalshi.client import KalshiClient, RawResponse
from quant_engine.kalshi.features import series_features
from quant_engine.kalshi.payloads import Candle, Cutoff, Event, Market
from quant_engine.utils.atomic import write_bytes_atomic

__all__ = ["SeriesData", "fetch_series", "write_series"]

logger = logging.getLogger("quant_engine.kalshi")

MARKET_COLUMNS = (
    "ticker",
    "event_ticker",
    "status",
    "open_time",
    "close_time",
    "strike_type",
    "floor_strike",
    "cap_strike",
    "result",
    "historical",
)
CANDLE_COLUMNS = ("ticker", "end_ts", "bid", "ask", "price", "volume", "open_interest")


@dataclass
class SeriesData:
    """One series' normalised tables, features and the raw responses they came from."""

    series: str
    events: pd.DataFrame
    markets: pd.DataFrame
    candles: pd.DataFrame
    features: pd.DataFrame
    raw: list[RawResponse] = field(default_factory=list)


def utc(value: dt.datetime | None) -> pd.Timestamp | None:
    """A tz-aware UTC Timestamp (None for None)."""
    return pd.Timestamp(value).tz_convert("UTC") if value is not None else None


def day_bounds(start: dt.date, end: dt.date) -> tuple[int, int]:
    """Unix seconds of ``start`` 00:00 UTC and of the last second of ``end`` (UTC)."""
    first = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return int(first.timestamp()), int(last.timestamp()) - 1


def events_frame(events: Sequence[Event]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_ticker": [e.event_ticker for e in events],
            "series_ticker": [e.series_ticker for e in events],
            "title": [e.title for e in events],
            "mutually_exclusive": [e.mutually_exclusive for e in events],
            "strike_date": pd.DatetimeIndex([utc(e.strike_date) for e in events], tz="UTC"),
        }
    )


def markets_frame(markets: Sequence[tuple[Market, bool]]) -> pd.DataFrame:
    rows = [
        (
            m.ticker,
            m.event_ticker,
            m.status,
            utc(m.open_time),
            utc(m.close_time),
            m.strike_type,
            m.floor_strike,
            m.cap_strike,
            m.result,
            historical,
        )
        for m, historical in markets
    ]
    frame = pd.DataFrame(rows, columns=list(MARKET_COLUMNS))
    for column in ("open_time", "close_time"):
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.as_unit("ns")
    for column in ("floor_strike", "cap_strike"):
        frame[column] = frame[column].astype("float64")
    return frame


def candles_frame(candles: Sequence[tuple[str, Candle]]) -> pd.DataFrame:
    def close(quote: object) -> float | None:
        return quote.close_probability() if quote is not None else None  # type: ignore[attr-defined]

    rows = [
        (
            ticker,
            c.end_period_ts,
            close(c.yes_bid),
            close(c.yes_ask),
            close(c.price),
            c.volume,
            c.open_interest,
        )
        for ticker, c in candles
    ]
    frame = pd.DataFrame(rows, columns=list(CANDLE_COLUMNS))
    stamps = pd.to_datetime(frame["end_ts"].astype("int64"), unit="s", utc=True)
    frame["end_ts"] = stamps.dt.as_unit("ns")
    for column in CANDLE_COLUMNS[2:]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame.sort_values(["ticker", "end_ts"], kind="stable").reset_index(drop=True)


def stamp(value: dt.datetime) -> pd.Timestamp:
    """A tz-aware UTC Timestamp."""
    return pd.Timestamp(value).tz_convert("UTC")


def event_markets(
    client: KalshiClient, event: Event, settled_cutoff: pd.Timestamp
) -> dict[str, tuple[Market, bool]]:
    """An event's markets by ticker: live ones, plus historical ones for events before the cutoff.

    The flag says the market came only from the historical endpoint (so must its candles).
    """
    found = {m.ticker: (m, False) for m in client.markets(event.event_ticker)}
    if event.strike_date is None or stamp(event.strike_date) < settled_cutoff:
        for market in client.markets(event.event_ticker, historical=True):
            found.setdefault(market.ticker, (market, True))
    return found


def market_window(market: Market, first_ts: int, last_ts: int) -> tuple[int, int]:
    """The part of ``[first_ts, last_ts]`` when the market was open (empty: hi < lo)."""
    opened = int(stamp(market.open_time).timestamp()) if market.open_time else first_ts
    closed = int(stamp(market.close_time).timestamp()) if market.close_time else last_ts
    return max(first_ts, opened), min(last_ts, closed)


def fetch_series(
    client: KalshiClient,
    series: str,
    start: dt.date,
    end: dt.date,
    cutoff: Cutoff,
    *,
    candle_minutes: int = config.KALSHI_CANDLE_MINUTES,
    on_event: Callable[[str], None] | None = None,
) -> SeriesData:
    """Fetch one series' events resolving from ``start``, their markets and candles to ``end``."""
    raw: list[RawResponse] = []
    client.on_response = raw.append
    first_ts, last_ts = day_bounds(start, end)
    window_start = pd.Timestamp(first_ts, unit="s", tz="UTC")
    events = [
        e
        for e in client.events(series)
        if e.strike_date is None or stamp(e.strike_date) >= window_start
    ]
    markets: list[tuple[Market, bool]] = []
    candles: list[tuple[str, Candle]] = []
    for event in events:
        found = event_markets(client, event, stamp(cutoff.market_settled_ts))
        for ticker in sorted(found):
            market, historical = found[ticker]
            lo, hi = market_window(market, first_ts, last_ts)
            if hi < lo:
                continue
            markets.append((market, historical))
            got = client.candlesticks(series, ticker, lo, hi, candle_minutes, historical=historical)
            candles += [(ticker, c) for c in got]
        if on_event is not None:
            on_event(event.event_ticker)
    client.on_response = None
    events_table = events_frame(events)
    markets_table, candles_table = markets_frame(markets), candles_frame(candles)
    features = series_features(
        series, events_table, markets_table, candles_table, nyse_sessions(start, end)
    )
    logger.info(
        "%s: %d events, %d markets, %d candles", series, len(events), len(markets), len(candles)
    )
    return SeriesData(series, events_table, markets_table, candles_table, features, raw)


def parquet(frame: pd.DataFrame) -> bytes:
    sink = io.BytesIO()
    frame.to_parquet(sink, index=True)
    return sink.getvalue()


def write_series(data: SeriesData, run_id: str, root: Path | None = None) -> dict[str, Path]:
    """Write raw responses, tables and features atomically; return the written files by name."""
    base = root if root is not None else layout.kalshi_cache_dir()
    tables = base / "tables" / data.series
    files = {
        f"{data.series}:raw": base / "raw" / data.series / f"{run_id}.json",
        f"{data.series}:events": tables / "events.parquet",
        f"{data.series}:markets": tables / "markets.parquet",
        f"{data.series}:candles": tables / "candles.parquet",
        f"{data.series}:features": event_features_dir(base) / f"{data.series}.parquet",
    }
    raw = [{"path": r.path, "params": r.params, "body": r.body} for r in data.raw]
    payloads = [
        json.dumps(raw, indent=1, sort_keys=True, default=str).encode(),
        parquet(data.events),
        parquet(data.markets),
        parquet(data.candles),
        parquet(data.features),
    ]
    for path, payload in zip(files.values(), payloads, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, payload)
    return files
