"""Fill missing NYSE sessions in cached daily bars from Interactive Brokers (or Alpaca).

For each cached ticker of ``--source`` (default ``ibkr``) the trading calendar gives the sessions
missing between its first bar and its last (or ``--end``); only those ranges are fetched, merged
and written atomically, one ticker at a time. Holidays are never gaps; early closes are sessions.
Sessions IBKR has no bar for are remembered in the sidecar and not asked again. Suspicious rows
(non-session days, zero volume, huge moves, collapsed volume) are reported, never changed.
``--tickers`` not cached yet are backfilled from ``--start`` (this is how a cache is first made).

``--dry-run`` only lists gaps and suspicious rows: no connection, works offline, e.g. on the
embedded data (``--source sample``). Uses only public names of ``quant_engine`` (spec T7).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if not __package__:  # run as a file: make the repo's package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quant_engine import cli, config

if TYPE_CHECKING:
    import pandas as pd

    from quant_engine.data import LocalCache
    from quant_engine.data.providers.base import DailyBarsSource
    from quant_engine.data.providers.gaps import GapRange, Suspicious
    from quant_engine.utils.reproducibility import RunRecorder

SCRIPT = "ibkr_daily_gapfill"
PROVIDERS = ("ibkr", "alpaca")
logger = logging.getLogger("quant_engine.data")


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


def build_parser() -> argparse.ArgumentParser:
    """Flags: which cache, which tickers, how far, dry run, verbosity."""
    parser = cli.new_parser("ibkr_daily_gapfill.py", __doc__ or SCRIPT)
    parser.add_argument(
        "--provider", choices=PROVIDERS, default="ibkr", help="where missing bars are fetched"
    )
    parser.add_argument(
        "--source",
        choices=config.DATA_SOURCES,
        default=None,
        help="cached source to check and fill (default: the provider's own)",
    )
    parser.add_argument(
        "--tickers",
        type=cli.ticker_list,
        default=None,
        metavar="T1,T2,...",
        help="tickers to check (default: every cached ticker of --source)",
    )
    parser.add_argument(
        "--start",
        type=cli.iso_date,
        default=None,
        help="backfill --tickers not cached yet from this day (YYYY-MM-DD)",
    )
    parser.add_argument(
        "--end", type=cli.iso_date, default=None, help="also fill up to this day (YYYY-MM-DD)"
    )
    parser.add_argument("--dry-run", action="store_true", help="list gaps; fetch nothing")
    parser.add_argument(
        "--show",
        type=cli.non_negative_int,
        default=5,
        help="gaps and suspicious rows listed per ticker",
    )
    cli.add_verbosity(parser)
    return parser


def chosen_tickers(args: argparse.Namespace, cache: LocalCache) -> list[str]:
    """``--tickers`` or every cached ticker; the sample source is generated on demand."""
    from quant_engine.data import load_universe
    from quant_engine.errors import UsageError

    cached = list(cache.tickers(args.source))
    if args.source == "sample":
        wanted = list(args.tickers or cached or config.DEFAULT_UNIVERSE)
        load_universe(wanted, years=1, source="sample", cache=cache)  # materialises the cache
        return wanted
    if not args.tickers and not cached:
        raise UsageError(
            f"nothing is cached for source {args.source!r}: pass --tickers and --start to backfill"
        )
    new = [t for t in args.tickers or () if t not in cached]
    if new and args.start is None:
        raise UsageError(
            f"{', '.join(new)} not cached for {args.source!r}: pass --start to backfill"
        )
    return list(args.tickers or cached)


def fill_ticker(
    cache: LocalCache,
    source: str,
    report: TickerReport,
    bars: DailyBarsSource,
    current: tuple[pd.DataFrame, dict[str, Any]],
) -> None:
    """Fetch each gap range, keep rows on missing sessions, write once; remember empty ones."""
    import pandas as pd

    from quant_engine.data import normalize_ohlcv_columns, write_cache_meta
    from quant_engine.data.providers.gaps import Suspicious, fill_from

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
    from quant_engine.data.calendar import nyse_sessions

    return [d.date().isoformat() for d in nyse_sessions(gap.start, gap.end)]


def empty_bars() -> pd.DataFrame:
    """A canonical OHLCV frame with no rows (a ticker being backfilled)."""
    import pandas as pd

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
    args: argparse.Namespace, bars: DailyBarsSource | None = None, cache: LocalCache | None = None
) -> list[TickerReport]:
    """Inspect (and unless ``--dry-run`` fill) every chosen ticker; return the reports."""
    import datetime as dt

    import pandas as pd

    from quant_engine.data import LocalCache
    from quant_engine.data.calendar import nyse_sessions
    from quant_engine.data.providers.gaps import find_gaps, gap_ranges, suspicious_rows

    store = cache if cache is not None else LocalCache()
    args.source = args.source or args.provider
    reports = []
    for ticker in chosen_tickers(args, store):
        if store.has(args.source, ticker):
            frame, meta = store.read(args.source, ticker)
            extra = dict(meta.extra)
            known = extra.get("unfillable_sessions", [])
            gaps = find_gaps(pd.DatetimeIndex(frame.index), args.end, known)
        else:  # backfill: every session from --start is a gap
            frame, extra = empty_bars(), {}
            end = args.end or dt.date.today() - dt.timedelta(days=1)
            gaps = nyse_sessions(args.start, end)
        report = TickerReport(ticker, gap_ranges(gaps))
        report.suspicious = suspicious_rows(frame)
        if report.gaps and not args.dry_run:
            bars = bars or connect(args.provider)
            fill_ticker(store, args.source, report, bars, (frame, extra))
        reports.append(report)
        logger.info("%s: %d missing sessions, %d filled", ticker, report.missing, report.filled)
    return reports


def print_report(reports: list[TickerReport], args: argparse.Namespace) -> None:
    """A table of counts per ticker, then each ticker's first gap ranges and suspicious rows."""
    from rich.console import Console
    from rich.table import Table

    done = "would fetch" if args.dry_run else "filled"
    table = Table(title=f"gaps in the {args.source} cache{' (dry run)' if args.dry_run else ''}")
    for column in ("ticker", "missing", "ranges", done, "unfillable", "suspicious"):
        table.add_column(column)
    for r in reports:
        count = r.missing if args.dry_run else r.filled
        figures = (r.missing, len(r.gaps), count, len(r.unfillable), len(r.suspicious))
        table.add_row(r.ticker, *(str(f) for f in figures))
    console = Console(soft_wrap=True)
    console.print(table)
    for r in reports:
        for gap in r.gaps[: args.show]:
            span = f"{gap.start}..{gap.end}" if gap.sessions > 1 else str(gap.start)
            plural = "s" if gap.sessions > 1 else ""
            console.print(f"  {r.ticker} gap {span} ({gap.sessions} session{plural})")
        for row in r.suspicious[: args.show]:
            console.print(f"  {r.ticker} {row.date}: {row.reason} (not filled)")


def main(argv: Sequence[str] | None = None, bars: DailyBarsSource | None = None) -> int:
    """Check (and fill) the cache under a run manifest, print the report; exit 0, 1 or 2."""
    from quant_engine.entrypoint import run_entry_point

    def job(args: argparse.Namespace, run: RunRecorder) -> Callable[[], None]:
        reports = gapfill(args, bars)
        run.set_result(
            tickers=len(reports),
            missing_sessions=sum(r.missing for r in reports),
            filled=sum(r.filled for r in reports),
            unfillable=sum(len(r.unfillable) for r in reports),
            suspicious_rows=sum(len(r.suspicious) for r in reports),
            dry_run=args.dry_run,
        )
        return lambda: print_report(reports, args)

    return run_entry_point(SCRIPT, build_parser, argv, job, as_module=False)


if __name__ == "__main__":
    raise SystemExit(main())
