"""Download intraday bars from Alpaca into the intraday cache (merged with what is there).

Needs ``APCA_API_KEY_ID`` and ``APCA_API_SECRET_KEY``; a missing one exits 2 naming it. Bars go
to ``$QE_HOME/cache/intraday/alpaca/<TICKER>_<N>min.parquet``; every run leaves a manifest.
The work is :mod:`quant_engine.pipelines.intraday`; this command connects and reports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if not __package__:  # run as a file: make the repo's package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quant_engine import config
from scripts.intraday.command import build_intraday_parser, run_intraday_download

if TYPE_CHECKING:
    from quant_engine.data.providers.base import IntradayBarsSource


def connect(args: argparse.Namespace) -> IntradayBarsSource:
    """Alpaca with the environment's keys, on ``--base-url`` and ``--feed``."""
    from quant_engine.data.providers.alpaca import AlpacaSource

    alpaca = AlpacaSource.from_env(args.base_url)
    alpaca.feed = args.feed
    return alpaca


SCRIPT = "alpaca_intraday_download"


def build_parser() -> argparse.ArgumentParser:
    """Intraday flags plus the Alpaca data URL and feed."""
    parser = build_intraday_parser(SCRIPT, __doc__)
    parser.add_argument("--base-url", default=config.ALPACA_DATA_URL, help="Alpaca data API")
    parser.add_argument("--feed", default=config.ALPACA_FEED, help="iex (free) or sip")
    return parser


def main(argv: Sequence[str] | None = None, source: IntradayBarsSource | None = None) -> int:  # noqa: QE004 run_intraday_download returns run_entry_point(...)
    """Download under a run manifest; exit 0, 1 or 2."""
    return run_intraday_download(SCRIPT, build_parser, argv, source, connect)


if __name__ == "__main__":
    raise SystemExit(main())
