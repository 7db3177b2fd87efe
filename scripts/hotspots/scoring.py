"""Tornhill's hotspot score per module file, weighted by temporal coupling.

    score = revisions × complexity × (1 + max_coupling)

``revisions``: commits touching the file within the window (:mod:`scripts.hotspots.churn`);
``complexity``: its total cyclomatic complexity (:mod:`scripts.hotspots.complexity`);
``max_coupling``: its strongest code-maat temporal coupling degree (0..1) with another analysed
file. Each row also carries the import-graph figures of :mod:`scripts.hotspots.graph`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from quant_engine import config
from scripts.hotspots import churn, complexity
from scripts.hotspots.graph import Edge, graph_metrics, import_cycles, import_graph, module_files

FORMULA = "score = revisions × complexity × (1 + max_coupling)"


def score_hotspots(
    edges: Sequence[Edge],
    root: Path,
    *,
    since: str = config.AUDIT_CHURN_SINCE,
    git: str = "git",
) -> dict[str, Any]:
    """The full hotspot report of ``root`` for ``edges`` (JSON-ready, deterministic)."""
    files = module_files(edges, root)
    graph = import_graph(edges)
    graph.add_nodes_from(files)
    metrics = graph_metrics(graph)
    history = churn.churn(root, since, git)
    pairs = churn.couplings(history.commits, files=sorted(set(files.values())))
    strongest = churn.max_coupling(pairs)
    notes = [history.note] if history.note else []
    rows: list[dict[str, Any]] = []
    for module, path in sorted(files.items()):
        measured = complexity.file_complexity(root / path)
        if measured.error:
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
    return {
        "formula": FORMULA,
        "window": {"since": since, "commits": len(history.commits)},
        "coupling_thresholds": {
            "min_revisions": config.COUPLING_MIN_REVISIONS,
            "min_shared_revisions": config.COUPLING_MIN_SHARED_REVISIONS,
            "max_changeset_size": config.COUPLING_MAX_CHANGESET_SIZE,
        },
        "notes": notes,
        "files": rows,
        "cycles": [asdict(c) for c in import_cycles(edges)],
        "couplings": [asdict(p) for p in pairs],
    }
