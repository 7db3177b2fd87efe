"""One intraday download command: parse the shared flags, connect, download, report.

The Alpaca and IBKR commands differ only in their extra flags and the bars source they connect
to. Only argparse-level modules are imported here, so ``--help`` stays instant; the download
(pandas) is imported once the flags are parsed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from quant_engine import cli
from quant_engine.entrypoint import run_entry_point

if TYPE_CHECKING:
    from quant_engine.data.providers.base import IntradayBarsSource
    from quant_engine.runs.recorder import RunRecorder

Connect = Callable[[argparse.Namespace], "IntradayBarsSource"]
"""Opens the bars source a command downloads from, given its parsed flags."""


def build_intraday_parser(script: str, description: str | None) -> argparse.ArgumentParser:
    """``scripts/<script>.py``'s parser with the intraday flags: tickers, bar size, window."""
    parser = cli.new_parser(f"{script}.py", description or script)
    cli.add_intraday_flags(parser)
    return parser


def run_intraday_download(
    script: str,
    build_parser: Callable[[], argparse.ArgumentParser],
    argv: Sequence[str] | None,
    source: IntradayBarsSource | None,
    connect: Connect,
) -> int:
    """Download from ``source`` (else the one ``connect`` opens) under a run manifest, print one
    line per ticker; exit 0, 1 or 2."""

    def job(args: argparse.Namespace, run: RunRecorder) -> Callable[[], None]:
        from quant_engine.pipelines.intraday import print_downloads, record_download

        bars = source if source is not None else connect(args)
        results = record_download(
            run, bars, args.tickers, minutes=args.minutes, days=args.days, end=args.end
        )
        return lambda: print_downloads(results)

    return run_entry_point(script, build_parser, argv, job, as_module=False)
