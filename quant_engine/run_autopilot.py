"""Evaluate a grid of candidate strategies walk-forward and promote the best past the guards."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if not __package__:  # run as a file: put the package's parent on sys.path, never its folder
    sys.path[:] = [str(Path(__file__).resolve().parents[1])] + [
        p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent
    ]

from quant_engine.entrypoint import RunReport, output_dir, run_entry_point
from quant_engine.utils.progress import progress_bar, progress_display

if TYPE_CHECKING:
    from collections.abc import Callable

    from quant_engine.autopilot import AutopilotOutcome, Guards
    from quant_engine.runs.recorder import RunRecorder

LEADERBOARD_SIZE = 10
"""Candidates shown in the terminal leaderboard (candidates.csv has them all)."""


def build_parser() -> argparse.ArgumentParser:
    """Flags: shared flags, the grid (modes × models × rules), executor, and costs."""
    from quant_engine import cli

    own_flags = (add_candidate_grid, add_execution_flags, add_guard_flags, cli.add_costs)
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


def number_in(low: float, high: float) -> Callable[[str], float]:
    """argparse type builder: a number in ``low..high``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a number {low:g}..{high:g}, got {text!r}")
        return value

    return parse


def add_guard_flags(parser: argparse.ArgumentParser) -> None:
    """The promotion guards; each defaults to its QE_* variable, else to config."""
    from quant_engine import cli, config

    guards = parser.add_argument_group("promotion guards")
    fraction = number_in(0.0, 1.0)
    for flag, kind, default, text in (
        ("--min-trades", cli.non_negative_int, config.MIN_TRADES, "fewest trades"),
        ("--max-drawdown", fraction, config.MAX_DRAWDOWN, "largest drawdown, 0.35 = 35%%"),
        ("--min-deflated-sharpe", fraction, config.MIN_DEFLATED_SHARPE, "lowest deflated Sharpe"),
        (
            "--promotion-margin-sharpe",
            number_in(0.0, 10.0),
            config.PROMOTION_MARGIN_SHARPE,
            "Sharpe to add over the incumbent's to replace it",
        ),
        ("--max-pbo", fraction, config.MAX_PBO, "highest probability of backtest overfitting"),
        (
            "--holdout-fraction",
            number_in(0.0, 0.9),
            config.HOLDOUT_FRACTION,
            "end share of the common window kept from the selection; promotion is decided on it",
        ),
    ):  # each reads its QE_* variable first (see config.py)
        variable = "QE_" + flag.removeprefix("--").replace("-", "_").upper()
        guards.add_argument(flag, type=kind, default=default, help=f"{text} (env {variable})")


def guards_from(args: argparse.Namespace) -> Guards:
    """The promotion guards the flags (or their QE_* defaults) ask for."""
    from quant_engine.autopilot import Guards

    return Guards(
        min_trades=args.min_trades,
        max_drawdown=args.max_drawdown,
        min_deflated_sharpe=args.min_deflated_sharpe,
        margin_sharpe=args.promotion_margin_sharpe,
        max_pbo=args.max_pbo,
        holdout_fraction=args.holdout_fraction,
    )


