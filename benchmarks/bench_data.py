"""Data layer figures: warm-cache universe load, CLI import cost, synthetic generation, gap checks.

Runs in a temporary ``QE_HOME`` (restored afterwards) so the repository's data home is untouched.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import numpy as np

from benchmarks.harness import (
    Result,
    best_of,
    best_time_under,
    command_time,
    python_command,
    temporary_home,
)
from quant_engine import layout

LOAD_TICKERS = 500
LOAD_YEARS = 15
LOAD_GOAL_S = 1.0
IMPORT_GOAL_RATIO = 2.0
GENERATE_GOAL_S = 5.0
GAP_TICKERS = 1_000
GAP_GOAL_S = 1.0


def bench_load() -> list[Result]:
    """Cold fill of the sample cache (informational), then the warm load against its goal."""
    from quant_engine.data import load_universe
    from quant_engine.data.providers import sample

    tickers = list(sample.available_tickers()[:LOAD_TICKERS])
    with temporary_home():
        start = time.perf_counter()
        load_universe(tickers, LOAD_YEARS)
        cold = time.perf_counter() - start
        warm = best_of(lambda: load_universe(tickers, LOAD_YEARS), repeat=5)
        cpu_start = time.process_time()
        rows = load_universe(tickers, LOAD_YEARS).rows
        cpu = time.process_time() - cpu_start
    label = f"{LOAD_TICKERS} tickers x {LOAD_YEARS} years"
    return [
        Result.under(
            f"load_universe {label}, warm cache",
            warm,
            "s",
            LOAD_GOAL_S,
            note=f"best of 5; {rows:,} rows, sha256-verified; CPU {cpu:.2f} s",
        ),
        Result(
            f"load_universe {label}, cold (generate + write)",
            cold,
            "s",
            note="once per data home; includes first imports",
        ),
    ]


def bench_cli_import() -> list[Result]:
    """``import quant_engine.cli`` against a bare ``import argparse`` (the --help path)."""
    cwd = str(layout.repo_root())
    cli = command_time(python_command("import quant_engine.cli"), repeat=7, cwd=cwd)
    bare = command_time(python_command("import argparse"), repeat=7, cwd=cwd)
    ratio = cli / bare
    return [
        Result(
            "python -c 'import quant_engine.cli' / 'import argparse'",
            ratio,
            "x",
            goal=f"within {IMPORT_GOAL_RATIO:g}x",
            met=ratio <= IMPORT_GOAL_RATIO,
            note=f"{cli * 1000:.0f} ms vs {bare * 1000:.0f} ms, best of 7",
        )
    ]


def bench_generate() -> list[Result]:
    """All 1,000 synthetic tickers x 20 years, shared factor paths rebuilt each time."""
    from quant_engine.data.providers import sample

    tickers = sample.synthetic_tickers()
    sample.fetch("S0000")  # imports and the real market factor, outside the timing

    def generate() -> None:
        sample.sector_factors.cache_clear()
        sample.fetch_many(tickers)

    name = f"synthetic generation {len(tickers):,} tickers x 20 years"
    return [best_time_under(name, generate, 2, GENERATE_GOAL_S)]


def bench_missing_sessions() -> list[Result]:
    """missing_sessions over 1,000 tickers x 15 years, each index with a few random gaps."""
    from quant_engine.data.calendar import missing_sessions, nyse_sessions

    sessions = nyse_sessions("2004-01-01", "2018-12-31")
    rng = np.random.default_rng(0)
    indexes = [sessions.delete(rng.integers(0, len(sessions), 5)) for _ in range(GAP_TICKERS)]
    name = f"missing_sessions {GAP_TICKERS:,} tickers x 15 years"
    return [best_time_under(name, lambda: [missing_sessions(i) for i in indexes], 3, GAP_GOAL_S)]


def run() -> Iterator[Result]:
    """Every data-layer figure, each group as it is measured."""
    logging.getLogger("quant_engine.data").setLevel(logging.ERROR)
    for group in (bench_load, bench_cli_import, bench_generate, bench_missing_sessions):
        yield from group()
