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
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass
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
from scripts.gates.commands import (
    check_command,
    console_scripts,
    delegates,
    read_pyproject,
    runs_as_main,
)
from scripts.gates.findings import Finding
from scripts.gates.flag_defaults import check_literal_flag_defaults, long_options
from scripts.gates.imports import check_private_modules
from scripts.gates.layers import check_layer_edges, unseen_by_lint_imports
from scripts.gates.suppressions import Suppression, apply_suppressions, noqa_comments
from scripts.memo import DigestMemo, code_digest, key_of

SOURCE_DIRS = (PACKAGE, "scripts")


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


def entry_point_flags(
    entry_points: Mapping[str, str], lines: Mapping[str, int], answer: Mapping[str, Any] | str
) -> tuple[dict[str, dict[str, Flag]], list[Finding]]:
    """Each entry point's flags from the probe's ``answer``; a QE005 finding (at its
    ``def build_parser``) for each one the probe could not build."""
    flags: dict[str, dict[str, Flag]] = {}
    findings: list[Finding] = []
    for name, rel in sorted(entry_points.items()):
        got = answer.get(name) if isinstance(answer, Mapping) else None
        if isinstance(got, dict) and isinstance(got.get("flags"), dict):
            flags[name] = {flag: Flag.from_probe(data) for flag, data in got["flags"].items()}
            continue
        reason = got.get("error") if isinstance(got, dict) else answer
        message = f"cannot build its parser: {reason or 'no answer from the parser probe'}"
        findings.append(
            Finding(rel, lines.get(name, 1), "QE005", message, "make build_parser() work")
        )
    return flags, findings


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


CHECKS_CODE = tuple(
    Path(__file__).resolve().with_name(name)
    for name in (
        "checks.py",
        "commands.py",
        "findings.py",
        "flag_defaults.py",
        "imports.py",
        "reachability.py",
        "runner.py",
        "suppressions.py",
    )
)
"""The code behind a file's findings: part of every remembered result's key."""


def source_files(root: Path) -> dict[str, Path]:
    """Every .py file under the source folders, by path relative to ``root`` (sorted)."""
    return {
        path.relative_to(root).as_posix(): path
        for folder in SOURCE_DIRS
        for path in sorted((root / folder).rglob("*.py"))
    }


def module_name(rel: str) -> str:
    """``quant_engine/data/__init__.py`` → ``quant_engine.data``; ``a/b.py`` → ``a.b``."""
    return rel.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def file_findings(
    rel: str,
    data: bytes,
    fragments: Sequence[str],
    layout_file: str,
    *,
    shared_flags: frozenset[str] = frozenset(),
    command: str | None = None,
) -> tuple[list[Finding], int | None]:
    """The per-file gates (QE000-QE006) of one source, and the line of its
    ``def build_parser`` (None when it has none or does not parse)."""
    try:
        tree = ast.parse(data, filename=rel)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None) or 1
        return [Finding(rel, line, "QE000", f"does not parse: {exc}", "fix it")], None
    findings = check_private_imports(tree, rel) + check_private_attributes(tree, rel)
    is_package = rel.endswith("/__init__.py")
    findings += check_private_modules(tree, rel, module_name(rel), is_package=is_package)
    findings += check_literal_flag_defaults(tree, rel, shared_flags)
    if rel != layout_file:
        findings += check_path_literals(tree, rel, fragments)
    if is_entry_point(rel):
        findings += check_entry_bootstrap(tree, rel) + check_entry_manifest(tree, rel)
    elif command is not None or (rel.startswith("scripts/") and runs_as_main(tree)):
        findings += check_command(tree, rel, command or "main")
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "build_parser"]
    return findings, defs[0].lineno if defs else None


def run_gates(
    root: Path | None = None,
    *,
    edges: Sequence[Mapping[str, Any]] | None = None,
    lint: bool = True,
    memo: DigestMemo | None = None,
) -> list[Finding]:
    """All gates QE001-QE008 over the repository at ``root``; findings sorted by place
    (those suppressed by a reasoned ``# noqa: QExxx`` left out: see :func:`gate_report`)."""
    return gate_report(root, edges=edges, lint=lint, memo=memo).findings


@dataclass(frozen=True)
class GateReport:
    """The findings of every gate, and the inline suppressions that held some back."""

    findings: list[Finding]
    suppressions: list[Suppression]


def shared_flag_names(root: Path) -> frozenset[str]:
    """The long options the shared flag helpers (quant_engine/cli.py) define."""
    try:
        return long_options(ast.parse((root / PACKAGE / "cli.py").read_bytes()))
    except (OSError, SyntaxError, ValueError):
        return frozenset()


