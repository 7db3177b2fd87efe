"""Fill missing NYSE sessions in cached daily bars from Interactive Brokers (or Alpaca).

For each cached ticker of ``--source`` (default ``ibkr``) the trading calendar gives the sessions
missing between its first bar and its last (or ``--end``); only those ranges are fetched, merged
and written atomically, one ticker at a time. Holidays are never gaps; early closes are sessions.
Sessions IBKR has no bar for are remembered in the sidecar and not asked again. Suspicious rows
(non-session days, zero volume, huge moves, collapsed volume) are reported, never changed.
``--tickers`` not cached yet are backfilled from ``--start`` (this is how a cache is first made).

``--dry-run`` only lists gaps and suspicious rows: no connection, works offline, e.g. on the
embedded data (``--source sample``). The work is :mod:`quant_engine.pipelines.gapfill`; this
command parses, records the run and prints the report.
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
    from quant_engine.data.providers.base import DailyBarsSource
    from quant_engine.pipelines.gapfill import TickerReport
    from quant_engine.runs.recorder import RunRecorder

SCRIPT = "ibkr_daily_gapfill"


def build_parser() -> argparse.ArgumentParser:
    """Flags: which cache, which tickers, how far, dry run, verbosity."""
    parser = cli.new_parser("ibkr_daily_gapfill.py", __doc__ or SCRIPT)
    parser.add_argument(
        "--provider",
        choices=config.GAPFILL_PROVIDERS,
        default="ibkr",
        help="where missing bars are fetched",
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
    for flag, text in (
        ("--start", "backfill --tickers not cached yet from this day (YYYY-MM-DD)"),
        ("--end", "also fill up to this day (YYYY-MM-DD)"),
    ):
        parser.add_argument(flag, type=cli.iso_date, default=None, help=text)
    parser.add_argument("--dry-run", action="store_true", help="list gaps; fetch nothing")
    parser.add_argument(
        "--show",
        type=cli.non_negative_int,
        default=5,
        help="gaps and suspicious rows listed per ticker",
    )
    cli.add_verbosity(parser)
    return parser


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
        from dataclasses import fields

        from quant_engine.pipelines.gapfill import GapfillRequest, gapfill

        args.source = args.source or args.provider
        # every field of the request is the parsed flag of the same name
        request = GapfillRequest(**{f.name: getattr(args, f.name) for f in fields(GapfillRequest)})
        reports = gapfill(request, bars)
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
