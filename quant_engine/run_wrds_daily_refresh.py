"""Refresh the local ``wrds`` cache from CRSP on WRDS, incrementally from each ticker's last day.

Needs ``WRDS_USERNAME`` (and ``WRDS_PASSWORD``, ``PGPASSWORD`` or a ``~/.pgpass`` entry); never
prompts. Re-running after a failure resumes: tickers already checked through ``--end`` are skipped.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if not __package__:  # run as a file: put the package's parent on sys.path, never its folder
    sys.path[:] = [str(Path(__file__).resolve().parents[1])] + [
        p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent
    ]

from quant_engine import cli, config
from quant_engine.entrypoint import RunReport, run_entry_point

if TYPE_CHECKING:
    from quant_engine.pipelines.wrds_refresh import RefreshReport
    from quant_engine.runs.recorder import RunRecorder

REPORT_NAME = "refresh_report.csv"


def build_parser() -> argparse.ArgumentParser:
    """Flags: tickers, window and run flags, plus the CRSP layout, batch size and modes."""
    parser = cli.new_parser("qe-wrds-refresh", __doc__)
    cli.add_tickers(parser, default=None, default_text="every ticker already in the wrds cache")
    parser.add_argument(
        "--all-cached",
        action="store_true",
        help="refresh every ticker already in the wrds cache instead of --tickers",
    )
    cli.add_years(parser)
    cli.add_date_range(parser, end_default="today")
    cli.add_choice(
        parser,
        "--crsp-layout",
        "CRSP daily layout: dsf_v2 (CIZ, current) or the legacy dsf (ends 2024-12-31)",
    )
    parser.add_argument(
        "--batch-size",
        type=cli.positive_int,
        default=config.WRDS_BATCH_SIZE,
        help="tickers per CRSP query",
    )
    parser.add_argument(
        "--full", action="store_true", help="refetch the whole window, ignoring the cache"
    )
    cli.add_run_flags(parser, seed=False)
    return parser


def refresh(args: argparse.Namespace, run: RunRecorder) -> RunReport:
    """Connect, refresh batch by batch, write the per-ticker report; the manifest gets totals."""
    import datetime as dt

    import pandas as pd

    from quant_engine.data import LocalCache
    from quant_engine.data.providers.crsp import get_layout
    from quant_engine.data.providers.wrds import WrdsClient, WrdsSettings
    from quant_engine.entrypoint import output_dir
    from quant_engine.errors import UnknownTickerError, UsageError
    from quant_engine.pipelines.wrds_refresh import SOURCE, TickerOutcome, WrdsRefresher
    from quant_engine.utils.progress import progress_display

    cache = LocalCache()
    end: dt.date = args.end or dt.date.today()
    start: dt.date = args.start or (pd.Timestamp(end) - pd.DateOffset(years=args.years)).date()
    cli.check_date_window(start, end)
    tickers = list(cache.tickers(SOURCE) if args.all_cached or not args.tickers else args.tickers)
    if not tickers:
        raise UsageError(
            "nothing is cached for wrds yet: name the tickers with --tickers T1,T2,..."
        )
    settings = WrdsSettings.from_env()
    run.resolve(
        tickers=tickers,
        crsp_layout=args.crsp_layout,
        batch_size=args.batch_size,
        window_start=start.isoformat(),
        window_end=end.isoformat(),
        full=args.full,
        wrds=settings.describe(),
    )
    done: list[TickerOutcome] = []
    with progress_display(quiet=args.quiet) as bar:
        task = bar.add_task("WRDS refresh", total=len(tickers))

        def on_ticker(outcome: TickerOutcome) -> None:
            done.append(outcome)
            bar.advance(task)
            run.set_result(
                tickers_done=len(done),
                tickers_refreshed=sum(o.rows_added > 0 for o in done),
                rows_added=sum(o.rows_added for o in done),
            )

        with WrdsClient.connect(settings, get_layout(args.crsp_layout)) as client:
            refresher = WrdsRefresher(
                client, cache, end=end, default_start=start, full=args.full, on_ticker=on_ticker
            )
            report = refresher.run(tickers, args.batch_size)
    missing = report.with_status("not_found")
    if len(missing) == len(tickers):
        raise UnknownTickerError(f"none of the tickers is in CRSP: {', '.join(missing[:10])}")
    report_path = write_report(report, output_dir(args, run) / REPORT_NAME)
    run.add_output("refresh_report", report_path)
    run.add_output("wrds_cache", cache.source_dir(SOURCE))
    refreshed_from = report.start.isoformat() if report.start else None
    run.set_result(
        tickers_requested=len(tickers),
        tickers_refreshed=len(report.refreshed),
        rows_added=report.rows_added,
        refresh_start=refreshed_from,
        refresh_end=end.isoformat(),
        fresh=len(report.with_status("fresh")),
        no_new_rows=len(report.with_status("no_new_rows")),
        refetched=report.with_status("refetched"),
        not_found=missing,
        no_data=report.with_status("no_data"),
    )
    return RunReport(
        title=f"WRDS refresh ({args.crsp_layout}) through {end}",
        rows={
            "tickers refreshed": f"{len(report.refreshed)} of {len(tickers)}",
            "rows added": report.rows_added,
            "queried from": refreshed_from or "nothing (all fresh)",
            "already fresh": len(report.with_status("fresh")),
            "not in CRSP": missing or "none",
        },
        outputs={"report": report_path},
    )


def write_report(report: RefreshReport, path: Path) -> Path:
    """The per-ticker outcomes as CSV, written atomically."""
    from dataclasses import asdict

    import pandas as pd

    from quant_engine.utils.atomic import write_text_atomic

    table = pd.DataFrame([asdict(o) for o in report.outcomes])
    return write_text_atomic(path, table.to_csv(index=False))


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``qe-wrds-refresh``."""
    return run_entry_point("run_wrds_daily_refresh", build_parser, argv, refresh)


if __name__ == "__main__":
    raise SystemExit(main())
