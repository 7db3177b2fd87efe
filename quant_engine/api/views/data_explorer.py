"""Data explorer for the API: sources, cached tickers and their daily bars, via LocalCache."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal, cast

from pydantic import ValidationError

from quant_engine import config
from quant_engine.api.schemas.data_explorer import (
    DataSourceInfo,
    OhlcvBar,
    OhlcvSeries,
    TickerInfo,
)
from quant_engine.cli import check_date_window
from quant_engine.errors import DataError, UsageError, error_line

if TYPE_CHECKING:
    from quant_engine.data.local_cache import CacheMeta, LocalCache

logger = logging.getLogger("quant_engine.api")

SourceKind = Literal["embedded", "database", "broker"]
DESCRIPTIONS = {
    "embedded": "embedded sample data, always available offline",
    "database": "cached daily data refreshed from a database",
    "broker": "cached daily data downloaded from a broker",
}
BAR_COLUMNS = ("open", "high", "low", "close", "volume")


def cache() -> LocalCache:
    """The market-data cache of the data home."""
    from quant_engine.data.local_cache import LocalCache

    return LocalCache()


def check_source(source: str) -> str:
    """``source`` when it is one of config.DATA_SOURCES; UsageError listing them otherwise."""
    if source not in config.DATA_SOURCES:
        choices = ", ".join(config.DATA_SOURCES)
        raise UsageError(f"unknown data source {source!r}: expected one of {choices}")
    return source


def sources() -> list[DataSourceInfo]:
    """Every configured source, with how many tickers it has cached."""
    store = cache()
    found = []
    for name in config.DATA_SOURCES:
        kind = cast(SourceKind, config.DATA_SOURCE_KINDS.get(name, "database"))
        count = len(store.tickers(name))
        found.append(
            DataSourceInfo(
                name=name,
                kind=kind,
                description=f"{DESCRIPTIONS[kind]} ({count} tickers cached)",
                available=kind == "embedded" or count > 0,
            )
        )
    return found


def ticker_info(meta: CacheMeta, last_close: float | None = None) -> TickerInfo:
    """A cache sidecar as the wire type."""
    return TickerInfo.model_validate(
        {
            "ticker": meta.ticker,
            "source": meta.source,
            "first_date": meta.first_date[:10],
            "last_date": meta.last_date[:10],
            "n_bars": meta.rows,
            "last_close": last_close,
            "synthetic": meta.source == "sample" and meta.ticker not in config.REAL_SAMPLE_TICKERS,
        }
    )


def tickers(source: str) -> list[TickerInfo]:
    """Every readable ticker cached for ``source``, sorted (a broken one is logged and skipped)."""
    return [ticker_info(meta) for meta in readable_metas(cache(), check_source(source))]


def readable_metas(store: LocalCache, source: str) -> Iterator[CacheMeta]:
    """The metadata of each cached ticker of ``source``; one that cannot be read is warned about.

    A single damaged ticker must not hide the others; asking for it by name reports the error.
    """
    for ticker in store.tickers(source):
        try:
            yield store.read_meta(source, ticker)
        except DataError as exc:
            logger.warning("skipping %s:%s: %s", source, ticker, exc)


def one_ticker(source: str, ticker: str) -> TickerInfo:
    """One cached ticker with its last close; 404 listing a few available when not cached."""
    frame, meta = cache().read(check_source(source), ticker.upper())
    closes = frame["close"].dropna()
    return ticker_info(meta, float(closes.iloc[-1]) if len(closes) else None)


def bars(
    source: str,
    ticker: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: int | None = None,
) -> OhlcvSeries:
    """Daily bars of one cached ticker between ``start`` and ``end`` (inclusive), oldest first;
    with ``limit``, only the newest ``limit`` of them (a chart's recent history)."""
    check_date_window(start, end, ("start", "end"))
    import pandas as pd

    frame, meta = cache().read(check_source(source), ticker.upper())
    first = pd.Timestamp(start) if start is not None else None
    last = pd.Timestamp(end) if end is not None else None
    window = frame.sort_index().loc[first:last]
    if limit is not None:
        window = window.iloc[-limit:]
    columns = [window[name].to_numpy(dtype="float64") for name in BAR_COLUMNS]
    try:
        rows = [
            OhlcvBar(date=day.date(), open=o, high=h, low=lo, close=c, volume=v)
            for day, o, h, lo, c, v in zip(window.index, *columns, strict=True)
        ]
    except ValidationError as exc:
        problem = error_line(exc)
        raise DataError(f"{source}:{meta.ticker}: a cached bar is invalid ({problem})") from None
    return OhlcvSeries(ticker=meta.ticker, source=meta.source, bars=rows, data_digest=meta.sha256)


def cached_count() -> int:
    """Tickers cached over every source."""
    store = cache()
    return sum(len(store.tickers(name)) for name in config.DATA_SOURCES)


def latest_session() -> dt.date | None:
    """The newest session cached for any ticker of any source; None with an empty cache."""
    store = cache()
    last = [meta.last_date for name in config.DATA_SOURCES for meta in readable_metas(store, name)]
    return dt.date.fromisoformat(max(last)[:10]) if last else None
