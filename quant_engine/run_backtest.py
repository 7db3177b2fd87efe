"""Backtest walk-forward out-of-sample model scores as a portfolio, with costs."""

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

from quant_engine.entrypoint import RunReport, output_dir, run_entry_point

if TYPE_CHECKING:
    from quant_engine.runs.recorder import RunRecorder

SCRIPT = "run_backtest"


def build_parser() -> argparse.ArgumentParser:
    """Flags: shared flags, feature mode, estimator, portfolio rule, threshold and costs."""
    from quant_engine import cli, config

    parser = cli.new_parser("qe-backtest", __doc__ or SCRIPT)
    cli.add_data_flags(parser)
    cli.add_feature_mode(parser)
    cli.add_model_kind(parser)
    cli.add_portfolio_rule(parser)
    parser.add_argument(
        "--entry-threshold",
        type=float,
        default=config.ENTRY_THRESHOLD,
        help="minimum predicted return for a top_k long",
    )
    cli.add_costs(parser)
    cli.add_run_flags(parser)
    return parser


def backtest(args: argparse.Namespace, run: RunRecorder) -> RunReport:
    """Walk-forward scores → portfolio simulation → metrics, equity curve and chart."""
    from quant_engine import steps
    from quant_engine.backtest.report import save_backtest
    from quant_engine.backtest.simulation import BacktestConfig
    from quant_engine.backtest.strategy import backtest_strategy
    from quant_engine.models.walk_forward import WalkForwardSettings

    data = steps.load_data(args, run)
    run.add_seed("model", args.seed)
    cfg = BacktestConfig(
        rule=args.rule,
        top_k=args.top_k,
        quantile=args.quantile,
        entry_threshold=args.entry_threshold,
        cost_bps=args.cost_bps,
        slippage_bps=args.slippage_bps,
    )
    run.resolve(
        feature_mode=args.feature_mode,
        model_kind=args.model,
        effective_entry_threshold=cfg.entry_threshold,
        effective_rule=cfg.rule,
        effective_top_k=cfg.top_k,
        effective_quantile=cfg.quantile,
        effective_cost_bps=cfg.cost_bps,
        effective_slippage_bps=cfg.slippage_bps,
        execution_lag=cfg.execution_lag,
    )
    result = backtest_strategy(
        data,
        feature_mode=args.feature_mode,
        model_kind=args.model,
        portfolio=cfg,
        settings=WalkForwardSettings(seed=args.seed),
    ).backtest
    outputs = save_backtest(result, output_dir(args, SCRIPT, run.run_id))
    for name, path in outputs.items():
        run.add_output(name, path)
    metrics = result.metrics.to_dict()
    run.set_result(result_total_trades=result.total_trades, **metrics)
    return RunReport(
        title=f"backtest {cfg.rule} on {len(data.tickers)} tickers", rows=metrics, outputs=outputs
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``qe-backtest``."""
    return run_entry_point(SCRIPT, build_parser, argv, backtest)


if __name__ == "__main__":
    raise SystemExit(main())
