"""The hygiene gates (QE001-QE008) over this repository; each failure names file:line and a fix.

QE001/QE002 private API, QE003/QE004 entry-point bootstrap and manifest, QE005 CLI consistency,
QE006 canonical paths, QE007 architecture (import-linter contracts in pyproject.toml, run with
``lint-imports``), QE008 import cycles inside quant_engine from the dependency edges. QE009
(freshness of the committed audit data) is run by scripts/audit.py. Output: ``--format text``
(``path:line: CODE message (fix: ...)``), ``json``, or ``github`` (workflow annotations).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

if not __package__:  # run as a file: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quant_engine import layout
from quant_engine.errors import QuantEngineError
from scripts.audit_gate_checks import (
    Finding,
    check_cli_consistency,
    check_entry_bootstrap,
    check_entry_manifest,
    check_path_literals,
    check_private_attributes,
    check_private_imports,
    module_path,
)
from scripts.extract_dependencies import load_edges
from scripts.hotspot_scoring import import_cycles

PACKAGE = "quant_engine"
SOURCE_DIRS = (PACKAGE, "scripts")
FORMATS = ("text", "json", "github")
CHAIN_LINK = re.compile(r"^-?\s*([\w.]+) -> ([\w.]+) \(l\.(\d+)")
LAYERS_FIX = "add it to the layers contract in pyproject.toml [tool.importlinter]"


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


def github_escape(text: str, *, property_value: bool = False) -> str:
    """Escape text for a GitHub workflow command (``%``, newlines; ``:`` and ``,`` in values)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def format_findings(findings: Sequence[Finding], fmt: str = "text") -> str:
    """Findings as text lines, a JSON document, or GitHub ``::error`` annotation lines."""
    if fmt == "json":
        return json.dumps(
            {"count": len(findings), "findings": [asdict(f) for f in findings]}, indent=2
        )
    if fmt == "github":
        return "\n".join(
            f"::error file={github_escape(f.path, property_value=True)},line={f.line},"
            f"title={github_escape(f.code, property_value=True)}::"
            f"{github_escape(f'{f.code} {f.message} (fix: {f.fix})')}"
            for f in findings
        )
    return "\n".join(f.text() for f in findings)


def build_parser() -> argparse.ArgumentParser:
    """Flags: output format, edges file, and whether to run lint-imports."""
    parser = argparse.ArgumentParser(prog="audit_gates", description=__doc__)
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument("--edges", type=Path, default=None, help="edges JSON (default: canonical)")
    parser.add_argument("--no-lint-imports", action="store_true", help="skip lint-imports")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the gates; print findings on stdout; 0 when clean, 1 on findings or bad input."""
    args = build_parser().parse_args(argv)
    try:
        edges = load_edges(args.edges)
    except (QuantEngineError, ValueError) as exc:
        print(f"audit_gates: error: {exc}", file=sys.stderr)
        return 1
    findings = run_gates(edges=edges, lint=not args.no_lint_imports)
    report(findings, args.format)
    return 1 if findings else 0


def report(findings: Sequence[Finding], fmt: str) -> None:
    """Print findings (stdout) and a one-line verdict (stderr)."""
    if findings or fmt == "json":
        print(format_findings(findings, fmt))
    verdict = f"{len(findings)} finding(s)" if findings else "all gates passed"
    print(f"audit gates: {verdict}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
