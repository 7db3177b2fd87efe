"""load_universe: the engine's one way to get market data — from the local cache, with provenance.

The ``sample`` source fills the cache on first use (generated once, then read warm); every other
source reads only what its pipeline command has cached. Reads run in a thread pool because
Parquet decoding and hashing release the GIL.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from quant_engine import config, layout
from quant_engine.cli import check_date_window
from quant_engine.data.events import read_event_features
from quant_engine.data.local_cache import CacheMeta, LocalCache, truncated_list
from quant_engine.data.market_data import InputRecord, MarketData
from quant_engine.errors import UnknownTickerError, UsageError
from quant_engine.utils.progress import ProgressCallback, ProgressCounter

__all__ = ["REFRESH_COMMANDS", "load_universe"]

logger = logging.getLogger("quant_engine.data")

SAMPLE_SOURCE = "sample"
REFRESH_COMMANDS: dict[str, str] = {
    "wrds": "qe-wrds-refresh",
    "ibkr": "scripts/ibkr_daily_gapfill.py --tickers T1,T2 --start YYYY-MM-DD",
    "alpaca": "scripts/ibkr_daily_gapfill.py --provider alpaca --tickers T1,T2 --start YYYY-MM-DD",
}
"""The pipeline command that fills each non-sample source's cache (named in error messages)."""
IO_THREADS = 8


def load_universe(
    tickers: Sequence[str],
    years: int,
    *,
    source: str = config.DEFAULT_DATA_SOURCE,
    start: dt.date | None = None,
    end: dt.date | None = None,
    cache: LocalCache | None = None,
    progress: ProgressCallback | None = None,
) -> MarketData:
    """Daily OHLCV for ``tickers`` over ``[start, end]`` (default: the last ``years`` years).

    ``end`` defaults to the latest date across the loaded tickers and ``start`` to ``end`` minus
    ``years`` calendar years; an explicit ``start`` overrides ``years``. ``progress`` counts
    tickers written to the cache (sample fill) and then read.
    """
    wanted = list(dict.fromkeys(tickers))
    if not wanted:
        raise UsageError("no tickers requested")
    if start is None and years < 1:
        raise UsageError(f"--years must be >= 1, got {years}")
    check_date_window(start, end)
    store = cache if cache is not None else LocalCache()
    to_fill = ensure_cached(store, source, wanted)
    counter = ProgressCounter(progress, len(to_fill) + len(wanted))
    fill_sample(store, to_fill, counter)
    loaded = read_all(store, source, wanted, counter)
    window_end = pd.Timestamp(end) if end is not None else max(f.index[-1] for f, _ in loaded)
    window_start = (
        pd.Timestamp(start) if start is not None else window_end - pd.DateOffset(years=years)
    )
    if window_start > window_end:
        raise UsageError(
            f"--start {window_start.date()} is after the latest data ({window_end.date()})"
        )
    bars: dict[str, pd.DataFrame] = {}
    inputs: list[InputRecord] = []
    dropped: list[str] = []
    delisted: dict[str, float] = {}
    for ticker, (frame, meta) in zip(wanted, loaded, strict=True):
        lo = int(frame.index.searchsorted(window_start, side="left"))
        hi = int(frame.index.searchsorted(window_end, side="right"))
        if hi <= lo:
            logger.warning(
                "%s: no rows from %s to %s; dropped", ticker, window_start.date(), window_end.date()
            )
            dropped.append(ticker)
            continue
        bars[ticker] = frame.iloc[lo:hi]
        flag_zero_volume(ticker, bars[ticker])
        inputs.append(input_record(store, source, ticker, bars[ticker], meta))
        value = delisting_return(meta, frame)
        if value is not None and hi == len(frame):
            delisted[ticker] = value
    if not bars:
        raise UsageError(
            f"no data for any requested ticker between {window_start.date()} and "
            f"{window_end.date()} (source {source!r})"
        )
    events, event_inputs = read_event_features(window_start, window_end)
    if events is not None:
        logger.info("attached %d cached event feature column(s)", len(events.columns))
    logger.info(
        "loaded %d tickers, %d rows from %r (%s to %s)",
        len(bars),
        sum(len(f) for f in bars.values()),
        source,
        window_start.date(),
        window_end.date(),
    )
    return MarketData(
        bars=bars,
        source=source,
        inputs=(*inputs, *event_inputs),
        events=events,
        delisting_returns=delisted,
        dropped=tuple(dropped),
    )


def flag_zero_volume(ticker: str, frame: pd.DataFrame) -> None:
    """Warn, naming the ticker and dates, about bars with zero volume (kept; see features)."""
    zero = frame.index[frame["volume"].to_numpy() == 0]
    if len(zero):
        days = ", ".join(d.date().isoformat() for d in zero[:5]) + (" ..." if len(zero) > 5 else "")
        logger.warning(
            "%s: %d bar(s) with zero volume (%s); volume features treat them as missing",
            ticker,
            len(zero),
            days,
        )


