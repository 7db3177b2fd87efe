"""Fill missing NYSE sessions in cached daily bars from a live provider (IBKR or Alpaca).

For each cached ticker the trading calendar gives the sessions missing between its first bar and
its last (or the requested end); only those ranges are fetched, merged and written atomically, one
ticker at a time. Holidays are never gaps; early closes are sessions. Sessions the provider has
no bar for are remembered in its metadata and not asked again. Suspicious rows (non-session days,
zero volume, huge moves, collapsed volume) are reported, never changed. Tickers not cached yet
are backfilled from the start day (this is how a cache is first made). A dry run only lists gaps
and suspicious rows: no connection, works offline.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from quant_engine import config
from quant_engine.data import LocalCache, load_universe, normalize_ohlcv_columns, write_cache_meta
from quant_engine.data.calendar import nyse_sessions
from quant_engine.data.gaps import (
    GapRange,
    Suspicious,
    fill_from,
    find_gaps,
    gap_ranges,
    suspicious_rows,
)
from quant_engine.data.providers.base import DailyBarsSource
from quant_engine.errors import UsageError

__all__ = ["GapfillRequest", "TickerReport", "connect", "gapfill"]

logger = logging.getLogger("quant_engine.data")


@dataclass(frozen=True)
class GapfillRequest:
    """What to check and fill: which cache, which tickers, how far, and whether to fetch."""

    provider: str
    source: str
    tickers: Sequence[str] | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    dry_run: bool = False


@dataclass
class TickerReport:
    """What the gap-fill found and did for one ticker."""

    ticker: str
    gaps: list[GapRange] = field(default_factory=list)
    filled: int = 0
    unfillable: list[str] = field(default_factory=list)
    suspicious: list[Suspicious] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(g.sessions for g in self.gaps)


def chosen_tickers(request: GapfillRequest, cache: LocalCache) -> list[str]:
    """The requested tickers or every cached one; the sample source is generated on demand."""
    cached = list(cache.tickers(request.source))
    if request.source == "sample":
        wanted = list(request.tickers or cached or config.DEFAULT_UNIVERSE)
        load_universe(wanted, years=1, source="sample", cache=cache)  # materialises the cache
        return wanted
    if not request.tickers and not cached:
        raise UsageError(
            f"nothing is cached for source {request.source!r}: "
            "pass --tickers and --start to backfill"
        )
    new = [t for t in request.tickers or () if t not in cached]
    if new and request.start is None:
        raise UsageError(
            f"{', '.join(new)} not cached for {request.source!r}: pass --start to backfill"
        )
    return list(request.tickers or cached)


def fill_ticker(
    cache: LocalCache,
    source: str,
    report: TickerReport,
    bars: DailyBarsSource,
    current: tuple[pd.DataFrame, dict[str, Any]],
) -> None:
    """Fetch each gap range, keep rows on missing sessions, write once; remember empty ones."""
    frame, old = current
    gap_days = [d for g in report.gaps for d in session_days(g)]
    fetched: list[pd.DataFrame] = []
    for gap in report.gaps:
        raw = bars.fetch_daily(report.ticker, gap.start, gap.end)
        if raw.empty:
            continue
        clean = normalize_ohlcv_columns(raw, name=f"{bars.name}:{report.ticker}")
        report.suspicious += [
            Suspicious(r["date"], f"fetched row not used: {r['reason']}")
            for r in clean.attrs.get("rejected_rows", [])
        ]
        fetched.append(clean)
    found = pd.concat(fetched) if fetched else frame.iloc[0:0]
    merged, filled = fill_from(frame, found, pd.DatetimeIndex(gap_days))
    report.filled = len(filled)
    report.unfillable = [d for d in gap_days if pd.Timestamp(d) not in filled]
    known = sorted(set(old.get("unfillable_sessions", [])) | set(report.unfillable))
    extra: dict[str, Any] = {**old, "unfillable_sessions": known, "filled_by": bars.name}
    if report.filled:
        cache.write(source, report.ticker, merged, meta=extra)
    elif not frame.empty and known != old.get("unfillable_sessions"):
        path = cache.path_for(source, report.ticker)
        write_cache_meta(path, ticker=report.ticker, df=frame, source=source, meta=extra)


def session_days(gap: GapRange) -> list[str]:
    """ISO dates of the sessions of one gap range."""
    return [d.date().isoformat() for d in nyse_sessions(gap.start, gap.end)]


def empty_bars() -> pd.DataFrame:
    """A canonical OHLCV frame with no rows (a ticker being backfilled)."""
    columns = ["open", "high", "low", "close", "volume"]
    return pd.DataFrame(columns=columns, index=pd.DatetimeIndex([], name="date"), dtype="float64")


def connect(provider: str) -> DailyBarsSource:
    """The live bars source: IBKR (TWS / IB Gateway) or Alpaca (API keys from the env)."""
    if provider == "alpaca":
        from quant_engine.data.providers.alpaca import AlpacaSource

        return AlpacaSource.from_env()
    from quant_engine.data.providers.ibkr import IbkrSource

    return IbkrSource.connect()


def gapfill(
    request: GapfillRequest, bars: DailyBarsSource | None = None, cache: LocalCache | None = None
) -> list[TickerReport]:
    """Inspect (and unless ``dry_run`` fill) every chosen ticker; return the reports.

    ``bars`` is connected from ``request.provider`` only when there is something to fetch.
    """
    store = cache if cache is not None else LocalCache()
    reports = []
    for ticker in chosen_tickers(request, store):
        if store.has(request.source, ticker):
            frame, meta = store.read(request.source, ticker)
            extra = dict(meta.extra)
            known = extra.get("unfillable_sessions", [])
            gaps = find_gaps(pd.DatetimeIndex(frame.index), request.end, known)
        else:  # backfill: every session from the start day is a gap
            if request.start is None:
                raise UsageError(f"{ticker} not cached for {request.source!r}: pass --start")
            frame, extra = empty_bars(), {}
            end = request.end or dt.date.today() - dt.timedelta(days=1)
            gaps = nyse_sessions(request.start, end)
        report = TickerReport(ticker, gap_ranges(gaps))
        report.suspicious = suspicious_rows(frame)
        if report.gaps and not request.dry_run:
            bars = bars or connect(request.provider)
            fill_ticker(store, request.source, report, bars, (frame, extra))
        reports.append(report)
        logger.info("%s: %d missing sessions, %d filled", ticker, report.missing, report.filled)
    return reports
