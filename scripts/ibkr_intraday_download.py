"""Download intraday bars from Interactive Brokers into the intraday cache (merged, paced).

Needs TWS or IB Gateway running (``IBKR_HOST`` / ``IBKR_PORT`` / ``IBKR_CLIENT_ID``). Requests
respect IBKR's historical-data pacing. Bars go to
``$QE_HOME/cache/intraday/ibkr/<TICKER>_<N>min.parquet``; every run leaves a manifest.
The work is :mod:`quant_engine.pipelines.intraday`; this command connects and reports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if not __package__:  # run as a file: make the repo's package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quant_engine import cli

if TYPE_CHECKING:
    from quant_engine.data.providers.base import IntradayBarsSource
    from quant_engine.runs.recorder import RunRecorder

SCRIPT = "ibkr_intraday_download"


def build_parser() -> argparse.ArgumentParser:
    """The shared intraday flags."""
    parser = cli.new_parser("ibkr_intraday_download.py", __doc__ or SCRIPT)
    cli.add_intraday_flags(parser)
    return parser


def main(argv: Sequence[str] | None = None, source: IntradayBarsSource | None = None) -> int:
    """Download under a run manifest; exit 0, 1 or 2."""
    from quant_engine.entrypoint import run_entry_point

    def job(args: argparse.Namespace, run: RunRecorder) -> Callable[[], None]:
        from quant_engine.data.providers.ibkr import IbkrSource
        from quant_engine.pipelines.intraday import print_downloads, record_download

        chosen = source if source is not None else IbkrSource.connect()
        results = record_download(
            run, chosen, args.tickers, minutes=args.minutes, days=args.days, end=args.end
        )
        return lambda: print_downloads(results)

    return run_entry_point(SCRIPT, build_parser, argv, job, as_module=False)


if __name__ == "__main__":
    raise SystemExit(main())
