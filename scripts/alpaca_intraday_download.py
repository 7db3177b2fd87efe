"""Download intraday bars from Alpaca into the intraday cache (merged with what is there).

Needs ``APCA_API_KEY_ID`` and ``APCA_API_SECRET_KEY``; a missing one exits 2 naming it. Bars go
to ``$QE_HOME/cache/intraday/alpaca/<TICKER>_<N>min.parquet``; every run leaves a manifest.

This script imports ``quant_engine`` normally (the repo root is put on ``sys.path`` when it runs
as a file); it does not load modules by file path, so the audit's deferred F4/F5 finding about
``importlib.util`` bypasses does not apply to it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if not __package__:  # run as a file: make the repo's package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quant_engine import cli, config

if TYPE_CHECKING:
    from quant_engine.data.providers.base import IntradayBarsSource
    from quant_engine.utils.reproducibility import RunRecorder

SCRIPT = "alpaca_intraday_download"


def add_intraday_flags(parser: argparse.ArgumentParser) -> None:
    """Tickers, bar size and window shared by the intraday download scripts."""
    parser.add_argument(
        "--tickers", type=cli.ticker_list, required=True, metavar="T1,T2,...", help="tickers"
    )
    parser.add_argument(
        "--minutes",
        type=int,
        choices=config.INTRADAY_BAR_MINUTES,
        default=config.DEFAULT_INTRADAY_BAR_MINUTES,
        help="bar size in minutes",
    )
    parser.add_argument(
        "--days",
        type=cli.positive_int,
        default=config.INTRADAY_LOOKBACK_DAYS,
        help="calendar days back from --end",
    )
    parser.add_argument(
        "--end", type=cli.iso_date, default=None, help="last day (YYYY-MM-DD); default today"
    )
    cli.add_verbosity(parser)


def build_parser() -> argparse.ArgumentParser:
    """Intraday flags plus the Alpaca data URL and feed."""
    parser = cli.new_parser("alpaca_intraday_download.py", __doc__ or SCRIPT)
    add_intraday_flags(parser)
    parser.add_argument("--base-url", default=config.ALPACA_DATA_URL, help="Alpaca data API")
    parser.add_argument("--feed", default=config.ALPACA_FEED, help="iex (free) or sip")
    return parser


def intraday_job(
    args: argparse.Namespace, run: RunRecorder, source: IntradayBarsSource
) -> Callable[[], None]:
    """Download ``args.tickers`` from ``source``; record counts and files; return the printer."""
    import datetime as dt

    from quant_engine.data.providers.intraday import download

    end_day: dt.date = args.end or dt.date.today()
    end = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    start = end - dt.timedelta(days=args.days)
    run.resolve(
        source=source.name,
        tickers=list(args.tickers),
        minutes=args.minutes,
        start=start.isoformat(),
        end=end.isoformat(),
    )
    results = download(source, args.tickers, start, end, args.minutes)
    for result in results:
        run.add_output(result.ticker, result.path)
    run.set_result(
        tickers=len(results),
        bars_fetched=sum(r.fetched for r in results),
        bars_added=sum(r.added for r in results),
        bars_dropped=sum(r.dropped for r in results),
    )

    def summary() -> None:
        for r in results:
            counts = f"{r.fetched} bars fetched, {r.added} new, {r.dropped} invalid"
            print(f"{r.ticker}: {counts} -> {r.path}")

    return summary


def main(argv: Sequence[str] | None = None, source: IntradayBarsSource | None = None) -> int:
    """Download under a run manifest; exit 0, 1 or 2."""
    from quant_engine.entrypoint import run_entry_point

    def job(args: argparse.Namespace, run: RunRecorder) -> Callable[[], None]:
        from quant_engine.data.providers.alpaca import AlpacaSource

        chosen = source
        if chosen is None:
            alpaca = AlpacaSource.from_env(args.base_url)
            alpaca.feed = args.feed
            chosen = alpaca
        return intraday_job(args, run, chosen)

    return run_entry_point(SCRIPT, build_parser, argv, job, as_module=False)


if __name__ == "__main__":
    raise SystemExit(main())