def delisting_return(meta: CacheMeta, frame: pd.DataFrame) -> float | None:
    """The delisting return the cache records for a ticker that delisted after its last bar.

    The WRDS refresh stores CRSP's delisting (date, code, ``ret``) in the sidecar; a return is
    used only when it is a number above -100% and the delisting is not before the last bar.
    """
    record = meta.extra.get("delisting")
    if not isinstance(record, dict) or record.get("ret") is None:
        return None
    try:
        value = float(record["ret"])
        day = pd.Timestamp(str(record.get("date") or frame.index[-1]))
    except (TypeError, ValueError):
        return None
    if not (value >= -1.0 and np.isfinite(value)) or day < frame.index[-1]:
        return None
    return value


def ensure_cached(store: LocalCache, source: str, tickers: list[str]) -> list[str]:
    """Check every ticker can be read from ``source``; return the sample tickers to generate."""
    if source not in config.DATA_SOURCES:
        raise UsageError(f"unknown data source {source!r}; choose one of {config.DATA_SOURCES}")
    if source == SAMPLE_SOURCE:
        return sample_to_fill(store, tickers)
    cached = store.tickers(source)
    if not cached:
        command = REFRESH_COMMANDS.get(source, "its refresh pipeline")
        raise UsageError(f"no cached data for source {source!r}: run {command} first")
    known = set(cached)
    unknown = [t for t in tickers if t not in known]
    if unknown:
        raise UnknownTickerError(
            f"{quoted(unknown)} not cached for source {source!r}; "
            f"available: {truncated_list(cached)}"
        )
    return []


def quoted(tickers: list[str], limit: int = 5) -> str:
    """``ticker 'X'`` or ``tickers 'X', 'Y' ...`` for error messages."""
    shown = ", ".join(repr(t) for t in tickers[:limit]) + (" ..." if len(tickers) > limit else "")
    return f"ticker {shown}" if len(tickers) == 1 else f"tickers {shown}"


def sample_to_fill(store: LocalCache, tickers: list[str]) -> list[str]:
    """The sample tickers not cached yet; an unknown ticker is an error naming it."""
    from quant_engine.data.providers import sample

    available = sample.available_tickers()
    known = set(available)
    unknown = [t for t in tickers if t not in known]
    if unknown:
        raise UnknownTickerError(
            f"{quoted(unknown)} not in the sample source; available: {truncated_list(available)}"
        )
    return [t for t in tickers if not store.has(SAMPLE_SOURCE, t)]


def fill_sample(store: LocalCache, missing: list[str], counter: ProgressCounter) -> None:
    """Generate and write ``missing`` sample tickers (once; later loads find them warm)."""
    from quant_engine.data.providers import sample

    if not missing:
        return
    logger.info("generating %d sample tickers into %s", len(missing), store.source_dir("sample"))
    frames = sample.fetch_many(missing)

    def write(ticker: str) -> Path:
        return store.write(
            SAMPLE_SOURCE, ticker, frames[ticker], meta={"origin": sample.describe(ticker)}
        )

    with ThreadPoolExecutor(
        max_workers=pool_size(len(missing)), thread_name_prefix="qe-write"
    ) as pool:
        for _ in pool.map(write, missing):
            counter.advance()


def pool_size(jobs: int) -> int:
    """Threads for ``jobs`` file reads or writes: I/O and Arrow release the GIL."""
    return max(1, min(IO_THREADS, jobs, os.cpu_count() or 1))


def read_all(
    store: LocalCache, source: str, tickers: list[str], counter: ProgressCounter
) -> list[tuple[pd.DataFrame, CacheMeta]]:
    """Read tickers in parallel (order kept), counting each; the first failure propagates."""
    loaded: list[tuple[pd.DataFrame, CacheMeta]] = []
    with ThreadPoolExecutor(
        max_workers=pool_size(len(tickers)), thread_name_prefix="qe-read"
    ) as pool:
        for frame_and_meta in pool.map(lambda t: store.read(source, t), tickers):
            loaded.append(frame_and_meta)
            counter.advance()
    return loaded


def input_record(
    store: LocalCache, source: str, ticker: str, frame: pd.DataFrame, meta: CacheMeta
) -> InputRecord:
    """Provenance of one loaded ticker: path (relative to the data home when inside it)."""
    path = store.path_for(source, ticker)
    index = pd.DatetimeIndex(frame.index)
    return InputRecord(
        ticker=ticker,
        source=source,
        path=layout.relative_to_home(path),
        rows=len(frame),
        first=index[0].date().isoformat(),
        last=index[-1].date().isoformat(),
        sha256=meta.sha256,
    )
