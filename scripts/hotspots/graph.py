"""The import graph of the dependency edges: module files, per-module figures, and cycles.

Fan-in Ca (modules importing it), fan-out Ce (modules it imports), instability Ce / (Ca + Ce),
betweenness centrality (networkx), and the import cycles: strongly connected components of more
than one module, and self-imports, each with the import statements forming it, and the imports
grimp nominates to break each cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grimp
import networkx as nx

Edge = Mapping[str, Any]


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


def grimp_graph(edges: Iterable[Edge]) -> grimp.ImportGraph:
    """The internal edges as a grimp graph (public API: ``add_module``/``add_import``), every
    module's parent packages included; self-imports are left out."""
    graph = grimp.ImportGraph()
    for edge in edges:
        if edge.get("kind", "internal") != "internal" or edge["importer"] == edge["imported"]:
            continue
        for module in (edge["importer"], edge["imported"]):
            parts = module.split(".")
            for depth in range(1, len(parts) + 1):
                graph.add_module(".".join(parts[:depth]))
        graph.add_import(importer=edge["importer"], imported=edge["imported"])
    return graph


def common_package(modules: Iterable[str]) -> str:
    """The deepest package holding every module (``""`` when they share no root)."""
    split = [m.split(".") for m in modules]
    shared: list[str] = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        shared.append(parts[0])
    if len(shared) == min(len(s) for s in split):  # one module is the package itself
        shared = shared[:-1]
    return ".".join(shared)


def cycle_breakers(edges: Sequence[Edge], cycles: Iterable[Cycle]) -> list[list[tuple[str, str]]]:
    """For each cycle, the imports grimp's ``nominate_cycle_breakers`` suggests removing (those
    between the cycle's own modules; a self-import breaks itself)."""
    graph = grimp_graph(edges)
    suggested = []
    for cycle in cycles:
        members = set(cycle.modules)
        if len(members) == 1:
            suggested.append([(cycle.modules[0], cycle.modules[0])])
            continue
        package = common_package(cycle.modules)
        nominated = graph.nominate_cycle_breakers(package) if package else set()
        inside = sorted((a, b) for a, b in nominated if a in members and b in members)
        suggested.append(inside)
    return suggested
