"""Save a backtest to files: equity curve CSV, metrics JSON and an equity/drawdown PNG.

Every file is written atomically and is byte-identical for identical results, so run manifests
can compare outputs across runs by hash. matplotlib is imported only when a plot is drawn.
The headline names what was traded (model, feature mode, rule), over which window, at what
costs; the plot adds the run id and the equal-weight buy-and-hold benchmark.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from quant_engine.backtest import metrics as perf
from quant_engine.backtest.benchmark import BENCHMARK_NAME
from quant_engine.backtest.engine import BacktestResult
from quant_engine.utils.atomic import write_bytes_atomic

EQUITY_CURVE_NAME = "equity_curve.csv"
METRICS_NAME = "metrics.json"
EQUITY_PLOT_NAME = "equity.png"
FLOAT_FORMAT = "%.10f"
LOG_SCALE_SPAN = 2.0
"""The equity axis is logarithmic once the highest value is more than this times the lowest."""


@dataclass(frozen=True)
class StrategyLabel:
    """What a backtest traded and which run it belongs to, for its headline, JSON and plot."""

    model: str
    feature_mode: str
    run_id: str | None = None


def window(result: BacktestResult) -> str:
    """``first..last`` session of the backtest (ISO dates)."""
    index = result.daily_returns.index
    return f"{index[0]:%Y-%m-%d}..{index[-1]:%Y-%m-%d}"


def costs(result: BacktestResult) -> str:
    """Trading costs in words, e.g. ``costs 5+2 bps``."""
    cfg = result.config
    return f"costs {cfg.cost_bps:g}+{cfg.slippage_bps:g} bps"


def strategy_name(result: BacktestResult, label: StrategyLabel | None) -> str:
    """``ridge/core long_short`` (just the rule when the model is not known)."""
    rule = result.config.rule
    return f"{label.model}/{label.feature_mode} {rule}" if label else rule


def headline(result: BacktestResult, label: StrategyLabel | None = None) -> str:
    """One line naming model, feature mode, rule, universe size, window and costs."""
    tickers = int(result.weights.shape[1])
    parts = (strategy_name(result, label), f"{tickers} tickers", window(result), costs(result))
    return "backtest " + ", ".join(parts)


def benchmark_metrics(result: BacktestResult) -> dict[str, float] | None:
    """Total return, CAGR, Sharpe and max drawdown of the benchmark; None when absent."""
    if result.benchmark is None:
        return None
    equity = result.benchmark.to_numpy(dtype="float64")
    returns = equity / np.concatenate(([1.0], equity[:-1])) - 1.0
    return {
        "total_return": perf.total_return(returns),
        "annual_return": perf.annual_return(returns),
        "sharpe": perf.sharpe(returns),
        "max_drawdown": perf.max_drawdown(returns),
    }


def summary_rows(result: BacktestResult) -> dict[str, str]:
    """The printed summary: every metric formatted, then the benchmark on one line."""
    rows = perf.metric_rows(result.metrics)
    bench = benchmark_metrics(result)
    if bench is not None:
        shown = ("annual_return", "sharpe", "max_drawdown")
        rows["benchmark"] = f"{BENCHMARK_NAME}: " + ", ".join(
            f"{perf.METRIC_LABELS[name]} {perf.format_metric(name, bench[name])}" for name in shown
        )
    return rows


def equity_csv(result: BacktestResult) -> str:
    """CSV text with columns date, daily_return, equity, drawdown (fixed 10-decimal floats)."""
    frame = pd.DataFrame(
        {
            "date": pd.DatetimeIndex(result.daily_returns.index).strftime("%Y-%m-%d"),
            "daily_return": result.daily_returns.to_numpy(),
            "equity": result.equity.to_numpy(),
            "drawdown": result.drawdown.to_numpy(),
        }
    )
    text: str = frame.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return text


def metrics_json(result: BacktestResult, label: StrategyLabel | None = None) -> str:
    """JSON text (sorted keys) of the config, the metrics, the period covered, the headline,
    the benchmark's figures and, when known, the model and feature mode."""
    index = result.daily_returns.index
    payload: dict[str, Any] = {
        "config": result.config.to_dict(),
        "metrics": result.metrics.to_dict(),
        "period": {
            "start": index[0].strftime("%Y-%m-%d"),
            "end": index[-1].strftime("%Y-%m-%d"),
            "sessions": len(index),
            "tickers": int(result.weights.shape[1]),
        },
        "headline": headline(result, label),
    }
    if label is not None:
        payload["model"] = {"kind": label.model, "feature_mode": label.feature_mode}
    bench = benchmark_metrics(result)
    if bench is not None:
        payload["benchmark"] = {"name": BENCHMARK_NAME, **bench}
    return json.dumps(payload, sort_keys=True, indent=2, allow_nan=False) + "\n"


