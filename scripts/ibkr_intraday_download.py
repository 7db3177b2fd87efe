"""Download intraday bars from Interactive Brokers into the intraday cache (merged, paced).

Needs TWS or IB Gateway running (``IBKR_HOST`` / ``IBKR_PORT`` / ``IBKR_CLIENT_ID``). Requests
respect IBKR's historical-data pacing. Bars go to
``$QE_HOME/cache/intraday/ibkr/<TICKER>_<N>min.parquet``; every run leaves a manifest.
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

from scripts.intraday.command import build_intraday_parser, run_intraday_download

if TYPE_CHECKING:
    from quant_engine.data.providers.base import IntradayBarsSource


def connect(args: argparse.Namespace) -> IntradayBarsSource:
    """A session with the TWS or IB Gateway the environment names."""
    from quant_engine.data.providers.ibkr import IbkrSource

    return IbkrSource.connect()


SCRIPT = "ibkr_intraday_download"


def build_parser() -> argparse.ArgumentParser:
    """The shared intraday flags."""
    return build_intraday_parser(SCRIPT, __doc__)


def main(argv: Sequence[str] | None = None, source: IntradayBarsSource | None = None) -> int:  # noqa: QE004 run_intraday_download returns run_entry_point(...)
    """Download under a run manifest; exit 0, 1 or 2."""
    return run_intraday_download(SCRIPT, build_parser, argv, source, connect)


if __name__ == "__main__":
    raise SystemExit(main())
