"""What ``qe-runs list`` shows: short run ids, per-script figure columns, export records.

Cells are text for people (percentages, 3-4 significant digits); records (``--json``,
``--csv``) keep full precision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from quant_engine.runs.index import RunRow, Scalar
from quant_engine.runs.select import ENTRY_PREFIX, value_of
from quant_engine.utils.number_format import cell, percent, significant


class Kind(Enum):
    """How a column's value reads."""

    TEXT = "text"
    NUMBER = "number"
    PERCENT = "percent"
    LOSS = "loss"
    """A loss stored positive, shown as a negative percentage (max drawdown)."""


@dataclass(frozen=True)
class Column:
    """One figure column: its header, the keys tried in turn, and how it reads."""

    header: str
    keys: tuple[str, ...]
    kind: Kind = Kind.TEXT

    def value(self, row: RunRow) -> Scalar:
        """The first of ``keys`` the row holds."""
        for key in self.keys:
            found = value_of(row, key)
            if found is not None:
                return found
        return None

    def text(self, row: RunRow) -> str:
        """The cell as people read it."""
        return figure_text(self.value(row), self.kind)


def figure_text(value: Scalar, kind: Kind) -> str:
    """``value`` formatted for a column of ``kind``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if kind is Kind.PERCENT:
            return percent(float(value))
        if kind is Kind.LOSS:
            return percent(-abs(float(value)))
        return significant(value, digits=COLUMN_DIGITS)
    return cell(value)


COLUMN_DIGITS = 3
"""Significant digits of a figure in a list column (Sharpe ``-0.797``, IC ``0.0327``)."""

SCRIPT_COLUMNS: dict[str, tuple[Column, ...]] = {
    "run_backtest": (
        Column("rule", ("settings.effective_rule", "settings.rule")),
        Column("model", ("settings.model_kind", "metrics.model_kind")),
        Column("mode", ("settings.feature_mode",)),
        Column("Sharpe", ("metrics.sharpe",), Kind.NUMBER),
        Column("CAGR", ("metrics.annual_return",), Kind.PERCENT),
        Column("max DD", ("metrics.max_drawdown",), Kind.LOSS),
        Column("turnover", ("metrics.turnover",), Kind.PERCENT),
    ),
    "run_train": (
        Column("model", ("settings.model_kind",)),
        Column("mode", ("settings.feature_mode",)),
        Column("IC", ("metrics.ic",), Kind.NUMBER),
        Column("rank IC", ("metrics.rank_ic",), Kind.NUMBER),
        Column("version", ("metrics.model_version",)),
    ),
    "run_predict": (
        Column("as of", ("metrics.as_of",)),
        Column("model", ("metrics.model_kind", "settings.model_kind")),
        Column("mode", ("metrics.feature_mode", "settings.feature_mode")),
        Column("version", ("metrics.model_version",)),
    ),
}
"""The figure columns of each script's runs (``list --script S``); other scripts show their
first few metrics in one column."""
SUMMARY_FIGURES = 3
"""Metrics a script without its own columns shows in the summary column."""


def figure_columns(script: str) -> tuple[Column, ...]:
    """The figure columns of ``script`` (none for a script without its own)."""
    return SCRIPT_COLUMNS.get(script, ())


def summary_text(row: RunRow) -> str:
    """A run's key figures in one cell, for lists mixing scripts."""
    present = [c for c in figure_columns(row.script) if c.value(row) is not None]
    if present:
        texts = [
            c.text(row) if c.kind is Kind.TEXT else f"{c.header} {c.text(row)}" for c in present
        ]
        return " · ".join(texts)
    figures = [(k, v) for k, v in row.metrics.items() if v is not None][:SUMMARY_FIGURES]
    return " · ".join(f"{k} {cell(v)}" for k, v in figures)


def short_script(script: str) -> str:
    """``run_backtest`` -> ``backtest``: the name people type."""
    return script.removeprefix(ENTRY_PREFIX)


def unique_prefixes(run_ids: Sequence[str], minimum: int = 8) -> dict[str, str]:
    """The shortest prefix (at least ``minimum`` characters) of each id that no other id in
    ``run_ids`` starts with: what ``qe-runs show PREFIX`` accepts."""
    ordered = sorted(set(run_ids))
    shortest: dict[str, str] = {}
    for i, run_id in enumerate(ordered):
        shared = 0
        for neighbour in (
            ordered[i - 1] if i else "",
            ordered[i + 1] if i + 1 < len(ordered) else "",
        ):
            common = 0
            for x, y in zip(run_id, neighbour, strict=False):
                if x != y:
                    break
                common += 1
            shared = max(shared, common)
        shortest[run_id] = run_id[: max(minimum, shared + 1)]
    return shortest


def started_text(row: RunRow) -> str:
    """Start time in UTC, month to minute (the run id starts with the full date)."""
    return row.started_at.strftime("%m-%d %H:%M")


def duration_text(row: RunRow) -> str:
    """Seconds with 3 significant digits, minutes past two minutes."""
    if row.duration_s is None:
        return ""
    if row.duration_s < 0.1:
        return "<0.1s"
    if row.duration_s >= 120:
        return f"{row.duration_s / 60:.1f}m"
    return f"{significant(round(row.duration_s, 1))}s"


def record(row: RunRow, short_id: str | None = None) -> dict[str, Any]:
    """One run in full precision: the ``--json`` line and ``--csv`` row of ``list``."""
    return {
        "run_id": row.run_id,
        "short_id": short_id or row.run_id,
        "script": row.script,
        "status": row.status.value,
        "started_at": row.started_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "duration_s": row.duration_s,
        "git_commit": row.git_commit,
        "model_version": row.model_version,
        "data_digest": row.data_digest,
        "path": str(row.path),
        "settings": dict(row.settings),
        "metrics": dict(row.metrics),
    }


def flat_record(full: dict[str, Any]) -> dict[str, Any]:
    """A :func:`record` with settings and metrics as ``settings.X`` / ``metrics.X`` columns."""
    flat = {k: v for k, v in full.items() if k not in ("settings", "metrics")}
    for section in ("settings", "metrics"):
        flat.update({f"{section}.{k}": v for k, v in full[section].items()})
    return flat


def csv_fields(records: Sequence[dict[str, Any]]) -> list[str]:
    """Column names for flat records: the fixed fields, then every settings/metrics key."""
    fixed = [k for k in records[0] if "." not in k] if records else []
    extra = sorted({k for r in records for k in r if "." in k})
    return fixed + extra
