"""The gate runner: feeds this repository (or any tree) to every gate, QE001-QE008.

It parses each .py file under quant_engine/ and scripts/ once (an unparsable file is a QE000
finding), runs the source checks of :mod:`scripts.gates.checks` on each, builds every entry
point's parser for QE005, and runs the architecture gates of :mod:`scripts.gates.architecture`.
QE008 needs the dependency edges; QE009 (freshness of the audit data) is
:mod:`scripts.gates.freshness`.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from quant_engine import layout
from scripts.gates.architecture import (
    PACKAGE,
    check_import_cycles,
    check_layer_coverage,
    lint_imports,
)
from scripts.gates.checks import (
    check_cli_consistency,
    check_entry_bootstrap,
    check_entry_manifest,
    check_path_literals,
    check_private_attributes,
    check_private_imports,
)
from scripts.gates.findings import Finding

SOURCE_DIRS = (PACKAGE, "scripts")


def parse_sources(root: Path) -> tuple[dict[str, ast.Module], list[Finding]]:
    """Every .py file under the source folders, parsed; an unparsable file is a finding."""
    trees: dict[str, ast.Module] = {}
    findings = []
    for folder in SOURCE_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            try:
                trees[rel] = ast.parse(path.read_bytes(), filename=rel)
            except (SyntaxError, ValueError) as exc:
                line = getattr(exc, "lineno", None) or 1
                findings.append(Finding(rel, line, "QE000", f"does not parse: {exc}", "fix it"))
    return trees, findings


def load_entry_point(root: Path, rel: str) -> Any:
    """Import ``quant_engine/run_x.py`` of ``root``: by name in this repo, else from its file."""
    name = f"{PACKAGE}.{Path(rel).stem}"
    if root.resolve() == layout.repo_root():
        return importlib.import_module(name)
    probe = f"{PACKAGE}.audit_probe_{Path(rel).stem}"  # inside the package: no bootstrap runs
    spec = importlib.util.spec_from_file_location(probe, root / rel)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {rel}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[probe] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[probe]
    return module


def entry_point_parsers(
    root: Path, trees: Mapping[str, ast.Module]
) -> tuple[dict[str, argparse.ArgumentParser], dict[str, int], list[Finding]]:
    """Load each entry point and build its parser; the line of each ``def build_parser``."""
    parsers, lines, findings = {}, {}, []
    for rel, tree in sorted(trees.items()):
        if not is_entry_point(rel):
            continue
        name = Path(rel).stem
        defs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "build_parser"]
        lines[name] = defs[0].lineno if defs else 1
        try:
            parser = load_entry_point(root, rel).build_parser()
            if not isinstance(parser, argparse.ArgumentParser):
                raise TypeError(f"build_parser() returned {type(parser).__name__}")
            parsers[name] = parser
        except Exception as exc:  # any failure is the finding
            message = f"cannot build its parser: {type(exc).__name__}: {exc}"
            findings.append(Finding(rel, lines[name], "QE005", message, "make build_parser() work"))
    return parsers, lines, findings


def top_level_modules(rels: Iterable[str]) -> dict[str, set[str]]:
    """``quant_engine.<name>`` for each module and subpackage directly in the package.

    Each maps to the names of its direct submodules (empty for a plain module).
    """
    found: dict[str, set[str]] = {}
    for rel in rels:
        parts = Path(rel).parts
        if parts[0] != PACKAGE or len(parts) < 2 or parts[1] == "__init__.py":
            continue
        top = f"{PACKAGE}.{parts[1].removesuffix('.py')}"
        found.setdefault(top, set())
        if len(parts) > 2 and parts[2] != "__init__.py":
            found[top].add(f"{top}.{parts[2].removesuffix('.py')}")
    return found


def is_entry_point(rel: str) -> bool:
    """True for ``quant_engine/run_*.py``."""
    path = Path(rel)
    return path.parent.as_posix() == PACKAGE and path.name.startswith("run_")


def run_gates(
    root: Path | None = None,
    *,
    edges: Sequence[Mapping[str, Any]] | None = None,
    lint: bool = True,
) -> list[Finding]:
    """All gates QE001-QE008 over the repository at ``root``; findings sorted by place."""
    root = root or layout.repo_root()
    trees, findings = parse_sources(root)
    fragments = layout.canonical_path_fragments()
    layout_file = (layout.package_dir() / "layout.py").relative_to(layout.repo_root()).as_posix()
    for rel, tree in trees.items():
        findings += check_private_imports(tree, rel) + check_private_attributes(tree, rel)
        if rel != layout_file:
            findings += check_path_literals(tree, rel, fragments)
        if is_entry_point(rel):
            findings += check_entry_bootstrap(tree, rel) + check_entry_manifest(tree, rel)
    parsers, lines, parser_findings = entry_point_parsers(root, trees)
    findings += parser_findings + check_cli_consistency(parsers, lines)
    top_level = top_level_modules(trees)
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = pyproject.get("tool", {}).get("importlinter", {}).get("contracts", [])
    findings += check_layer_coverage(top_level, contracts)
    if lint:
        file_of = {
            rel.removesuffix(".py").removesuffix("/__init__").replace("/", "."): rel
            for rel in trees
        }
        findings += lint_imports(root, file_of)
    if edges is not None:
        findings += check_import_cycles(edges)
    return sorted(set(findings))
