"""Choosing and ordering run rows: script aliases, ``--since``, ``--where`` and ``--sort``.

A key names a metric (``sharpe``), a setting (``years``), a row field (``duration_s``), or one of
them explicitly (``metrics.hit_rate``, ``settings.hit_rate``); a bare name is looked up in the
metrics first, then the settings, then the row's own fields.
"""

from __future__ import annotations

import argparse
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from typing import Any

from quant_engine.errors import UsageError
from quant_engine.runs.index import RunRow, Scalar

ROW_FIELDS = ("run_id", "script", "status", "duration_s", "git_commit", "model_version")
"""Row fields a key may name besides settings and metrics."""
KEY_ALIASES = {
    "rule": "effective_rule",
    "model": "model_kind",
    "mode": "feature_mode",
    "cagr": "annual_return",
    "trades": "n_trades",
}
"""Short names people use for recorded keys (the list's column headers)."""
ENTRY_PREFIX = "run_"
PACKAGE_MODULE_PREFIX = "quant_engine."
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "!=": operator.ne,
    "==": operator.eq,
    "=": operator.eq,
    ">": operator.gt,
    "<": operator.lt,
}
_WHERE = re.compile(r"^\s*([A-Za-z_][\w.:-]*)\s*(>=|<=|!=|==|=|>|<)\s*([^<>=!\s].*?)\s*$")
_AGE = re.compile(r"^(\d+)([mhdw])$")
_AGE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def console_scripts() -> dict[str, str]:
    """Console-script names of this package's entry points and the script they record
    (``qe-backtest`` -> ``run_backtest``); empty when the package is not installed."""
    found: dict[str, str] = {}
    for entry in metadata.entry_points(group="console_scripts"):
        module = entry.value.partition(":")[0]
        if module.startswith(PACKAGE_MODULE_PREFIX + ENTRY_PREFIX):
            found[entry.name] = module.removeprefix(PACKAGE_MODULE_PREFIX)
    return found


def script_aliases(known: Iterable[str]) -> dict[str, str]:
    """Every name a user may give ``--script`` for each known script: the script itself, its
    name without ``run_`` and its console script."""
    aliases: dict[str, str] = {}
    for console, script in console_scripts().items():
        aliases[console] = script
    for script in known:
        aliases[script] = script
        if script.startswith(ENTRY_PREFIX):
            aliases.setdefault(script.removeprefix(ENTRY_PREFIX), script)
    for script in set(aliases.values()):
        aliases.setdefault(script, script)
        aliases.setdefault(script.removeprefix(ENTRY_PREFIX), script)
    return aliases


def resolve_script(name: str, known: Iterable[str]) -> str:
    """The recorded script ``name`` means; UsageError listing the choices when none."""
    aliases = script_aliases(known)
    if name in aliases:
        return aliases[name]
    choices = ", ".join(sorted(set(aliases.values())))
    raise UsageError(
        f"--script {name!r} is not a known script; choose one of: {choices} "
        "(or the name without run_, or its qe- command)"
    )


def since_time(text: str, *, now: datetime | None = None) -> datetime:
    """argparse type for ``--since``: a date, an ISO date-time (UTC unless it says), or an age
    such as ``30m``, ``12h``, ``7d``, ``2w``."""
    age = _AGE.match(text.strip())
    if age:
        start = now or datetime.now(UTC)
        return start - timedelta(**{_AGE_UNITS[age.group(2)]: int(age.group(1))})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date (2026-01-31), a date-time or an age (30m, 12h, 7d, 2w), got {text!r}"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def value_of(row: RunRow, key: str) -> Scalar:
    """The value ``key`` names in ``row`` (None when the row has no such value)."""
    section, _, name = key.partition(".")
    if section == "metrics" and name:
        return row.metrics.get(name)
    if section == "settings" and name:
        return row.settings.get(name)
    for source in (row.metrics, row.settings, row_fields(row)):
        if key in source:
            return source[key]
    alias = KEY_ALIASES.get(key.lower())
    return value_of(row, alias) if alias is not None else None


