"""What ``qe-runs diff`` shows: settings and metrics with a delta, data inputs collapsed, then
every other recorded difference (command, config, code, environment, models, outputs)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from quant_engine.runs import verify
from quant_engine.runs.index import Scalar, row_of
from quant_engine.runs.manifest import RunManifest
from quant_engine.runs.table import SCRIPT_COLUMNS, Kind
from quant_engine.utils.number_format import cell, significant

FIRST_SECTIONS = frozenset({"resolved", "result", "data"})
"""Sections of :func:`verify.diff_manifests` that :class:`Comparison` shows in its own form."""
NAMES_SHOWN = 5
"""Differing data inputs named before ``+N more``."""


@dataclass(frozen=True)
class ValueChange:
    """One setting or metric of the two runs and, for two numbers, B minus A."""

    key: str
    a: Scalar
    b: Scalar
    delta: float | None

    @property
    def changed(self) -> bool:
        """True when the two runs hold different values."""
        return self.a != self.b


@dataclass
class Comparison:
    """Two runs side by side."""

    a: str
    b: str
    settings: list[ValueChange] = field(default_factory=list)
    metrics: list[ValueChange] = field(default_factory=list)
    data_inputs: int = 0
    data_differ: list[str] = field(default_factory=list)
    other: list[verify.RunDifference] = field(default_factory=list)

    @property
    def differ(self) -> bool:
        """True when anything recorded differs (the exit code of ``diff``)."""
        changed = any(c.changed for c in (*self.settings, *self.metrics))
        return changed or bool(self.data_differ or self.other)

    def data_text(self) -> str:
        """``same (N inputs)`` or ``K differ: names``."""
        if not self.data_differ:
            return f"same ({self.data_inputs} inputs)"
        names = ", ".join(self.data_differ[:NAMES_SHOWN])
        more = len(self.data_differ) - NAMES_SHOWN
        return f"{len(self.data_differ)} differ: {names}" + (f" +{more} more" if more > 0 else "")

    def as_json(self) -> dict[str, Any]:
        """The whole comparison, full precision."""
        return {
            "a": self.a,
            "b": self.b,
            "differ": self.differ,
            "settings": [asdict(c) for c in self.settings],
            "metrics": [asdict(c) for c in self.metrics],
            "data": {"inputs": self.data_inputs, "differ": self.data_differ},
            "other": [asdict(d) for d in self.other],
        }


def changes(a: dict[str, Scalar], b: dict[str, Scalar], *, all_keys: bool) -> list[ValueChange]:
    """Key by key (``all_keys``: unchanged ones too), with B - A for two numbers."""
    found = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if x == y and not all_keys:
            continue
        found.append(ValueChange(key, x, y, number(y) - number(x) if is_number(x, y) else None))
    return found


def is_number(*values: Scalar) -> bool:
    """True when every value is an int or float (not a bool)."""
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def number(value: Scalar) -> float:
    """A numeric scalar as a float (0.0 for anything else; callers check :func:`is_number`)."""
    return float(value) if isinstance(value, int | float) else 0.0


def data_differences(a: RunManifest, b: RunManifest) -> tuple[int, list[str]]:
    """How many inputs the runs read, and the names whose content differs or only one read."""
    ours = {d.name: d.sha256 for d in a.data}
    theirs = {d.name: d.sha256 for d in b.data}
    names = sorted(set(ours) | set(theirs))
    return len(names), [n for n in names if ours.get(n) != theirs.get(n)]


def compare(path_a: Path, a: RunManifest, path_b: Path, b: RunManifest) -> Comparison:
    """Settings that differ, every metric, data inputs, then the other differences."""
    row_a, row_b = row_of(path_a, a), row_of(path_b, b)
    inputs, differ = data_differences(a, b)
    return Comparison(
        a=a.run_id,
        b=b.run_id,
        settings=changes(row_a.settings, row_b.settings, all_keys=False),
        metrics=changes(row_a.metrics, row_b.metrics, all_keys=True),
        data_inputs=inputs,
        data_differ=differ,
        other=[d for d in verify.diff_manifests(a, b) if d.section not in FIRST_SECTIONS],
    )


PERCENT_KEYS = frozenset(
    c.keys[0].partition(".")[2]
    for columns in SCRIPT_COLUMNS.values()
    for c in columns
    if c.kind in (Kind.PERCENT, Kind.LOSS)
) | {"total_return", "volatility", "hit_rate", "exposure"}
"""Metrics that are fractions: shown as percentages, their delta in percentage points."""


def value_text(key: str, value: Scalar) -> str:
    """A setting or metric as people read it."""
    if key in PERCENT_KEYS and isinstance(value, float):
        return f"{value:.2%}"
    return cell(value)


def delta_text(change: ValueChange) -> str:
    """B - A: signed, in percentage points for fractions, ``=`` when equal, blank otherwise."""
    if change.delta is None:
        return "" if change.changed else "="
    if change.delta == 0:
        return "="
    if change.key in PERCENT_KEYS:
        return f"{change.delta * 100:+.2f} pp"
    return significant(change.delta, signed=True)
