"""Download intraday bars from Alpaca into the intraday cache (merged with what is there).

Needs ``APCA_API_KEY_ID`` and ``APCA_API_SECRET_KEY``; a missing one exits 2 naming it. Bars go
to ``$QE_HOME/cache/intraday/alpaca/<TICKER>_<N>min.parquet``; every run leaves a manifest.
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

from quant_engine import cli, config

if TYPE_CHECKING:
    from quant_engine.data.providers.base import IntradayBarsSource
    from quant_engine.runs.recorder import RunRecorder

SCRIPT = "alpaca_intraday_download"


def build_parser() -> argparse.ArgumentParser:
    """Intraday flags plus the Alpaca data URL and feed."""
    parser = cli.new_parser("alpaca_intraday_download.py", __doc__ or SCRIPT)
    cli.add_intraday_flags(parser)
    parser.add_argument("--base-url", default=config.ALPACA_DATA_URL, help="Alpaca data API")
    parser.add_argument("--feed", default=config.ALPACA_FEED, help="iex (free) or sip")
    return parser


def main(argv: Sequence[str] | None = None, source: IntradayBarsSource | None = None) -> int:
    """Download under a run manifest; exit 0, 1 or 2."""
    from quant_engine.entrypoint import run_entry_point

    def job(args: argparse.Namespace, run: RunRecorder) -> Callable[[], None]:
        from quant_engine.data.providers.alpaca import AlpacaSource
        from quant_engine.pipelines.intraday import print_downloads, record_download

        chosen = source
        if chosen is None:
            alpaca = AlpacaSource.from_env(args.base_url)
            alpaca.feed = args.feed
            chosen = alpaca
        results = record_download(
            run, chosen, args.tickers, minutes=args.minutes, days=args.days, end=args.end
        )
        return lambda: print_downloads(results)

    return run_entry_point(SCRIPT, build_parser, argv, job, as_module=False)


if __name__ == "__main__":
    raise SystemExit(main())
