"""Tornhill's hotspot score per module file, weighted by temporal coupling.

    score = revisions × complexity × (1 + max_coupling)

``revisions``: commits touching the file within the window (:mod:`scripts.hotspots.churn`);
``complexity``: its total cyclomatic complexity (:mod:`scripts.hotspots.complexity`);
``max_coupling``: its strongest code-maat temporal coupling degree (0..1) with another analysed
file. Each row also carries the import-graph figures of :mod:`scripts.hotspots.graph`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from quant_engine import config
from scripts.hotspots import churn, complexity, layers
from scripts.hotspots.graph import (
    Edge,
    cycle_breakers,
    graph_metrics,
    import_cycles,
    import_graph,
    module_files,
)

FORMULA = "score = revisions × complexity × (1 + max_coupling)"
PYPROJECT_NAME = "pyproject.toml"
SEARCH_DEPTH = 3
"""How deep below the root to look for an edge's file (``pkg/a.py`` → ``src/pkg/a.py``)."""


@dataclass(frozen=True)
class Thresholds:
    """Code-maat's coupling thresholds (its defaults come from the config)."""

    min_revisions: int = config.COUPLING_MIN_REVISIONS
    min_shared_revisions: int = config.COUPLING_MIN_SHARED_REVISIONS
    min_degree_percent: int = config.COUPLING_MIN_DEGREE_PERCENT
    max_changeset_size: int = config.COUPLING_MAX_CHANGESET_SIZE


def locate(path: str, root: Path) -> str | None:
    """``path`` (relative to the analysed folder's parent) as a path relative to ``root``: as
    is, or below a few folders (a ``src/`` layout); None when no such file exists."""
    if (root / path).is_file():
        return path
    for depth in range(1, SEARCH_DEPTH + 1):
        found = sorted(root.glob("/".join(["*"] * depth + [path])))
        if found:
            return found[0].relative_to(root).as_posix()
    return None


def line_count(path: Path) -> int:
    """Lines of the file (0 when unreadable): the bubble size of the chart."""
    try:
        return len(path.read_bytes().splitlines())
    except OSError:
        return 0


def score_hotspots(
    edges: Sequence[Edge],
    root: Path,
    *,
    since: str = config.AUDIT_CHURN_SINCE,
    git: str = "git",
    thresholds: Thresholds | None = None,
) -> dict[str, Any]:
    """The full hotspot report of ``root`` for ``edges`` (JSON-ready, deterministic)."""
    limits = thresholds or Thresholds()
    notes: list[str] = []
    files: dict[str, str] = {}
    for module, recorded in module_files(edges, root).items():
        where = locate(recorded, root)
        if where is None:
            notes.append(f"{recorded}: not found under the repository root; scored 0")
        files[module] = where or recorded
    graph = import_graph(edges)
    graph.add_nodes_from(files)
    metrics = graph_metrics(graph)
    analysed = sorted(set(files.values()))
    history = churn.churn(root, since, git, files=analysed)
    pairs = churn.couplings(
        history.commits,
        min_revisions=limits.min_revisions,
        min_shared=limits.min_shared_revisions,
        min_degree_percent=limits.min_degree_percent,
        max_changeset_size=limits.max_changeset_size,
        files=analysed,
    )
    strongest = churn.max_coupling(pairs)
    notes[:0] = [history.note] if history.note else []
    rows: list[dict[str, Any]] = []
    for module, path in sorted(files.items()):
        measured = complexity.file_complexity(root / path)
        if measured.error and (root / path).is_file():
            notes.append(f"{path}: complexity not measured ({measured.error})")
        revisions = history.revisions.get(path, 0)
        coupling = strongest.get(path, 0.0)
        partners = [p for p in pairs if path in (p.a, p.b)]
        rows.append(
            {
                "file": path,
                "module": module,
                "score": round(revisions * measured.total * (1 + coupling), 6),
                "revisions": revisions,
                "lines_changed": history.lines_changed.get(path, 0),
                "lines": line_count(root / path),
                "complexity": measured.total,
                "max_coupling": coupling,
                "coupled_with": [
                    {"file": p.b if p.a == path else p.a, "degree": p.degree, "shared": p.shared}
                    for p in partners
                ],
                **metrics.get(module, {}),
                "functions": [asdict(f) for f in measured.functions],
            }
        )
    rows.sort(key=lambda r: (-r["score"], -r["complexity"], r["file"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    cycles = import_cycles(edges)
    breakers = cycle_breakers(edges, cycles)
    contract, why = layers.load_layers(root / PYPROJECT_NAME)
    if why:
        notes.append(why)
    return {
        "formula": FORMULA,
        "window": {
            "since": since,
            "commits": len(history.commits),
            "days": history.days,
            "text": history.window_text(),
            **({"shallow": True} if history.shallow else {}),
        },
        "coupling_thresholds": asdict(limits),
        "notes": notes,
        "files": rows,
        "cycles": [
            {**asdict(c), "break": [{"importer": a, "imported": b} for a, b in suggested]}
            for c, suggested in zip(cycles, breakers, strict=True)
        ],
        "couplings": [asdict(p) for p in pairs],
        "layers": layers.layer_report(edges, contract),
    }
