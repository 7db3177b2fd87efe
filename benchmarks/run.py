"""Run every ``benchmarks/bench_*.py`` (or those matching ``-k``) and print a table of figures."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main(argv: Sequence[str] | None = None) -> int:
    """Discover, run and report the benchmarks; ``--json PATH`` also saves the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-k", default="", help="only modules whose name contains this")
    parser.add_argument("--json", type=Path, default=None, help="write results here as JSON")
    args = parser.parse_args(argv)

    from rich.console import Console
    from rich.table import Table

    from benchmarks.harness import Result

    console = Console()
    results: list[Result] = []
    for path in sorted(HERE.glob("bench_*.py")):
        if args.k not in path.stem:
            continue
        console.print(f"[bold]{path.stem}[/bold] ...")
        module = importlib.import_module(f"benchmarks.{path.stem}")
        results.extend(module.run())

    table = Table(title="quant_engine benchmarks")
    for column in ("benchmark", "value", "unit", "goal", "met", "note"):
        table.add_column(column)
    for r in results:
        met = "" if r.met is None else ("yes" if r.met else "NO")
        table.add_row(r.name, f"{r.value:,.4g}", r.unit, r.goal, met, r.note)
    console.print(table)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
