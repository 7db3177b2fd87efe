"""``qe-runs plot``: the equity curves of backtest runs overlaid in one PNG.

Each curve is read from the ``equity_curve`` output the run recorded (``date`` and ``equity``
columns). pandas and matplotlib are imported only when a plot is drawn.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quant_engine.errors import DataError, UsageError
from quant_engine.runs.hashing import home_path
from quant_engine.runs.index import RunRow
from quant_engine.runs.table import figure_columns, short_script

if TYPE_CHECKING:
    import pandas as pd

EQUITY_OUTPUT = "equity_curve"
"""The logical name under which a backtest records its equity curve."""
DATE_COLUMN = "date"
EQUITY_COLUMN = "equity"
LOG_SCALE_SPAN = 2.0
"""The axis is logarithmic once the highest equity is more than this times the lowest."""


@dataclass(frozen=True)
class Curve:
    """One run's equity curve and its legend label."""

    label: str
    equity: pd.Series[float]


def equity_file(row: RunRow, outputs: dict[str, str]) -> Path:
    """The equity-curve file a run recorded; UsageError when it recorded none, DataError when
    the file is gone."""
    recorded = outputs.get(EQUITY_OUTPUT)
    if recorded is None:
        raise UsageError(
            f"run {row.run_id} ({short_script(row.script)}) has no equity curve: "
            "plot takes backtest runs (qe-runs list --script backtest)"
        )
    path = home_path(recorded)
    if not path.is_file():
        raise DataError(f"run {row.run_id}: its equity curve {path} is missing (moved or pruned)")
    return path


def label_of(row: RunRow, short_id: str) -> str:
    """``<short id> long_short ridge/core Sharpe 0.81``."""
    texts = {c.header: c.text(row) for c in figure_columns(row.script)}
    parts = [
        short_id,
        texts.get("rule", ""),
        "/".join(filter(None, (texts.get("model"), texts.get("mode")))),
    ]
    if texts.get("Sharpe"):
        parts.append(f"Sharpe {texts['Sharpe']}")
    return " ".join(p for p in parts if p)


def read_curve(path: Path, label: str) -> Curve:
    """The equity column of an equity-curve CSV, indexed by date; DataError if unreadable."""
    import pandas as pd  # here: pandas takes a second to import, and only plot needs it

    try:
        frame = pd.read_csv(path, usecols=[DATE_COLUMN, EQUITY_COLUMN], parse_dates=[DATE_COLUMN])
    except (OSError, ValueError) as exc:
        raise DataError(
            f"{path}: not an equity curve with {DATE_COLUMN},{EQUITY_COLUMN} ({exc})"
        ) from None
    if frame.empty:
        raise DataError(f"{path}: the equity curve is empty")
    return Curve(label, frame.set_index(DATE_COLUMN)[EQUITY_COLUMN].astype(float))


def uses_log_scale(curves: list[Curve]) -> bool:
    """True when the curves together span more than :data:`LOG_SCALE_SPAN` (all positive)."""
    low = min(float(c.equity.min()) for c in curves)
    high = max(float(c.equity.max()) for c in curves)
    return low > 0 and high / low > LOG_SCALE_SPAN


def overlay_png(curves: list[Curve], title: str) -> bytes:
    """PNG bytes: every curve on one axis, legend with each run's label."""
    from matplotlib import style
    from matplotlib.figure import Figure
    from matplotlib.ticker import ScalarFormatter

    log_scale = uses_log_scale(curves)
    with style.context("default"):  # a user's matplotlibrc must not change the bytes
        fig = Figure(figsize=(10, 6), dpi=100, layout="constrained")
        axis = fig.subplots()
        for curve in curves:
            axis.plot(curve.equity.index, curve.equity.to_numpy(), linewidth=1.2, label=curve.label)
        if log_scale:
            axis.set_yscale("log")
            axis.yaxis.set_major_formatter(ScalarFormatter())
            axis.yaxis.set_minor_formatter(ScalarFormatter())
        axis.set_ylabel("equity (log scale)" if log_scale else "equity")
        axis.set_title(title, fontweight="bold")
        axis.axhline(1.0, color="gray", linewidth=0.6)
        axis.grid(alpha=0.3)
        axis.legend(loc="upper left", frameon=False, fontsize="small")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
