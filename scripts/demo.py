"""The main job on the embedded data: train → predict → backtest → retrain check → autopilot.

Runs each entry point's ``main()`` in this process (as ``make demo`` / ``nox -s demo`` do) and
ends with a table of every step, its exit code, time, and the manifest that records it.
Any other arguments are passed to every step (e.g. ``--years 5`` for a quicker run);
``--help`` prints this help and runs nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

if not __package__:  # run as a file: make the repo's package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("run_train", ()),
    ("run_predict", ()),
    ("run_backtest", ()),
    ("run_retrain", ("--dry-run",)),
    ("run_autopilot", ()),
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every step; stop at the first failure and return its exit code."""
    from quant_engine.cli import new_parser, run_command

    parser = new_parser("demo", __doc__)
    parser.usage = "%(prog)s [-h] [step flags, e.g. --years 5 ...]"
    given = list(sys.argv[1:] if argv is None else argv)
    return run_command("demo", lambda: run(parser.parse_known_args(given)[1]))


def run(extra: list[str]) -> int:
    """The steps, each with ``extra`` flags, then a table of exit codes and manifests."""
    import importlib

    from rich.console import Console
    from rich.table import Table

    from quant_engine import layout
    from quant_engine.runs.store import latest_name

    console = Console()
    console.print(f"[bold]quant_engine demo[/bold] — data home {layout.data_home()}")
    table = Table(title="demo steps")
    for column in ("step", "exit", "seconds"):
        table.add_column(column)
    table.add_column("manifest", overflow="fold")
    started = time.perf_counter()
    for script, flags in STEPS:
        console.rule(script)
        module = importlib.import_module(f"quant_engine.{script}")
        t0 = time.perf_counter()
        code = int(module.main([*flags, *extra]))
        pointer = layout.manifests_dir() / latest_name(script)
        manifest = pointer.resolve() if pointer.exists() else "-"
        table.add_row(script, str(code), f"{time.perf_counter() - t0:.1f}", str(manifest))
        if code != 0:
            console.print(table)
            return code
    console.print(table)
    console.print(f"demo finished in {time.perf_counter() - started:.1f} s")
    console.print(
        "see the runs in the dashboard: [bold]make serve[/bold], then http://127.0.0.1:8000"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
