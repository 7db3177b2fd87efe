"""Save a backtest to files: equity curve CSV, metrics JSON and an equity/drawdown PNG.

Every file is written atomically and is byte-identical for identical results, so run manifests
can compare outputs across runs by hash. matplotlib is imported only when a plot is drawn.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from quant_engine.backtest.engine import BacktestResult
from quant_engine.utils.atomic import write_bytes_atomic

EQUITY_CURVE_NAME = "equity_curve.csv"
METRICS_NAME = "metrics.json"
EQUITY_PLOT_NAME = "equity.png"
FLOAT_FORMAT = "%.10f"


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


def metrics_json(result: BacktestResult) -> str:
    """JSON text (sorted keys) of the config, the metrics and the period covered."""
    index = result.daily_returns.index
    payload = {
        "config": result.config.to_dict(),
        "metrics": result.metrics.to_dict(),
        "period": {
            "start": index[0].strftime("%Y-%m-%d"),
            "end": index[-1].strftime("%Y-%m-%d"),
            "sessions": len(index),
            "tickers": int(result.weights.shape[1]),
        },
    }
    return json.dumps(payload, sort_keys=True, indent=2, allow_nan=False) + "\n"


def equity_png(result: BacktestResult) -> bytes:
    """PNG bytes: equity on top, drawdown below, Sharpe/CAGR/MaxDD in the title."""
    from matplotlib import style
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    metrics = result.metrics
    dates = result.equity.index.to_numpy()
    with style.context("default"):  # a user's matplotlibrc must not change the bytes
        fig = Figure(figsize=(10, 6), dpi=100, layout="constrained")
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
        top.plot(dates, result.equity.to_numpy(), color="tab:blue", linewidth=1.2)
        top.set_ylabel("equity")
        top.grid(alpha=0.3)
        top.set_title(
            f"Sharpe {metrics.sharpe:.2f}   CAGR {metrics.annual_return:.2%}   "
            f"MaxDD {metrics.max_drawdown:.2%}"
        )
        bottom.fill_between(dates, -result.drawdown.to_numpy(), 0.0, color="tab:red", alpha=0.4)
        bottom.set_ylabel("drawdown")
        bottom.yaxis.set_major_formatter(PercentFormatter(1.0))
        bottom.grid(alpha=0.3)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def save_backtest(result: BacktestResult, out_dir: Path) -> dict[str, Path]:
    """Write the equity curve, metrics and plot into ``out_dir``; return them by logical name."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "equity_curve": out_dir / EQUITY_CURVE_NAME,
        "metrics": out_dir / METRICS_NAME,
        "equity_plot": out_dir / EQUITY_PLOT_NAME,
    }
    write_bytes_atomic(paths["equity_curve"], equity_csv(result).encode())
    write_bytes_atomic(paths["metrics"], metrics_json(result).encode())
    write_bytes_atomic(paths["equity_plot"], equity_png(result))
    return paths
