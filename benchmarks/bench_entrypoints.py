"""Entry points: ``--help`` wall time against bare argparse, and ``make demo`` end to end."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

from benchmarks.harness import Result, command_time, python_command, temporary_home
from quant_engine import layout

HELP_GOAL_RATIO = 2.0
DEMO_GOAL_S = 60.0
HELP_SCRIPTS = ("run_backtest", "run_train", "run_autopilot")


def help_results() -> list[Result]:
    """``python quant_engine/run_x.py --help`` vs ``python -c 'import argparse'``."""
    baseline = command_time(python_command("import argparse"), repeat=7)
    results = [Result("python -c 'import argparse'", baseline * 1000, "ms", note="baseline")]
    for script in HELP_SCRIPTS:
        path = str(layout.package_dir() / f"{script}.py")
        seconds = command_time([sys.executable, path, "--help"], repeat=7)
        ratio = seconds / baseline
        results.append(
            Result(
                f"{script}.py --help",
                seconds * 1000,
                "ms",
                goal=f"within {HELP_GOAL_RATIO:g}x of argparse",
                met=ratio <= HELP_GOAL_RATIO,
                note=f"{ratio:.2f}x argparse; best of 7",
            )
        )
    return results


def demo_result() -> Result:
    """``scripts/demo.py`` from a cold, empty data home (sample data generated on the way)."""
    with temporary_home("qe_bench_demo_"):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, str(layout.repo_root() / "scripts" / "demo.py"), "--quiet"],
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - start
    return Result.under(
        "make demo (train → predict → backtest → retrain → autopilot)",
        seconds,
        "s",
        DEMO_GOAL_S,
        note="cold data home, default universe (26 tickers x 15 years), full autopilot grid",
    )


def run() -> Iterator[Result]:
    """All entry-point figures, each as it is measured."""
    yield from help_results()
    yield demo_result()
