"""Evaluate a grid of candidate strategies walk-forward and promote the best past the guards."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if not __package__:  # run as a file: put the package's parent on sys.path, never its folder
    sys.path[:] = [str(Path(__file__).resolve().parents[1])] + [
        p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent
    ]

from quant_engine.entrypoint import RunReport, output_dir, progress, run_entry_point

if TYPE_CHECKING:
    from quant_engine.runs.recorder import RunRecorder


def build_parser() -> argparse.ArgumentParser:
    """Flags: shared flags, the grid (modes × models × rules), executor, and costs."""
    from quant_engine import cli

    own_flags = (add_candidate_grid, add_execution_flags, cli.add_costs)
    return cli.engine_parser("qe-autopilot", __doc__, *own_flags)


def add_candidate_grid(parser: argparse.ArgumentParser) -> None:
    """The grid to search: feature modes × estimators × portfolio rules."""
    from quant_engine import cli, config

    grid = parser.add_argument_group("candidate grid")
    for flag, choices, text in (
        ("--feature-modes", config.FEATURE_MODES, "feature modes to try"),
        ("--models", config.MODEL_KINDS, "estimators to try"),
        ("--rules", config.PORTFOLIO_RULES, "portfolio rules to try"),
    ):  # each defaults to all of its choices
        grid.add_argument(flag, type=cli.choice_list(choices), default=choices, help=text)


def add_execution_flags(parser: argparse.ArgumentParser) -> None:
    """Where candidates are evaluated: a local process pool or a Dask cluster."""
    from quant_engine import cli, config

    compute = parser.add_argument_group("execution")
    cli.add_choice(compute, "--executor", "local process pool, or a Dask distributed cluster")
    compute.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler (tcp://host:8786)"
    )
    compute.add_argument(
        "--workers",
        type=cli.positive_int,
        default=config.AUTOPILOT_WORKERS,
        help="local worker processes",
    )


def autopilot(args: argparse.Namespace, run: RunRecorder) -> RunReport:
    """Load data once, evaluate every candidate, decide, persist the decision."""
    from quant_engine import steps
    from quant_engine.autopilot import build_grid, make_executor, run_autopilot

    grid = build_grid(args.feature_modes, args.models, args.rules)
    with make_executor(args.executor, args.scheduler, args.workers) as executor:
        data = steps.load_data(args, run)
        run.add_seed("model", args.seed)
        run.resolve(
            candidates=[c.candidate_id for c in grid],
            executor=executor.describe(),
            cost_bps=args.cost_bps,
            slippage_bps=args.slippage_bps,
        )
        with progress(args) as bar:
            task = bar.add_task("evaluating candidates", total=len(grid))
            outcome = run_autopilot(
                data,
                grid=grid,
                executor=executor,
                seed=args.seed,
                cost_bps=args.cost_bps,
                slippage_bps=args.slippage_bps,
                out_dir=output_dir(args, run),
                on_progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    for name, path in outcome.outputs.items():
        run.add_output(name, path)
    decision = outcome.decision
    run.set_result(promoted=decision.promoted, best=decision.best_id, reasons=decision.reasons)
    return RunReport(
        title="promoted " + decision.best_id if decision.promoted else "incumbent kept",
        rows={"candidates": len(grid), "best": decision.best_id, "reasons": decision.reasons},
        outputs=dict(outcome.outputs),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``qe-autopilot``."""
    return run_entry_point("run_autopilot", build_parser, argv, autopilot)


if __name__ == "__main__":
    raise SystemExit(main())
