"""Backtest simulation throughput: ticker-days per second of ``simulate`` on 15 years of data."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np

from benchmarks.harness import Result
from quant_engine import config
from quant_engine.backtest.simulation import BacktestConfig, simulate

DAYS = 15 * config.TRADING_DAYS_PER_YEAR  # 3,780 sessions
TICKER_COUNTS = (10, 100, 1_000)
GOAL_TICKERS = 1_000
GOAL_PER_SECOND = 50e6
MISSING = 0.05
"""Share of scores and returns set to NaN, so the benchmark pays for missing-data handling."""


def market(tickers: int, seed: int = config.DEFAULT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Seeded random scores and daily returns of shape (DAYS, tickers), with NaN gaps."""
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal((DAYS, tickers))
    returns = rng.normal(0.0003, 0.015, (DAYS, tickers))
    scores[rng.random(scores.shape) < MISSING] = np.nan
    returns[rng.random(returns.shape) < MISSING] = np.nan
    returns[0] = np.nan
    return scores, returns


def measure(rule: str, tickers: int, repeat: int = 5) -> Result:
    """Best-of-``repeat`` wall-clock throughput of one rule.

    The note adds the best CPU-time throughput: it is the one-core figure when other processes
    share the machine (wall > CPU), and CPU > wall would reveal hidden threading.
    """
    scores, returns = market(tickers)

    settings = BacktestConfig(rule=rule)

    def once() -> None:
        simulate(scores, returns, settings)

    once()  # warm-up
    walls, cpus = [], []
    for _ in range(repeat):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        once()
        walls.append(time.perf_counter() - wall_start)
        cpus.append(time.process_time() - cpu_start)
    size = DAYS * tickers
    per_second = size / min(walls)
    goal = tickers == GOAL_TICKERS
    return Result(
        name=f"backtest {rule} {tickers:,} tickers x {DAYS:,} days",
        value=per_second / 1e6,
        unit="M ticker-days/s",
        goal=f">= {GOAL_PER_SECOND / 1e6:.0f}" if goal else "",
        met=per_second >= GOAL_PER_SECOND if goal else None,
        note=f"{min(walls) * 1e3:.1f} ms; by CPU time {size / min(cpus) / 1e6:.1f}M/s",
    )


def run() -> Iterator[Result]:
    """Throughput of both portfolio rules for 10, 100 and 1,000 tickers, each as it is measured."""
    for rule in config.PORTFOLIO_RULES:
        for n in TICKER_COUNTS:
            yield measure(rule, n)
