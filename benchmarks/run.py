"""Run every ``benchmarks/bench_*.py`` (or those matching ``-k``) and print a table of figures.

Each figure is printed as soon as it is measured; the closing table uses the terminal's width.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

if TYPE_CHECKING:
    from rich.console import Console

    from benchmarks.harness import Result

WIDE_DEFAULT = 160
"""Columns when no terminal is attached (a log file): wide enough that nothing is cut."""

BenchModule = tuple[str, Callable[[], Iterable["Result"]]]
"""A benchmark module's name and its ``run`` (a list, or a generator yielding as it measures)."""


def terminal_width() -> int:
    """``COLUMNS``, else the width of the terminal on stdout, stderr or stdin, else a wide default.

    ``make bench | tee log`` pipes stdout, yet stderr is still the terminal being watched.
    """
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    for stream in (sys.stdout, sys.stderr, sys.stdin):
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            continue
    return WIDE_DEFAULT


def result_line(r: Result) -> str:
    """One figure as a line: name, value and unit, goal and whether it was met."""
    met = "" if r.met is None else (" ✓" if r.met else " NOT MET")
    goal = f"  (goal {r.goal}{met})" if r.goal else ""
    note = f"  — {r.note}" if r.note else ""
    return f"  {r.name}: {r.value:,.4g} {r.unit}{goal}{note}"


def run_all(modules: Iterable[BenchModule], console: Console) -> list[Result]:
    """Run each module, printing every figure the moment it arrives; return them all."""
    results: list[Result] = []
    for name, run in modules:
        console.print(f"[bold]{name}[/bold] ...", highlight=False)
        for result in run():
            console.print(result_line(result), markup=False, highlight=False)
            console.file.flush()
            results.append(result)
    return results


def results_table(results: Sequence[Result]) -> object:
    """The closing table; the name and note columns fold rather than being cut."""
    from rich.table import Table

    table = Table(title="quant_engine benchmarks", expand=False)
    table.add_column("benchmark", overflow="fold")
    for column in ("value", "unit", "goal", "met"):
        table.add_column(column, no_wrap=True)
    table.add_column("note", overflow="fold")
    for r in results:
        met = "" if r.met is None else ("yes" if r.met else "NO")
        table.add_row(r.name, f"{r.value:,.4g}", r.unit, r.goal, met, r.note)
    return table


def discovered(pattern: str) -> Iterable[BenchModule]:
    """The ``bench_*`` modules whose name contains ``pattern``, imported one at a time."""
    for path in sorted(HERE.glob("bench_*.py")):
        if pattern in path.stem:
            yield path.stem, importlib.import_module(f"benchmarks.{path.stem}").run


def main(argv: Sequence[str] | None = None) -> int:
    """Discover, run and report the benchmarks; ``--json PATH`` also saves the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-k", default="", help="only modules whose name contains this")
    parser.add_argument("--json", type=Path, default=None, help="write results here as JSON")
    args = parser.parse_args(argv)

    from rich.console import Console

    console = Console(width=terminal_width())
    results = run_all(discovered(args.k), console)
    console.print(results_table(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
