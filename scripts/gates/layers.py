"""QE007 for the imports ``lint-imports`` cannot see: dynamic imports (``importlib``) and
imports from or into folders without ``__init__.py`` (grimp skips those folders).

The layers are read from the ``[tool.importlinter]`` layers contracts (highest first; ``a | b``
independent siblings, ``a : b`` siblings that may import each other, ``(a)`` optional).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from scripts.gates.findings import Finding


def contract_layers(
    contracts: Sequence[Mapping[str, Any]],
) -> list[list[list[tuple[str, bool]]]]:
    """Each layers contract as its layers, highest first: ``(module, independent)`` entries."""
    found = []
    for contract in contracts:
        if contract.get("type") != "layers":
            continue
        layers = []
        for layer in contract.get("layers", []):
            independent = "|" in layer
            members = [part.strip(" ()") for part in re.split(r"[|:]", layer)]
            layers.append([(member, independent) for member in members if member])
        found.append(layers)
    return found


def place(module: str, layers: Sequence[Sequence[tuple[str, bool]]]) -> tuple[int, str, bool]:
    """``(layer index, member, independent)`` of the longest member containing ``module``,
    or ``(-1, "", False)`` when it is in no layer."""
    best = (-1, "", False)
    for index, layer in enumerate(layers):
        for member, independent in layer:
            inside = module == member or module.startswith(f"{member}.")
            if inside and len(member) > len(best[1]):
                best = (index, member, independent)
    return best


def check_layer_edges(
    edges: Iterable[Mapping[str, Any]], contracts: Sequence[Mapping[str, Any]]
) -> list[Finding]:
    """QE007: an edge from a lower layer to a higher one, or between independent siblings.

    Meant for the edges lint-imports does not see (the runner picks them); lazy and dynamic
    imports count, ``TYPE_CHECKING`` ones do not.
    Fix: import only from lower layers; move shared code down a layer.
    """
    findings = []
    for layers in contract_layers(contracts):
        for edge in edges:
            if edge.get("type_checking"):
                continue
            low, low_member, _ = place(edge["importer"], layers)
            high, high_member, independent = place(edge["imported"], layers)
            if low < 0 or high < 0 or low_member == high_member:
                continue
            if low > high:
                why = f"{low_member} is a lower layer than {high_member}"
            elif low == high and independent:
                why = f"{low_member} and {high_member} are independent layers"
            else:
                continue
            how = "dynamically imports" if edge.get("dynamic") else "imports"
            findings.append(
                Finding(
                    edge.get("file") or edge["importer"].replace(".", "/") + ".py",
                    edge["line"],
                    "QE007",
                    f"{edge['importer']} {how} {edge['imported']}: {why}",
                    "import only from lower layers; move shared code down a layer",
                )
            )
    return findings


def unseen_by_lint_imports(
    edges: Iterable[Mapping[str, Any]], packages: frozenset[str]
) -> list[Mapping[str, Any]]:
    """The edges grimp (so lint-imports) does not see: dynamic ones, and those with an end in
    a folder that is not a package. ``packages`` are the dotted names of folders with an
    ``__init__.py``."""

    def hidden(module: str) -> bool:
        parts = module.split(".")
        return any(".".join(parts[:i]) not in packages for i in range(1, len(parts)))

    return [
        edge
        for edge in edges
        if edge.get("kind", "internal") == "internal"
        and (edge.get("dynamic") or hidden(edge["importer"]) or hidden(edge["imported"]))
    ]
