"""Rank the files of the dependency graph by Tornhill's hotspot score, weighted by coupling.

For each module file of the edges (the output of ``scripts/extract_dependencies.py``)::

    score = revisions × complexity × (1 + max_coupling)

``revisions``: commits touching the file within ``--since`` (scripts/audit_churn.py);
``complexity``: its total cyclomatic complexity (radon; scripts/audit_complexity.py);
``max_coupling``: its strongest code-maat temporal coupling degree (0..1) with another analysed
file. Import-graph figures come with each file: fan-in Ca (modules importing it), fan-out Ce
(modules it imports), instability Ce / (Ca + Ce), betweenness centrality, and the import cycles
(strongly connected components, self-imports included) with the imports forming them.
Outputs: ranked JSON, a Markdown table and a PNG chart of the top files, all deterministic.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

if not __package__:  # run as a file: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx

from quant_engine import cli, config, layout
from quant_engine.errors import QuantEngineError
from quant_engine.utils.atomic import write_bytes_atomic
from scripts import audit_churn, audit_complexity
from scripts.extract_dependencies import load_edges

Edge = Mapping[str, Any]
FORMULA = "score = revisions × complexity × (1 + max_coupling)"


@dataclass(frozen=True)
class Cycle:
    """An import cycle: its modules (sorted) and every import between them that forms it."""

    modules: tuple[str, ...]
    imports: tuple[dict[str, Any], ...]


def import_graph(edges: Iterable[Edge], *, include_type_checking: bool = True) -> nx.DiGraph[str]:
    """Directed module graph of the internal edges; each arc keeps its import statements."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    for edge in edges:
        if edge.get("kind", "internal") != "internal":
            continue
        if edge.get("type_checking") and not include_type_checking:
            continue
        a, b = edge["importer"], edge["imported"]
        if not graph.has_edge(a, b):
            graph.add_edge(a, b, imports=[])
        site = {"importer": a, "imported": b, "file": edge.get("file", ""), "line": edge["line"]}
        graph.edges[a, b]["imports"].append(site)
    return graph


def import_cycles(edges: Iterable[Edge], *, include_type_checking: bool = True) -> list[Cycle]:
    """Strongly connected components of more than one module, and self-imports, sorted."""
    graph = import_graph(edges, include_type_checking=include_type_checking)
    cycles = []
    for component in nx.strongly_connected_components(graph):
        if len(component) == 1 and not any(graph.has_edge(m, m) for m in component):
            continue
        imports = [
            site
            for a, b, data in graph.subgraph(component).edges(data=True)
            for site in data["imports"]
        ]
        imports.sort(key=lambda s: (s["importer"], s["imported"], s["line"]))
        cycles.append(Cycle(tuple(sorted(component)), tuple(imports)))
    return sorted(cycles, key=lambda c: c.modules)


def module_files(edges: Iterable[Edge], root: Path) -> dict[str, str]:
    """Module → repo-relative file for every importer, and for internal targets found on disk."""
    files: dict[str, str] = {}
    targets: set[str] = set()
    for edge in edges:
        if edge.get("file"):
            files.setdefault(edge["importer"], edge["file"])
        if edge.get("kind") == "internal":
            targets.add(edge["imported"])
    for module in sorted(targets - files.keys()):
        stem = Path(*module.split("."))
        for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
            if (root / candidate).is_file():
                files[module] = candidate.as_posix()
                break
    return files


def graph_metrics(graph: nx.DiGraph[str]) -> dict[str, dict[str, float]]:
    """Fan-in, fan-out, instability and betweenness of every module (self-imports ignored)."""
    plain: nx.DiGraph[str] = nx.DiGraph(graph)
    plain.remove_edges_from(list(nx.selfloop_edges(plain)))
    between = nx.betweenness_centrality(plain) if len(plain) else {}
    metrics = {}
    for module in sorted(plain):
        ca, ce = plain.in_degree(module), plain.out_degree(module)
        metrics[module] = {
            "fan_in": ca,
            "fan_out": ce,
            "instability": round(ce / (ca + ce), 6) if ca + ce else 0.0,
            "betweenness": round(between.get(module, 0.0), 6),
        }
    return metrics


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
    history = audit_churn.churn(root, since, git)
    pairs = audit_churn.couplings(history.commits, files=sorted(set(files.values())))
    strongest = audit_churn.max_coupling(pairs)
    notes = [history.note] if history.note else []
    rows: list[dict[str, Any]] = []
    for module, path in sorted(files.items()):
        measured = audit_complexity.file_complexity(root / path)
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