def autopilot(args: argparse.Namespace, run: RunRecorder) -> Callable[[], None]:
    """Load data once, evaluate every candidate, decide, persist the decision."""
    from quant_engine import steps
    from quant_engine.autopilot import build_grid, make_executor, run_autopilot

    grid = build_grid(args.feature_modes, args.models, args.rules)
    guards = guards_from(args)
    with make_executor(args.executor, args.scheduler, args.workers) as executor:
        with progress_bar("loading data", quiet=args.quiet) as report:
            data = steps.load_data(args, run, report)
        run.add_seed("model", args.seed)
        run.resolve(
            candidates=[c.candidate_id for c in grid],
            executor=executor.describe(),
            cost_bps=args.cost_bps,
            slippage_bps=args.slippage_bps,
            guards=guards.to_dict(),
        )
        with progress_display(quiet=args.quiet) as bar:
            task = bar.add_task("evaluating candidates", total=len(grid))
            outcome = run_autopilot(
                data,
                grid=grid,
                executor=executor,
                seed=args.seed,
                cost_bps=args.cost_bps,
                slippage_bps=args.slippage_bps,
                guards=guards,
                out_dir=output_dir(args, run),
                on_progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    for name, path in outcome.outputs.items():
        run.add_output(name, path)
    decision = outcome.decision
    context = decision.context
    run.set_result(
        promoted=decision.promoted,
        demoted=decision.incumbent_id if decision.demoted else None,
        best=decision.best_id,
        reasons=decision.reasons,
        trials=decision.n_trials,
        effective_trials=context.effective_trials if context else None,
        pbo=context.pbo if context else None,
    )
    summary = RunReport(
        title=decision.headline,
        rows={
            "candidates": len(grid),
            "trials": trials_text(outcome),
            "best": decision.best_id,
            "incumbent": outcome.incumbent_after.candidate_id
            if outcome.incumbent_after
            else "none yet",
            "reasons": "\n".join(decision.reasons),
        },
        outputs=dict(outcome.outputs),
    )

    def show() -> None:
        from quant_engine.entrypoint import print_summary

        print_leaderboard(outcome)
        print_summary(summary, run.manifest_path)

    return show


def trials_text(outcome: AutopilotOutcome) -> str:
    """``14 (2 from earlier runs), effective 3.1, PBO 0.42``: the search's multiple testing."""
    decision = outcome.decision
    context = decision.context
    if context is None:
        return str(decision.n_trials)
    effective, pbo = context.effective_trials, context.pbo
    return (
        f"{decision.n_trials} on this data ({context.prior_trials} from earlier runs), "
        + (f"effective {effective:.1f}" if math.isfinite(effective) else "effective n/a")
        + (f", PBO {pbo:.2f}" if math.isfinite(pbo) else ", PBO n/a")
    )


def print_leaderboard(outcome: AutopilotOutcome, limit: int = LEADERBOARD_SIZE) -> None:
    """The top candidates by Sharpe with every guard's verdict next to its figure, on stdout."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from quant_engine.backtest.metrics import format_metric

    decision = outcome.decision
    guards = decision.guards
    shown = decision.table[:limit]
    more = len(decision.table) - len(shown)
    table = Table(
        title=f"leaderboard: top {len(shown)} of {len(decision.table)} by Sharpe"
        + (f" ({more} more in candidates.csv)" if more else ""),
        title_justify="left",
        caption=f"margin: beats the incumbent's Sharpe + {guards.margin_sharpe:.2f} "
        f"(- incumbent, n/a none yet)\ntrials: {trials_text(outcome)}",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("candidate", overflow="fold")
    table.add_column("Sharpe", justify="right")
    table.add_column(f"entries+exits≥{guards.min_trades}", justify="right")
    table.add_column(f"DD≤{guards.max_drawdown:.0%}", justify="right")
    table.add_column(f"DSR≥{guards.min_deflated_sharpe:.2f}", justify="right")
    table.add_column("margin", justify="center")
    for row in shown:
        metrics: dict[str, Any] = dict(row.result.metrics)
        passed = {name: ok for name, ok, _ in row.checks}
        margin = decision.beats_incumbent(row.result)
        table.add_row(
            row.result.candidate_id,
            format_metric("sharpe", row.result.sharpe),
            with_verdict(
                format_metric("n_trades", int(metrics.get("n_entries_exits", 0))),
                passed["min_trades"],
            ),
            with_verdict(
                format_metric("max_drawdown", float(metrics.get("max_drawdown", math.nan))),
                passed["max_drawdown"],
            ),
            with_verdict(
                format_metric("sharpe", row.deflated_sharpe), passed["min_deflated_sharpe"]
            ),
            margin_cell(decision.incumbent_id, row.result.candidate_id, margin),
        )
    Console(soft_wrap=True).print(table)


def margin_cell(incumbent_id: str | None, candidate_id: str, beats: bool | None) -> str:
    """The margin verdict: pass/FAIL, ``-`` on the incumbent's own row, ``n/a`` with none."""
    if beats is not None:
        return with_verdict("", beats).strip()
    return "-" if incumbent_id == candidate_id else "n/a"


def with_verdict(figure: str, ok: bool) -> str:
    """A figure followed by its guard's verdict: pass, or FAIL in red."""
    return f"{figure} pass" if ok else f"{figure} [bold red]FAIL[/]"


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``qe-autopilot``."""
    return run_entry_point("run_autopilot", build_parser, argv, autopilot)


if __name__ == "__main__":
    raise SystemExit(main())
