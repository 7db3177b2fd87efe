"""The architecture gates: QE007 (import-linter layers) and QE008 (import cycles).

QE007 runs ``lint-imports`` on the ``[tool.importlinter]`` contracts of pyproject.toml (lazy
imports count) and checks that every top-level module of the package sits in a layer; QE008
finds import cycles inside the package from the dependency edges.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from scripts.gates.checks import module_path
from scripts.gates.findings import Finding
from scripts.hotspots.graph import import_cycles

PACKAGE = "quant_engine"
CHAIN_LINK = re.compile(r"^-?\s*([\w.]+) -> ([\w.]+) \(l\.(\d+)")
LAYERS_FIX = "add it to the layers contract in pyproject.toml [tool.importlinter]"


def check_layer_coverage(
    modules: Mapping[str, set[str]], contracts: Sequence[Mapping[str, Any]]
) -> list[Finding]:
    """QE007: every top-level module of the package must sit in the import-linter layers.

    ``modules`` maps each top-level module to its direct submodules. A package split across
    layers (a façade above the layer of its siblings) is covered when each submodule is.
    Fix: add the module to the right layer of the ``layers`` contract in pyproject.toml.
    """
    declared: set[str] = set()
    for contract in contracts:
        for layer in contract.get("layers", []) if contract.get("type") == "layers" else []:
            declared |= {part.strip(" ()") for part in re.split(r"[|:]", layer)}

    def covered(module: str) -> bool:
        parts = modules[module]
        return module in declared or (bool(parts) and parts <= declared)

    return [
        Finding(module_path(m), 1, "QE007", f"{m} is in no import-linter layer", LAYERS_FIX)
        for m in sorted(modules)
        if not covered(m)
    ]


def parse_lint_imports(output: str, file_of: Mapping[str, str]) -> list[Finding]:
    """QE007 findings from ``lint-imports`` output: one per forbidden import chain, at its start.

    Fix: depend on a lower layer only; move shared code down a layer if both sides need it.
    """
    findings: list[Finding] = []
    header = ""
    chain: list[tuple[str, str, int]] = []

    def flush() -> None:
        if chain:
            first = chain[0]
            route = " -> ".join([chain[0][0], *(link[1] for link in chain)])
            path = file_of.get(first[0], module_path(first[0]))
            message = f"{header.rstrip(':')}: {route}"
            fix = "import only from lower layers; move shared code down a layer"
            findings.append(Finding(path, first[2], "QE007", message, fix))
            chain.clear()

    for line in output.splitlines():
        if "is not allowed to import" in line:
            flush()
            header = line.strip()
            continue
        stripped = line.strip()
        match = CHAIN_LINK.match(stripped)
        if match is None or stripped.startswith("-"):
            flush()
        if match is None:
            continue
        chain.append((match[1], match[2], int(match[3])))
    flush()
    return findings


def lint_imports(root: Path, file_of: Mapping[str, str]) -> list[Finding]:
    """Run ``lint-imports`` (no cache: writes nothing) on the repo's contracts; QE007 findings."""
    command = Path(sys.executable).with_name("lint-imports")
    argv = [str(command) if command.exists() else "lint-imports", "--no-cache"]
    try:
        proc = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return [Finding("pyproject.toml", 1, "QE007", "lint-imports not found", "install .[audit]")]
    if proc.returncode == 0:
        return []
    findings = parse_lint_imports(proc.stdout, file_of)
    if not findings:
        tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or ["failed"]
        fix = "fix the [tool.importlinter] contracts in pyproject.toml"
        findings = [Finding("pyproject.toml", 1, "QE007", f"lint-imports: {tail[0]}", fix)]
    return findings


def check_import_cycles(
    edges: Iterable[Mapping[str, Any]], package: str = PACKAGE
) -> list[Finding]:
    """QE008: an import cycle inside ``package`` (lazy imports count; TYPE_CHECKING ones do not).

    Fix: move what both modules need into a lower module, or invert the dependency.
    """
    inside = [
        edge
        for edge in edges
        if all(
            edge[end] == package or edge[end].startswith(f"{package}.")
            for end in ("importer", "imported")
        )
    ]
    findings = []
    for cycle in import_cycles(inside, include_type_checking=False):
        members = " ↔ ".join(cycle.modules)
        findings += [
            Finding(
                site["file"] or module_path(site["importer"]),
                site["line"],
                "QE008",
                f"import {site['importer']} → {site['imported']} is part of the cycle {members}",
                "move what both need into a lower module, or invert the dependency",
            )
            for site in cycle.imports
        ]
    return findings
