"""Intraday bar downloads: fetch a window per ticker, merge into its cache file, record the run.

The two intraday download commands (Alpaca and IBKR) differ only in the bars source they
connect to; everything else is here. The cache itself is :mod:`quant_engine.data.intraday`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from quant_engine.data.intraday import normalize_intraday, read_intraday, write_intraday

if TYPE_CHECKING:
    from quant_engine.data.providers.base import IntradayBarsSource
    from quant_engine.runs.recorder import RunRecorder

__all__ = ["DownloadResult", "download", "download_window", "print_downloads", "record_download"]

logger = logging.getLogger("quant_engine.data")


@dataclass(frozen=True)
class DownloadResult:
    """What one ticker's download added."""

    ticker: str
    fetched: int
    added: int
    dropped: int
    path: Path


def download_window(days: int, end: dt.date | None) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` in UTC: ``days`` calendar days up to the end of ``end`` (default today)."""
    end_day = end or dt.date.today()
    stop = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return stop - dt.timedelta(days=days), stop


def download(
    source: IntradayBarsSource,
    tickers: Sequence[str],
    start: dt.datetime,
    end: dt.datetime,
    minutes: int,
    *,
    on_ticker: Callable[[DownloadResult], None] | None = None,
) -> list[DownloadResult]:
    """Fetch each ticker's bars in ``[start, end)``, merge into its cache file, write it."""
    results = []
    for ticker in tickers:
        raw = source.fetch_intraday(ticker, start, end, minutes)
        fresh, dropped = normalize_intraday(raw, f"{source.name}:{ticker}")
        if dropped:
            logger.warning("%s:%s: dropped %d invalid intraday bars", source.name, ticker, dropped)
        old = read_intraday(source.name, ticker, minutes)
        merged = pd.concat([old[~old.index.isin(fresh.index)], fresh]).sort_index()
        path = write_intraday(source.name, ticker, minutes, merged.astype("float64"))
        result = DownloadResult(ticker, len(fresh), len(merged) - len(old), dropped, path)
        results.append(result)
        if on_ticker is not None:
            on_ticker(result)
    return results


def record_download(
    run: RunRecorder,
    source: IntradayBarsSource,
    tickers: Sequence[str],
    *,
    minutes: int,
    days: int,
    end: dt.date | None,
) -> list[DownloadResult]:
    """Download ``tickers`` over the window; record settings, files and counts in ``run``."""
    start, stop = download_window(days, end)
    run.resolve(
        source=source.name,
        tickers=list(tickers),
        minutes=minutes,
        start=start.isoformat(),
        end=stop.isoformat(),
    )
    results = download(source, tickers, start, stop, minutes)
    for result in results:
        run.add_output(result.ticker, result.path)
    run.set_result(
        tickers=len(results),
        bars_fetched=sum(r.fetched for r in results),
        bars_added=sum(r.added for r in results),
        bars_dropped=sum(r.dropped for r in results),
    )
    return results


def print_downloads(results: Sequence[DownloadResult]) -> None:
    """One line per ticker: bars fetched, new and invalid, and the cache file."""
    for r in results:
        counts = f"{r.fetched} bars fetched, {r.added} new, {r.dropped} invalid"
        print(f"{r.ticker}: {counts} -> {r.path}")