def package_names(rels: Iterable[str]) -> frozenset[str]:
    """Dotted names of the folders holding an ``__init__.py`` (regular packages)."""
    return frozenset(module_name(r) for r in rels if r.endswith("/__init__.py"))


def command_files(
    files: Mapping[str, Path], pyproject: Mapping[str, object]
) -> tuple[dict[str, str], list[Finding]]:
    """``rel → function`` of every console script outside ``run_*.py`` and of the commands
    they hand over to; and a QE004 finding for each console script whose module is missing."""
    by_module = {module_name(rel): rel for rel in files}
    commands: dict[str, str] = {}
    findings = []
    todo = list(console_scripts(pyproject).items())
    while todo:
        name, (module, function) = todo.pop()
        rel = by_module.get(module)
        if rel is None:
            if module.split(".")[0] in SOURCE_DIRS:
                message = f"console script {name} points at {module}, which does not exist"
                findings.append(Finding("pyproject.toml", 1, "QE004", message, "fix its target"))
            continue
        if rel in commands or is_entry_point(rel):
            continue
        commands[rel] = function
        try:
            tree = ast.parse(files[rel].read_bytes())
        except (OSError, SyntaxError, ValueError):
            continue  # QE000 reports it
        todo += [(name, (target, "main")) for target in delegates(tree, function)]
    return commands, findings


def gate_report(
    root: Path | None = None,
    *,
    edges: Sequence[Mapping[str, Any]] | None = None,
    lint: bool = True,
    memo: DigestMemo | None = None,
) -> GateReport:
    """All gates QE001-QE008 over the repository at ``root``, then the inline suppressions.

    ``lint-imports`` and the parser probe (both child processes) run while the files are
    checked; ``memo`` remembers each file's findings by content digest.
    """
    root = root or layout.repo_root()
    memo = memo or DigestMemo(None)
    files = source_files(root)
    fragments = sorted(layout.canonical_path_fragments())
    shared_flags = shared_flag_names(root)
    pyproject = read_pyproject((root / "pyproject.toml").read_text(encoding="utf-8"))
    commands, findings = command_files(files, pyproject)
    comments: list[Suppression] = []
    layout_file = (layout.package_dir() / "layout.py").relative_to(layout.repo_root()).as_posix()
    entry_points = {Path(rel).stem: rel for rel in files if is_entry_point(rel)}
    with ThreadPoolExecutor(2) as pool:
        file_of = {module_name(rel): rel for rel in files}
        linted = pool.submit(lint_imports, root, file_of) if lint else None
        probed = pool.submit(probe_entry_points, root, list(entry_points)) if entry_points else None
        code = code_digest(CHECKS_CODE)
        context = json.dumps([fragments, layout_file, sorted(shared_flags)])
        lines: dict[str, int] = {}
        for rel, path in files.items():
            data = path.read_bytes()
            key = key_of(code, context, rel, commands.get(rel, ""), data)
            remembered = memo.get(key)
            if remembered is None:
                found, line = file_findings(
                    rel,
                    data,
                    fragments,
                    layout_file,
                    shared_flags=shared_flags,
                    command=commands.get(rel),
                )
                noqa = noqa_comments(data, rel)
                memo.put(
                    key,
                    [[list(astuple(f)) for f in found], line, [list(astuple(c)) for c in noqa]],
                )
            else:
                found = [Finding(*f) for f in remembered[0]]
                line = remembered[1]
                noqa = [Suppression(*c) for c in remembered[2]]
            comments += noqa
            findings += found
            if rel in entry_points.values():
                lines[Path(rel).stem] = line or 1
        answer = probed.result() if probed is not None else {}
        flags, parser_findings = entry_point_flags(entry_points, lines, answer)
        findings += parser_findings + check_flag_agreement(flags, lines)
        top_level = top_level_modules(files)
        contracts = pyproject.get("tool", {}).get("importlinter", {}).get("contracts", [])
        findings += check_layer_coverage(top_level, contracts)
        if linted is not None:
            findings += linted.result()
    if edges is not None:
        findings += check_import_cycles(edges)
        unseen = unseen_by_lint_imports(edges, package_names(files))
        findings += check_layer_edges(unseen, contracts)
    memo.save()
    unchecked = (
        {"QE009"} | ({"QE007"} if not lint else set()) | ({"QE008"} if edges is None else set())
    )
    kept, used = apply_suppressions(set(findings), comments, frozenset(unchecked))
    return GateReport(kept, used)
