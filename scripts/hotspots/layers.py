"""The layer structure of import-linter's ``layers`` contract, and the imports that break it.

Layers come from the first ``type = "layers"`` contract under ``[tool.importlinter]`` in the
repository's ``pyproject.toml`` (highest first; ``a | b`` are independent siblings, ``a : b``
may import each other; ``(a)`` marks an optional layer; ``containers`` prefix every name). A
module belongs to the layer of its longest matching name. A violation is an internal import
from a lower layer into a higher one, or between independent siblings of one layer.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.hotspots.graph import Edge


@dataclass(frozen=True)
class Layer:
    """One layer: its sibling module names and whether they must stay independent (``|``)."""

    names: tuple[str, ...]
    independent: bool


def parse_layer(text: str, containers: Iterable[str] = ("",)) -> Layer:
    """One entry of the contract's ``layers`` list, prefixed by each container."""
    independent = "|" in text
    raw = [part.strip().strip("()").strip() for part in re.split(r"[|:]", text)]
    names = tuple(
        f"{container}.{name}" if container else name
        for container in containers
        for name in raw
        if name
    )
    return Layer(names, independent)


def load_layers(pyproject: Path) -> tuple[list[Layer], str]:
    """The layers (highest first) of the first layers contract, or ([], why there are none)."""
    if not pyproject.is_file():
        return [], f"no layers: no {pyproject.name} at the root"
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return [], f"no layers: cannot read {pyproject.name} ({type(exc).__name__})"
    contracts = data.get("tool", {}).get("importlinter", {}).get("contracts", [])
    for contract in contracts:
        if contract.get("type") == "layers":
            containers = contract.get("containers") or [""]
            return [parse_layer(text, containers) for text in contract.get("layers", [])], ""
    return [], f"no layers: {pyproject.name} has no import-linter layers contract"


def layer_of(module: str, layers: list[Layer]) -> tuple[int, str] | None:
    """(layer index, sibling name) of ``module`` by its longest matching name, or None."""
    best: tuple[int, str] | None = None
    for index, layer in enumerate(layers):
        for name in layer.names:
            fits = module == name or module.startswith(f"{name}.")
            if fits and (best is None or len(name) > len(best[1])):
                best = (index, name)
    return best


def layer_report(edges: Iterable[Edge], layers: list[Layer]) -> dict[str, Any]:
    """Imports between layers (counts, highest layer first) and every violating import."""
    between: Counter[tuple[int, int]] = Counter()
    violations = []
    members: dict[int, set[str]] = {index: set() for index in range(len(layers))}
    for edge in edges:
        if edge.get("kind", "internal") != "internal":
            continue
        source, target = layer_of(edge["importer"], layers), layer_of(edge["imported"], layers)
        for found, module in ((source, edge["importer"]), (target, edge["imported"])):
            if found is not None:
                members[found[0]].add(module)
        if source is None or target is None:
            continue
        upward = target[0] < source[0]
        sideways = (
            source[0] == target[0] and source[1] != target[1] and layers[source[0]].independent
        )
        if source[0] != target[0]:
            between[(source[0], target[0])] += 1
        if upward or sideways:
            violations.append(
                {
                    "importer": edge["importer"],
                    "imported": edge["imported"],
                    "file": edge.get("file", ""),
                    "line": edge["line"],
                }
            )
    violations.sort(key=lambda v: (v["file"], v["line"], v["imported"]))
    return {
        "layers": [
            {
                "names": list(layer.names),
                "independent": layer.independent,
                "modules": len(members[i]),
            }
            for i, layer in enumerate(layers)
        ],
        "imports_between": [
            {"from": a, "to": b, "count": n} for (a, b), n in sorted(between.items())
        ],
        "violations": violations,
    }


def module_layers(modules: Iterable[str], layers: list[Layer]) -> Mapping[str, int]:
    """Each module's layer index (modules outside every layer are left out)."""
    found = {module: layer_of(module, layers) for module in modules}
    return {module: hit[0] for module, hit in found.items() if hit is not None}
