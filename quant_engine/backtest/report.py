"""Save a backtest to files: equity curve CSV, metrics JSON and an equity/drawdown PNG.

Every file is written atomically and is byte-identical for identical results, so run manifests
can compare outputs across runs by hash. matplotlib is imported only when a plot is drawn.
The headline names what was traded (model, feature mode, rule), over which window, at what
costs; the plot adds the run id, the benchmark, and the scores' IC by year for model runs.
Gross (before costs) and net figures are reported side by side, and the strategy's excess
return, tracking error, information ratio and beta against the benchmark.
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

from quant_engine import config
from quant_engine.backtest import metrics as perf
from quant_engine.backtest.benchmark import equity_returns, relative_stats
from quant_engine.backtest.engine import BacktestResult
from quant_engine.backtest.signal_quality import ic_rows
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
    """The benchmark's total return, CAGR, Sharpe and max drawdown, then the strategy's (net)
    excess return, tracking error, information ratio and beta against it; None when absent."""
    if result.benchmark is None:
        return None
    returns = equity_returns(result.benchmark.to_numpy(dtype="float64"))
    relative = relative_stats(result.daily_returns.to_numpy(dtype="float64"), returns)
    return {
        "total_return": perf.total_return(returns),
        "annual_return": perf.annual_return(returns),
        "sharpe": perf.sharpe(returns),
        "max_drawdown": perf.max_drawdown(returns),
        **relative.to_dict(),
    }


GROSS_NET_METRICS = ("annual_return", "total_return", "volatility", "sharpe", "max_drawdown")
"""Figures shown before and after costs."""


def return_figures(returns: npt.NDArray[np.float64]) -> dict[str, float]:
    """The GROSS_NET_METRICS of daily ``returns``, plus their arithmetic mean per year."""
    figures = {
        "annual_return": perf.annual_return(returns),
        "total_return": perf.total_return(returns),
        "volatility": perf.volatility(returns),
        "sharpe": perf.sharpe(returns),
        "max_drawdown": perf.max_drawdown(returns),
    }
    mean = float(returns.mean()) if returns.size else 0.0
    return {**figures, "mean_return_per_year": mean * config.TRADING_DAYS_PER_YEAR}


def gross_and_net(result: BacktestResult) -> dict[str, Any] | None:
    """Gross and net figures side by side and what costs took per year; None without gross.

    ``gross.mean_return_per_year - net.mean_return_per_year == costs_per_year``: costs are the
    daily returns' difference, summed per year on average.
    """
    if result.gross_returns is None or result.costs is None:
        return None
    costs_per_day = result.costs.to_numpy(dtype=np.float64)
    return {
        "gross": return_figures(result.gross_returns.to_numpy(dtype=np.float64)),
        "net": return_figures(result.daily_returns.to_numpy(dtype=np.float64)),
        "costs_per_year": float(costs_per_day.mean()) * config.TRADING_DAYS_PER_YEAR,
        "turnover_per_year": result.metrics.turnover * config.TRADING_DAYS_PER_YEAR,
    }


def summary_rows(result: BacktestResult) -> dict[str, str]:
    """The printed summary: every metric formatted, gross vs net, the benchmark, IC by year."""
    rows = perf.metric_rows(result.metrics)
    both = gross_and_net(result)
    if both is not None:
        rows["gross → net"] = (
            ", ".join(
                f"{perf.METRIC_LABELS[name]} {perf.format_metric(name, both['gross'][name])} → "
                f"{perf.format_metric(name, both['net'][name])}"
                for name in ("sharpe", "annual_return")
            )
            + f"; costs {both['costs_per_year']:.2%}/yr"
        )
    bench = benchmark_metrics(result)
    if bench is not None:
        shown = ("annual_return", "sharpe", "max_drawdown")
        rows["benchmark"] = f"{result.benchmark_name}: " + ", ".join(
            f"{perf.METRIC_LABELS[name]} {perf.format_metric(name, bench[name])}" for name in shown
        )
        rows["vs benchmark"] = (
            f"excess {bench['excess_return']:.2%}/yr, tracking error "
            f"{bench['tracking_error']:.2%}, IR {bench['information_ratio']:.2f}, "
            f"beta {bench['beta']:.2f}"
        )
    table = result.ic_by_year
    if table is not None and len(table):
        rows["IC by year"] = f"mean IC {table['ic'].mean():.3f}, rank IC " + (
            f"{table['rank_ic'].mean():.3f} over {len(table)} years "
            f"({table['ic'].idxmin()!s} lowest: {table['ic'].min():.3f})"
        )
    return rows


def equity_csv(result: BacktestResult) -> str:
    """CSV text with columns date, daily_return, equity, drawdown, then (when known) the
    equity before costs and the benchmark's equity; fixed 10-decimal floats."""
    columns: dict[str, Any] = {
        "date": pd.DatetimeIndex(result.daily_returns.index).strftime("%Y-%m-%d"),
        "daily_return": result.daily_returns.to_numpy(),
        "equity": result.equity.to_numpy(),
        "drawdown": result.drawdown.to_numpy(),
    }
    if result.gross_returns is not None:
        columns["gross_equity"] = perf.equity_curve(result.gross_returns.to_numpy(np.float64))
    if result.benchmark is not None:
        columns["benchmark"] = result.benchmark.to_numpy(dtype=np.float64)
    frame = pd.DataFrame(columns)
    text: str = frame.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return text