def plotted_curves(result: BacktestResult) -> list[npt.NDArray[np.float64]]:
    """The equity curves drawn on the top panel: the strategy, then the benchmark if any."""
    curves = [result.equity.to_numpy(dtype=np.float64)]
    if result.benchmark is not None:
        curves.append(result.benchmark.to_numpy(dtype=np.float64))
    return curves


def uses_log_scale(result: BacktestResult) -> bool:
    """True when the plotted curves span more than LOG_SCALE_SPAN (highest / lowest value)."""
    curves = plotted_curves(result)
    low = min(float(c.min()) for c in curves)
    high = max(float(c.max()) for c in curves)
    return low > 0.0 and high / low > LOG_SCALE_SPAN


def equity_png(result: BacktestResult, label: StrategyLabel | None = None) -> bytes:
    """PNG bytes: equity and the benchmark on top, drawdown below.

    Titled with the strategy and run id, then Sharpe/CAGR/MaxDD, window and costs. The equity
    axis is logarithmic when the curves span more than LOG_SCALE_SPAN, so equal percentage
    moves look equal on a long compounding curve.
    """
    from matplotlib import style
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter, ScalarFormatter

    metrics = result.metrics
    dates = result.equity.index.to_numpy()
    curves = plotted_curves(result)
    log_scale = uses_log_scale(result)
    run = f" — run {label.run_id}" if label and label.run_id else ""
    with style.context("default"):  # a user's matplotlibrc must not change the bytes
        fig = Figure(figsize=(10, 6), dpi=100, layout="constrained")
        fig.suptitle(f"{strategy_name(result, label)}{run}", fontweight="bold")
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
        top.plot(dates, curves[0], color="tab:blue", linewidth=1.2, label="strategy")
        if len(curves) > 1:
            bench_label = f"benchmark ({BENCHMARK_NAME})"
            top.plot(dates, curves[1], color="tab:gray", linestyle="--", label=bench_label)
            top.legend(loc="upper left", frameon=False)
        if log_scale:
            top.set_yscale("log")
            top.yaxis.set_major_formatter(ScalarFormatter())
            top.yaxis.set_minor_formatter(ScalarFormatter())
        top.set_ylabel("equity (log scale)" if log_scale else "equity")
        top.grid(alpha=0.3)
        top.set_title(
            f"Sharpe {metrics.sharpe:.2f}   CAGR {metrics.annual_return:.2%}   "
            f"MaxDD {-metrics.max_drawdown:.2%}   {window(result)}   {costs(result)}",
            fontsize="medium",
        )
        bottom.fill_between(dates, -result.drawdown.to_numpy(), 0.0, color="tab:red", alpha=0.4)
        bottom.set_ylabel("drawdown")
        bottom.yaxis.set_major_formatter(PercentFormatter(1.0))
        bottom.grid(alpha=0.3)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def save_backtest(
    result: BacktestResult, out_dir: Path, label: StrategyLabel | None = None
) -> dict[str, Path]:
    """Write the equity curve, metrics and plot into ``out_dir``; return them by logical name."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "equity_curve": out_dir / EQUITY_CURVE_NAME,
        "metrics": out_dir / METRICS_NAME,
        "equity_plot": out_dir / EQUITY_PLOT_NAME,
    }
    write_bytes_atomic(paths["equity_curve"], equity_csv(result).encode())
    write_bytes_atomic(paths["metrics"], metrics_json(result, label).encode())
    write_bytes_atomic(paths["equity_plot"], equity_png(result, label))
    return paths