def render_markdown(report: Mapping[str, Any], top: int) -> str:
    """A readable table of the ``top`` hotspots, then cycles and notes."""
    lines = [
        "# Hotspots",
        "",
        f"`{report['formula']}` over git history since {report['window']['since']!r} "
        f"({report['window']['commits']} commits). Generated by `scripts/hotspot_scoring.py`.",
        "",
        "| # | file | score | revisions | lines changed | complexity | max coupling "
        "| fan-in | fan-out | instability | most complex function |",
        "|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for row in report["files"][:top]:
        worst = row["functions"][0] if row["functions"] else None
        worst_text = f"`{worst['name']}` ({worst['complexity']})" if worst else ""
        lines.append(
            f"| {row['rank']} | `{row['file']}` | {row['score']:g} | {row['revisions']} "
            f"| {row['lines_changed']} | {row['complexity']} | {row['max_coupling']:.2f} "
            f"| {row.get('fan_in', 0)} | {row.get('fan_out', 0)} "
            f"| {row.get('instability', 0.0):.2f} | {worst_text} |"
        )
    lines += ["", "## Import cycles", ""]
    for cycle in report["cycles"]:
        lines.append(f"- {' ↔ '.join(cycle['modules'])}")
        lines += [
            f"  - `{s['file']}:{s['line']}` {s['importer']} → {s['imported']}"
            for s in cycle["imports"]
        ]
    if not report["cycles"]:
        lines.append("None.")
    if report["notes"]:
        lines += ["", "## Notes", "", *(f"- {note}" for note in report["notes"])]
    return "\n".join(lines) + "\n"


def render_chart(report: Mapping[str, Any], top: int) -> bytes:
    """PNG bar chart of the ``top`` scores (Agg, no software/date metadata: reproducible)."""
    from matplotlib.figure import Figure

    rows = report["files"][:top][::-1]
    figure = Figure(figsize=(10, 0.35 * max(len(rows), 4) + 1.2), dpi=100)
    axes = figure.subplots()
    axes.barh([r["file"] for r in rows], [r["score"] for r in rows], color="#c0392b")
    axes.set_xlabel(report["formula"])
    axes.set_title(f"Top {len(rows)} hotspots (git since {report['window']['since']!r})")
    axes.tick_params(axis="y", labelsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def build_parser() -> argparse.ArgumentParser:
    """Flags: edges input, output folder, git window, table size, repository."""
    parser = argparse.ArgumentParser(prog="hotspot_scoring", description=__doc__)
    parser.add_argument("--edges", type=Path, default=None, help="edges JSON (default: canonical)")
    parser.add_argument("--out-dir", type=Path, default=None, help="default: the audit data dir")
    parser.add_argument("--since", default=config.AUDIT_CHURN_SINCE, help="git log window")
    parser.add_argument(
        "--top", type=cli.positive_int, default=config.AUDIT_TOP_N, help="rows in table/chart"
    )
    parser.add_argument("--repo-root", type=Path, default=None, help="default: this repository")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Score, write the JSON, Markdown and PNG outputs, print where they went; 1 on bad input."""
    args = build_parser().parse_args(argv)
    root = (args.repo_root or layout.repo_root()).resolve()
    try:
        edges = load_edges(args.edges)  # canonical, or legacy with a DeprecationWarning
    except QuantEngineError as exc:
        print(f"hotspot_scoring: error: {exc}", file=sys.stderr)
        return 1
    report = score_hotspots(edges, root, since=args.since)
    for note in report["notes"]:
        print(f"hotspot_scoring: note: {note}", file=sys.stderr)
    targets = [layout.hotspots_json_path(), layout.hotspots_md_path(), layout.hotspots_png_path()]
    if args.out_dir is not None:
        targets = [args.out_dir / target.name for target in targets]
    payloads = [
        (json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode(),
        render_markdown(report, args.top).encode(),
        render_chart(report, args.top),
    ]
    for target, payload in zip(targets, payloads, strict=True):
        unchanged = target.is_file() and target.read_bytes() == payload
        if not unchanged:
            write_bytes_atomic(target, payload)
        print(f"{target}: {'unchanged' if unchanged else 'written'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
