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

from quant_engine import config
from quant_engine.entrypoint import RunReport, output_dir, run_entry_point
from quant_engine.utils.progress import progress_bar

if TYPE_CHECKING:
    import pandas as pd

    from quant_engine.backtest.engine import BacktestResult
    from quant_engine.data.market_data import MarketData
    from quant_engine.runs.recorder import RunRecorder

PORTFOLIO_FLAGS = (
    "entry_threshold",
    "rule",
    "top_k",
    "quantile",
    "cost_bps",
    "slippage_bps",
    "rebalance_every",
    "max_drops",
)
"""The flags that become the BacktestConfig; the manifest records each as ``effective_<name>``."""


def build_parser() -> argparse.ArgumentParser:
    """Flags: shared flags, feature mode, estimator, portfolio rule, threshold and costs."""
    from quant_engine import cli

    own_flags = (cli.add_feature_mode, cli.add_model_kind, add_portfolio_flags, cli.add_costs)
    return cli.engine_parser("qe-backtest", __doc__, *own_flags)


def add_portfolio_flags(parser: argparse.ArgumentParser) -> None:
    """The portfolio rule's flags, plus ``--entry-threshold`` for top_k longs."""
    from quant_engine import cli, config

    cli.add_portfolio_rule(parser)
    cli.add_turnover_control(parser)
    cli.add_choice(
        parser,
        "--benchmark",
        "what excess return, tracking error, information ratio and beta are measured against: "
        "the equal-weight universe or an index of the data source",
    )
    parser.add_argument(
        "--entry-threshold",
        type=float,
        default=config.ENTRY_THRESHOLD,
        help="minimum predicted return for a top_k long",
    )


def benchmark_closes(args: argparse.Namespace, data: MarketData) -> pd.Series | None:
    """Closes of the ``--benchmark`` index (loaded alone when not in the universe), or None."""
    from quant_engine.data.loader import load_universe
    from quant_engine.errors import QuantEngineError, UsageError

    ticker = args.benchmark
    if ticker == config.DEFAULT_BENCHMARK:
        return None
    if ticker not in data.tickers:
        try:
            data = load_universe(
                (ticker,), args.years, source=args.data_source, start=args.start, end=args.end
            )
        except QuantEngineError as exc:
            raise UsageError(
                f"--benchmark {ticker}: no data from --data-source {args.data_source} ({exc}); "
                "use --benchmark equal_weight"
            ) from None
    closes: pd.Series = data.field("close")[ticker].rename(ticker)
    return closes


def backtest(args: argparse.Namespace, run: RunRecorder) -> RunReport:
    """Walk-forward scores → portfolio simulation → metrics, equity curve and chart."""
    from quant_engine import steps
    from quant_engine.backtest.report import StrategyLabel, headline, save_backtest, summary_rows
    from quant_engine.backtest.simulation import BacktestConfig
    from quant_engine.backtest.strategy import backtest_strategy
    from quant_engine.models.walk_forward import WalkForwardSettings

    with progress_bar("loading data", quiet=args.quiet) as report:
        data = steps.load_data(args, run, report)
    run.add_seed("model", args.seed)
    cfg = BacktestConfig(**{name: getattr(args, name) for name in PORTFOLIO_FLAGS})
    bench_closes = benchmark_closes(args, data)
    run.resolve(
        feature_mode=args.feature_mode,
        model_kind=args.model,
        benchmark=args.benchmark,
        **{f"effective_{name}": getattr(cfg, name) for name in PORTFOLIO_FLAGS},
        execution_lag=cfg.execution_lag,
    )
    with progress_bar("walk-forward scoring and backtest", quiet=args.quiet) as report:
        result = backtest_strategy(
            data,
            feature_mode=args.feature_mode,
            model_kind=args.model,
            portfolio=cfg,
            settings=WalkForwardSettings(seed=args.seed),
            progress=report,
            benchmark_closes=bench_closes,
        ).backtest
    # a verify re-run labels its plot with the run it re-executes, so the bytes match
    label = StrategyLabel(args.model, args.feature_mode, run.manifest.verify_of or run.run_id)
    outputs = save_backtest(result, output_dir(args, run), label)
    for name, path in outputs.items():
        run.add_output(name, path)
    metrics = result.metrics.to_dict()
    run.set_result(result_total_trades=result.total_trades, **metrics, **headline_extras(result))
    return RunReport(title=headline(result, label), rows=summary_rows(result), outputs=outputs)


def headline_extras(result: BacktestResult) -> dict[str, float]:
    """Gross Sharpe, costs per year and the benchmark-relative figures, for the manifest."""
    from quant_engine.backtest.report import benchmark_metrics, gross_and_net

    extras: dict[str, float] = {}
    both = gross_and_net(result)
    if both is not None:
        extras["gross_sharpe"] = both["gross"]["sharpe"]
        extras["gross_annual_return"] = both["gross"]["annual_return"]
        extras["costs_per_year"] = both["costs_per_year"]
    bench = benchmark_metrics(result)
    if bench is not None:
        for name in ("excess_return", "tracking_error", "information_ratio", "beta"):
            extras[name] = bench[name]
    return extras


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``qe-backtest``."""
    return run_entry_point("run_backtest", build_parser, argv, backtest)


if __name__ == "__main__":
    raise SystemExit(main())
