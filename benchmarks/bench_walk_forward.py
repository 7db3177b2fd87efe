"""A whole walk-forward backtest at scale: wall time and peak memory, each size in a fresh process.

Each size runs ``backtest_strategy`` (default feature mode, model kind and portfolio: features,
labels, purged walk-forward fits, out-of-sample scores, simulation) on an in-memory random-walk
universe of 15 years, in a child process that reports its own wall time and peak resident memory
(``ru_maxrss``), so one size's memory never counts against another's.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.harness import Result

YEARS = 15
TICKER_COUNTS = (1_000, 3_000)
GOAL_TICKERS = 3_000
GOAL_SECONDS = 60.0
GOAL_PEAK_GB = 6.0
ROOT = Path(__file__).resolve().parent.parent


def measure_here(tickers: int) -> dict[str, float]:
    """Build the universe, then time one default walk-forward backtest; peak RSS of this process."""
    from benchmarks.bench_models import synthetic
    from quant_engine import config
    from quant_engine.backtest.simulation import BacktestConfig
    from quant_engine.backtest.strategy import backtest_strategy

    data = synthetic(tickers, YEARS)
    start, cpu = time.perf_counter(), time.process_time()
    backtest_strategy(
        data,
        feature_mode=config.DEFAULT_FEATURE_MODE,
        model_kind=config.DEFAULT_MODEL_KIND,
        portfolio=BacktestConfig(),
    )
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_gb": peak_kib / 1024**2,
        "rows": float(data.rows),
    }


def measure(tickers: int) -> list[Result]:
    """Wall time and peak memory of one size, measured in a child process."""
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]);"
        "from benchmarks.bench_walk_forward import measure_here;"
        "print(json.dumps(measure_here(int(sys.argv[2]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT), str(tickers)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    goal = tickers == GOAL_TICKERS
    size = f"{tickers:,} tickers x {YEARS} years"
    note = (
        f"CPU {figures['cpu_seconds']:.1f} s; {figures['rows'] / 1e6:.1f} M ticker-days; "
        "default mode/model/portfolio"
    )
    return [
        Result(
            f"walk-forward backtest {size}, wall time",
            figures["seconds"],
            "s",
            goal=f"<= {GOAL_SECONDS:g} s" if goal else "",
            met=figures["seconds"] <= GOAL_SECONDS if goal else None,
            note=note,
        ),
        Result(
            f"walk-forward backtest {size}, peak memory",
            figures["peak_gb"],
            "GB",
            goal=f"<= {GOAL_PEAK_GB:g} GB" if goal else "",
            met=figures["peak_gb"] <= GOAL_PEAK_GB if goal else None,
            note="ru_maxrss of the child process (universe included)",
        ),
    ]


def run() -> Iterator[Result]:
    """Both sizes, smaller first, each as it is measured."""
    for tickers in TICKER_COUNTS:
        yield from measure(tickers)
