"""Run-manifest overhead per run: build (with git) + hash outputs + write, for a typical backtest.

A backtest writes about three files (~200 KB); the recorder writes the ``running`` manifest at
start and the final one at the end. The figure that matters is the first run in a fresh process
(entry points run once per process), measured in a subprocess after imports.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from benchmarks.harness import Result, best_of, temporary_home

GOAL_MS = 50.0
OUTPUT_SIZES = {"trades": 120_000, "equity": 60_000, "summary": 20_000}
INPUT_FILES = 26
INPUT_SIZE = 250_000

RECORD_ONE = textwrap.dedent(
    """
    import argparse, sys, time
    from pathlib import Path
    from quant_engine.utils.reproducibility import record_run

    folder = Path(sys.argv[1])
    args = argparse.Namespace(years=15, feature_mode="core", seed=42, output_dir=None)
    start = time.perf_counter()
    with record_run(args, "run_backtest", module="quant_engine.run_backtest",
                    argv=["--years", "15"]) as run:
        run.resolve(effective_entry_threshold=0.0, effective_confidence=0.6)
        for name in ("trades", "equity", "summary"):
            run.add_output(name, folder / f"{name}.csv")
        run.set_result(total_trades=1234)
    print((time.perf_counter() - start) * 1000)
    """
)


def write_outputs(folder: Path) -> None:
    """Deterministic stand-ins for a backtest's output files."""
    for name, size in OUTPUT_SIZES.items():
        (folder / f"{name}.csv").write_bytes(bytes(i % 251 for i in range(size)))


def first_run_ms(folder: Path, repeat: int = 7) -> float:
    """Fastest wall time of the first recorded run in a fresh process (imports excluded)."""
    env = {**os.environ, "QE_HOME": str(folder)}
    times = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", RECORD_ONE, str(folder)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        times.append(float(done.stdout.strip()))
    return min(times)


def run() -> list[Result]:
    """Measure first-run and warm overhead, git provenance, and input hashing."""
    from quant_engine.runs import provenance
    from quant_engine.runs.hashing import file_sha256
    from quant_engine.utils.reproducibility import record_run

    results: list[Result] = []
    with temporary_home("qe_bench_manifest_") as tmp:
        folder = Path(tmp)
        write_outputs(folder)
        cold = first_run_ms(folder)
        results.append(
            Result.under(
                "manifest overhead, first run in a process",
                cold,
                "ms",
                GOAL_MS,
                note="best of 7 processes; git + 3 outputs (200 KB) + 2 atomic writes",
            )
        )

        def once() -> None:
            with record_run(None, "run_backtest", module="m", argv=[]) as rec:
                for name in OUTPUT_SIZES:
                    rec.add_output(name, folder / f"{name}.csv")

        warm = best_of(once, 10) * 1000
        results.append(
            Result.under(
                "manifest overhead, warm",
                warm,
                "ms",
                GOAL_MS,
                note="best of 10 in one process",
            )
        )
        git = best_of(provenance.collect_provenance, 10) * 1000
        results.append(
            Result("git + environment provenance", git, "ms", note="status and diff run together")
        )
        inputs = folder / "inputs"
        inputs.mkdir()
        for i in range(INPUT_FILES):
            (inputs / f"T{i}.parquet").write_bytes(os.urandom(INPUT_SIZE))
        files = sorted(inputs.iterdir())
        hashing = best_of(lambda: [file_sha256(p) for p in files], 5) * 1000
        results.append(
            Result(
                "hash market-data inputs",
                hashing,
                "ms",
                note=f"{INPUT_FILES} files x {INPUT_SIZE // 1000} KB (add_market_data)",
            )
        )
    return results