def row_fields(row: RunRow) -> dict[str, Scalar]:
    """The row's own fields a key may name."""
    return {
        "run_id": row.run_id,
        "script": row.script,
        "status": row.status.value,
        "duration_s": row.duration_s,
        "git_commit": row.git_commit,
        "model_version": row.model_version,
    }


def known_keys(rows: Sequence[RunRow]) -> list[str]:
    """Every key the rows hold, bare names first (as ``--where`` and ``--sort`` accept them)."""
    names = {k for r in rows for k in (*r.metrics, *r.settings)}
    aliases = [k for k, v in KEY_ALIASES.items() if v in names and k not in names]
    return sorted(names) + [k for k in ROW_FIELDS if k not in names] + aliases


def check_key(key: str, rows: Sequence[RunRow], flag: str) -> None:
    """UsageError listing the keys when no row holds ``key``."""
    if not rows or any(value_of(r, key) is not None for r in rows):
        return
    raise UsageError(f"{flag}: no run has a key {key!r}; keys: {', '.join(known_keys(rows))}")


@dataclass(frozen=True)
class Condition:
    """One ``--where`` test: ``key op value`` (numbers as numbers, else as text)."""

    key: str
    op: str
    value: Scalar
    text: str

    def holds(self, row: RunRow) -> bool:
        """True when the row's value passes; a row without the value never does."""
        found = value_of(row, self.key)
        if found is None:
            return False
        compare = _OPERATORS[self.op]
        if isinstance(self.value, float) and isinstance(found, int | float):
            return compare(float(found), self.value)
        return compare(str(found), self.text)


def parse_where(text: str) -> Condition:
    """A ``--where`` expression such as ``sharpe>0.5`` or ``rule=top_k``; UsageError if bad."""
    match = _WHERE.match(text)
    if match is None:
        ops = " ".join(sorted(_OPERATORS, key=len, reverse=True))
        raise UsageError(
            f"--where {text!r} is not KEY OP VALUE (OP one of {ops}), e.g. --where 'sharpe>0.5'"
        )
    key, op, raw = match.groups()
    raw = raw.strip("'\"")
    value: Scalar
    try:
        value = float(raw)
    except ValueError:
        value = raw
    return Condition(key, op, value, raw)


def filter_rows(
    rows: Sequence[RunRow],
    *,
    script: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    where: Sequence[str] = (),
) -> list[RunRow]:
    """The rows of ``script`` in ``status`` started at or after ``since`` passing every
    ``where`` expression; UsageError for a bad expression or a key no row has."""
    kept = [
        r
        for r in rows
        if (script is None or r.script == script)
        and (status is None or r.status.value == status)
        and (since is None or r.started_at >= since)
    ]
    for text in where:
        condition = parse_where(text)
        check_key(condition.key, kept or list(rows), "--where")
        kept = [r for r in kept if condition.holds(r)]
    return kept


def sort_rows(rows: Sequence[RunRow], spec: str | None) -> list[RunRow]:
    """Rows ordered by ``spec`` (``sharpe`` ascending, ``-sharpe`` descending), rows without
    the value last; newest first for equal values and when ``spec`` is None."""
    ordered = sorted(rows, key=lambda r: r.run_id, reverse=True)
    if spec is None:
        return ordered
    key = spec.removeprefix("-")
    check_key(key, rows, "--sort")
    descending = spec.startswith("-")
    present = [r for r in ordered if value_of(r, key) is not None]
    absent = [r for r in ordered if value_of(r, key) is None]

    def sort_key(row: RunRow) -> tuple[int, float, str]:
        value = value_of(row, key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return (0, float(value), "")
        return (1, 0.0, str(value))

    return sorted(present, key=sort_key, reverse=descending) + absent
