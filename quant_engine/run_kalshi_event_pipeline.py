"""Fetch Kalshi events, markets and candles for the configured series and compute event features.

Public market data only (no Kalshi account needed). Raw responses, normalised tables and
session-aligned features go to the Kalshi cache; nothing is written if any request fails.
"""

from __future__ import annotations

import argparse
import re
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
    from rich.progress import TaskID

    from quant_engine.runs.recorder import RunRecorder

CANDLE_PERIODS = (1, 60, 1440)
_SERIES_RE = re.compile(r"^[A-Z0-9][A-Z0-9_\-]{0,63}$")


def series_list(text: str) -> tuple[str, ...]:
    """argparse type: comma-separated Kalshi series tickers, upper-cased, de-duplicated."""
    found: list[str] = []
    for raw in text.split(","):
        name = raw.strip().upper()
        if name and not _SERIES_RE.match(name):
            raise argparse.ArgumentTypeError(f"not a Kalshi series ticker: {raw.strip()!r}")
        if name and name not in found:
            found.append(name)
    if not found:
        raise argparse.ArgumentTypeError("expected at least one series ticker")
    return tuple(found)


def build_parser() -> argparse.ArgumentParser:
    """Flags: series, date window, API address and candle period, plus the run flags."""
    parser = cli.new_parser("qe-kalshi-pipeline", __doc__)
    parser.add_argument(
        "--series",
        type=series_list,
        default=config.KALSHI_SERIES,
        metavar="S1,S2,...",
        help="Kalshi series tickers",
    )
    cli.add_date_range(
        parser,
        start_default=f"{config.KALSHI_LOOKBACK_DAYS} days before --end",
        end_default="today",
    )
    parser.add_argument(
        "--base-url", default=config.KALSHI_BASE_URL, help="Kalshi REST API v2 base URL"
    )
    parser.add_argument(
        "--candle-minutes",
        type=int,
        choices=CANDLE_PERIODS,
        default=config.KALSHI_CANDLE_MINUTES,
        help="candlestick period fetched",
    )
    cli.add_run_flags(parser, seed=False)
    return parser


def pipeline(args: argparse.Namespace, run: RunRecorder) -> RunReport:
    """Fetch every series first, then write them all; record counts and files in the manifest."""
    import datetime as dt

    from quant_engine.extras import requires_extra
    from quant_engine.utils.progress import progress_display

    with requires_extra("kalshi", "the Kalshi pipeline"):
        from quant_engine.kalshi.client import KalshiClient
        from quant_engine.pipelines.kalshi_events import fetch_series, write_series

    end: dt.date = args.end or dt.date.today()
    start: dt.date = args.start or end - dt.timedelta(days=config.KALSHI_LOOKBACK_DAYS)
    cli.check_date_window(start, end)
    run.resolve(
        series=list(args.series),
        window_start=start.isoformat(),
        window_end=end.isoformat(),
        base_url=args.base_url,
        candle_minutes=args.candle_minutes,
    )
    fetched = []
    with KalshiClient(args.base_url) as client, progress_display(quiet=args.quiet) as bar:
        cutoff = client.cutoff()
        for series in args.series:
            task = bar.add_task(f"Kalshi {series}", total=None)

            def advance(_event: str, task_id: TaskID = task) -> None:
                bar.advance(task_id)

            fetched.append(
                fetch_series(
                    client,
                    series,
                    start,
                    end,
                    cutoff,
                    candle_minutes=args.candle_minutes,
                    on_event=advance,
                )
            )
    for data in fetched:
        for name, path in write_series(data, run.run_id).items():
            run.add_output(name, path)
    per_series = {
        d.series: {"events": len(d.events), "markets": len(d.markets), "candles": len(d.candles)}
        for d in fetched
    }
    run.set_result(
        series=len(fetched),
        events=sum(len(d.events) for d in fetched),
        markets=sum(len(d.markets) for d in fetched),
        candles=sum(len(d.candles) for d in fetched),
        sessions_with_features=int(sum(d.features.notna().any(axis=1).sum() for d in fetched)),
        per_series=per_series,
        historical_cutoff=cutoff.market_settled_ts.isoformat(),
    )
    return RunReport(
        title=f"Kalshi events {start} .. {end}",
        rows={
            series: f"{c['events']} events, {c['markets']} markets, {c['candles']} candles"
            for series, c in per_series.items()
        },
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``qe-kalshi-pipeline``."""
    return run_entry_point("run_kalshi_event_pipeline", build_parser, argv, pipeline)


if __name__ == "__main__":
    raise SystemExit(main())