def metrics_json(result: BacktestResult, label: StrategyLabel | None = None) -> str:
    """JSON text (sorted keys) of the config, the metrics, the period covered, the headline,
    the benchmark's figures and the strategy's against it, gross and net figures, IC by year
    and, when known, the model and feature mode."""
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
        payload["benchmark"] = {"name": result.benchmark_name, **bench}
    both = gross_and_net(result)
    if both is not None:
        payload["gross_and_net"] = both
    if result.ic_by_year is not None:
        payload["ic_by_year"] = ic_rows(result.ic_by_year)
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
    """PNG bytes: equity and the benchmark on top, drawdown below, then IC by year (model runs).

    Titled with the strategy and run id, then net Sharpe (gross in brackets), CAGR, MaxDD,
    costs per year, window and costs. The equity axis is logarithmic when the curves span more
    than LOG_SCALE_SPAN, so equal percentage moves look equal on a long compounding curve.
    """
    from matplotlib import style
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter, ScalarFormatter

    metrics = result.metrics
    dates = result.equity.index.to_numpy()
    curves = plotted_curves(result)
    log_scale = uses_log_scale(result)
    run = f" — run {label.run_id}" if label and label.run_id else ""
    ic_table = result.ic_by_year if result.ic_by_year is not None else pd.DataFrame()
    both = gross_and_net(result)
    gross = (
        f" (gross {both['gross']['sharpe']:.2f}, costs {both['costs_per_year']:.2%}/yr)"
        if both
        else ""
    )
    with style.context("default"):  # a user's matplotlibrc must not change the bytes
        panels = 3 if len(ic_table) else 2
        fig = Figure(figsize=(10, 6 + 2 * (panels - 2)), dpi=100, layout="constrained")
        fig.suptitle(f"{strategy_name(result, label)}{run}", fontweight="bold")
        axes = fig.subplots(panels, 1, height_ratios=[3, 1, 1.5][:panels])
        top, bottom = axes[0], axes[1]
        bottom.sharex(top)
        top.plot(dates, curves[0], color="tab:blue", linewidth=1.2, label="strategy (net)")
        if len(curves) > 1:
            bench_label = f"benchmark ({result.benchmark_name})"
            top.plot(dates, curves[1], color="tab:gray", linestyle="--", label=bench_label)
            top.legend(loc="upper left", frameon=False)
        if log_scale:
            top.set_yscale("log")
            top.yaxis.set_major_formatter(ScalarFormatter())
            top.yaxis.set_minor_formatter(ScalarFormatter())
        top.set_ylabel("equity (log scale)" if log_scale else "equity")
        top.grid(alpha=0.3)
        top.set_title(
            f"Sharpe {metrics.sharpe:.2f}{gross}   CAGR {metrics.annual_return:.2%}   "
            f"MaxDD {-metrics.max_drawdown:.2%}   {window(result)}   {costs(result)}",
            fontsize="medium",
        )
        bottom.fill_between(dates, -result.drawdown.to_numpy(), 0.0, color="tab:red", alpha=0.4)
        bottom.set_ylabel("drawdown")
        bottom.yaxis.set_major_formatter(PercentFormatter(1.0))
        bottom.grid(alpha=0.3)
        if len(ic_table):
            ic_axis = axes[2]
            years = np.arange(len(ic_table))
            ic_axis.bar(years - 0.2, ic_table["ic"], width=0.4, color="tab:blue", label="IC")
            ic_axis.bar(
                years + 0.2, ic_table["rank_ic"], width=0.4, color="tab:orange", label="rank IC"
            )
            ic_axis.axhline(0.0, color="black", linewidth=0.8)
            ic_axis.set_xticks(years, [str(year) for year in ic_table.index])
            ic_axis.set_ylabel("mean daily IC")
            ic_axis.legend(loc="upper left", frameon=False, ncols=2)
            ic_axis.grid(alpha=0.3, axis="y")
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
