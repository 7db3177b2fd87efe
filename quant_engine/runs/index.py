"""One summary row per run, read from the manifest folder: what lists and tables show.

A row holds what a run list needs without the whole manifest: script, status, times, commit,
model, data digest and the scalar leaves of ``resolved`` (settings) and ``result`` (metrics),
flattened to dotted keys. The manifest files stay the source of truth; :func:`query` reads rows
from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import JsonValue

from quant_engine.runs import store
from quant_engine.runs.manifest import RunManifest, RunStatus

__all__ = ["RowQuery", "RunRow", "Scalar", "flatten_scalars", "query", "row_of"]

Scalar = str | int | float | bool | None
"""A leaf value of a run's settings or metrics."""


@dataclass(frozen=True)
class RunRow:
    """The summary of one run: identity, times, provenance, flattened settings and metrics."""

    path: Path
    run_id: str
    script: str
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    duration_s: float | None
    git_commit: str | None
    model_version: str | None
    data_digest: str | None
    settings: dict[str, Scalar] = field(default_factory=dict)
    metrics: dict[str, Scalar] = field(default_factory=dict)


@dataclass
class RowQuery:
    """Rows matching a query, newest first unless asked otherwise, and unreadable files."""

    rows: list[RunRow] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)


def flatten_scalars(value: JsonValue, prefix: str = "") -> dict[str, Scalar]:
    """Scalar leaves of nested dicts as ``{"a.b": leaf}``; a list of scalars becomes one
    ``,``-joined string (one table cell), a list holding containers is left out."""
    if isinstance(value, dict):
        flat: dict[str, Scalar] = {}
        for key, item in value.items():
            flat.update(flatten_scalars(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list):
        if all(isinstance(item, str | int | float | bool) for item in value):
            return {prefix: ",".join(str(item) for item in value)}
        return {}
    return {prefix: value}


def row_of(path: Path, manifest: RunManifest) -> RunRow:
    """The summary row of one manifest read from ``path``."""
    return RunRow(
        path=path,
        run_id=manifest.run_id,
        script=manifest.script,
        status=manifest.status,
        started_at=manifest.started_at,
        finished_at=manifest.finished_at,
        duration_s=manifest.duration_s,
        git_commit=manifest.code.commit,
        model_version=manifest.model_version,
        data_digest=manifest.data_digest,
        settings=flatten_scalars(dict(manifest.resolved)),
        metrics=flatten_scalars(dict(manifest.result)),
    )


def query(
    directory: Path,
    *,
    script: str | None = None,
    status: RunStatus | None = None,
    since: datetime | None = None,
    newest_first: bool = True,
    limit: int | None = None,
) -> RowQuery:
    """Rows of the runs in ``directory`` matching ``script``/``status``/``since``, up to ``limit``.

    Status is as readers see it: a ``running`` run whose process is gone reads ``dead``.
    """
    found = store.scan(
        directory, script=script, status=status, since=since, newest_first=newest_first
    )
    rows = [row_of(path, manifest) for path, manifest in found.entries]
    return RowQuery(rows=rows if limit is None else rows[:limit], unreadable=found.unreadable)
