"""The gate runner: feeds this repository (or any tree) to every gate, QE001-QE008.

It parses each .py file under quant_engine/ and scripts/ once (an unparsable file is a QE000
finding), runs the source checks of :mod:`scripts.gates.checks` on each, builds every entry
point's parser for QE005, and runs the architecture gates of :mod:`scripts.gates.architecture`.
QE008 needs the dependency edges; QE009 (freshness of the audit data) is
:mod:`scripts.gates.freshness`.
"""

from __future__ import annotations

import ast
import json
import subprocess
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
    Flag,
    check_entry_bootstrap,
    check_entry_manifest,
    check_flag_agreement,
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


PROBE = Path(__file__).resolve().with_name("parser_probe.py")
PROBE_TIMEOUT_S = 300
"""The probe imports every entry point (pandas, scikit-learn, ...): minutes only when broken."""


def probe_entry_points(root: Path, names: Sequence[str]) -> dict[str, Any] | str:
    """The probe's answer for each name (see :mod:`scripts.gates.parser_probe`), or why the
    probe itself failed, in one line."""
    argv = [sys.executable, "-P", str(PROBE), str(root), *names]
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the parser probe did not finish: {exc}"
    try:
        answer = json.loads(proc.stdout)
    except ValueError:
        lines = proc.stderr.strip().splitlines()
        return f"the parser probe failed (exit {proc.returncode}): {lines[-1] if lines else ''}"
    return answer if isinstance(answer, dict) else "the parser probe answered no mapping"


def entry_point_parsers(
    root: Path, trees: Mapping[str, ast.Module]
) -> tuple[dict[str, dict[str, Flag]], dict[str, int], list[Finding]]:
    """Each entry point's flags, built in a child process (the audit never imports the engine's
    commands: a broken one is a finding); the line of each ``def build_parser``."""
    flags: dict[str, dict[str, Flag]] = {}
    lines: dict[str, int] = {}
    findings: list[Finding] = []
    rels = {Path(rel).stem: rel for rel in sorted(trees) if is_entry_point(rel)}
    for name, rel in rels.items():
        defs = [
            n
            for n in trees[rel].body
            if isinstance(n, ast.FunctionDef) and n.name == "build_parser"
        ]
        lines[name] = defs[0].lineno if defs else 1
    if not rels:
        return flags, lines, findings
    answer = probe_entry_points(root, list(rels))
    fix = "make build_parser() work"
    for name, rel in rels.items():
        got = answer.get(name) if isinstance(answer, dict) else None
        if isinstance(got, dict) and isinstance(got.get("flags"), dict):
            flags[name] = {flag: Flag.from_probe(data) for flag, data in got["flags"].items()}
            continue
        reason = got.get("error") if isinstance(got, dict) else answer
        message = f"cannot build its parser: {reason or 'no answer from the parser probe'}"
        findings.append(Finding(rel, lines[name], "QE005", message, fix))
    return flags, lines, findings


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
    flags, lines, parser_findings = entry_point_parsers(root, trees)
    findings += parser_findings + check_flag_agreement(flags, lines)
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
