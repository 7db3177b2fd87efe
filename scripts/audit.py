"""``make audit``: regenerate the audit data (edges, contracts, hotspots), then run the gates.

``--check`` is the CI mode and writes nothing in the repository: it regenerates the edges and
contracts in a temporary folder, compares them with the committed files (QE009: stale data, or a
breaking API change found by ``generate_interface_contracts.py --check``), then runs the gates
on the fresh edges. Hotspots are not compared: their git window moves with the calendar.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

if not __package__:  # run as a file: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quant_engine import config, layout
from quant_engine.errors import QuantEngineError
from scripts.audit_gate_checks import Finding
from scripts.audit_gates import FORMATS, report, run_gates
from scripts.extract_dependencies import load_edges

Step = Callable[[Sequence[str] | None], int]
MISSING = "missing: never generated, or not committed"
REGENERATE = "run `make audit` (python scripts/audit.py) and commit the audit data folder"


def steps() -> list[tuple[str, Step]]:
    """The generators in dependency order: edges, then contracts (use edges), then hotspots."""
    from scripts import extract_dependencies, generate_interface_contracts, hotspot_scoring

    return [
        ("extract_dependencies", extract_dependencies.main),
        ("generate_interface_contracts", generate_interface_contracts.main),
        ("hotspot_scoring", hotspot_scoring.main),
    ]


def run_step(step: Step, argv: Sequence[str]) -> tuple[int, str]:
    """Run one generator; its stdout is returned and echoed to stderr (stdout is for findings)."""
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        code = step(list(argv))
    print(captured.getvalue(), end="", file=sys.stderr)
    return code, captured.getvalue()


def relative(path: Path) -> str:
    """``path`` relative to the repository, POSIX style."""
    return path.resolve().relative_to(layout.repo_root()).as_posix()


def edge_key(edge: Mapping[str, Any]) -> tuple[str, str, str, int]:
    """What identifies an import: importer, imported, file and line."""
    return (edge["importer"], edge["imported"], edge.get("file", ""), edge["line"])


def compare_edges(
    committed: Mapping[str, Any], fresh: Mapping[str, Any], path: str
) -> list[Finding]:
    """QE009: the committed edges differ from the code's (one finding, with a sample change).

    Fix: regenerate with ``make audit`` and commit the result.
    """
    if json.dumps(committed, sort_keys=True) == json.dumps(fresh, sort_keys=True):
        return []
    old = {edge_key(e) for e in committed.get("edges", [])}
    new = {edge_key(e) for e in fresh.get("edges", [])}
    added, removed = sorted(new - old), sorted(old - new)
    sample = [f"+{a[2]}:{a[3]} {a[0]} -> {a[1]}" for a in added[:1]]
    sample += [f"-{r[2]}:{r[3]} {r[0]} -> {r[1]}" for r in removed[:1]]
    detail = f"{len(added)} import(s) added, {len(removed)} removed"
    detail += f" (e.g. {'; '.join(sample)})" if sample else "; other fields differ"
    return [Finding(path, 1, "QE009", f"stale dependency edges: {detail}", REGENERATE)]


def check_freshness(workdir: Path) -> tuple[list[Finding], list[dict[str, Any]]]:
    """QE009 over edges and contracts, regenerated under ``workdir``; also the fresh edges."""
    (extract_name, extract), (contracts_name, contracts), _ = steps()
    edges_path, contracts_path = layout.dependency_edges_path(), layout.interface_contracts_path()
    fresh_edges, fresh_contracts = workdir / edges_path.name, workdir / contracts_path.name
    if run_step(extract, ["--out", str(fresh_edges)])[0] != 0:
        raise QuantEngineError(f"{extract_name} failed: cannot check freshness")
    fresh = json.loads(fresh_edges.read_text(encoding="utf-8"))
    findings = []
    if edges_path.is_file():
        committed = json.loads(edges_path.read_text(encoding="utf-8"))
        findings += compare_edges(committed, fresh, relative(edges_path))
    else:
        findings.append(Finding(relative(edges_path), 1, "QE009", MISSING, REGENERATE))
    argv = ["--edges", str(fresh_edges), "--out", str(fresh_contracts)]
    if run_step(contracts, argv)[0] != 0:
        raise QuantEngineError(f"{contracts_name} failed: cannot check freshness")
    if not contracts_path.is_file():
        findings.append(Finding(relative(contracts_path), 1, "QE009", MISSING, REGENERATE))
    elif contracts_path.read_bytes() != fresh_contracts.read_bytes():
        code, text = run_step(contracts, ["--check", "--edges", str(fresh_edges)])
        if code:
            first = (text.strip().splitlines() or ["see above"])[0]
            message = f"breaking change to the public API: {first}"
            fix = "restore the API; if the break is intended, regenerate with make audit"
        else:
            message, fix = "stale interface contracts (no breaking change)", REGENERATE
        findings.append(Finding(relative(contracts_path), 1, "QE009", message, fix))
    return findings, fresh["edges"]


def build_parser() -> argparse.ArgumentParser:
    """Flags: CI check mode, output format, hotspot window."""
    parser = argparse.ArgumentParser(prog="audit", description=__doc__)
    parser.add_argument("--check", action="store_true", help="verify only; write nothing (CI)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="findings format")
    parser.add_argument("--since", default=config.AUDIT_CHURN_SINCE, help="hotspot git window")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate then gate (or ``--check``); 0 clean, 1 findings or a failed step."""
    args = build_parser().parse_args(argv)
    try:
        if args.check:
            with tempfile.TemporaryDirectory(prefix="qe-audit-") as workdir:
                findings, edges = check_freshness(Path(workdir))
        else:
            extra = {"hotspot_scoring": ["--since", args.since]}
            for name, step in steps():
                if code := run_step(step, extra.get(name, []))[0]:
                    print(f"audit: {name} failed with exit code {code}", file=sys.stderr)
                    return code
            findings, edges = [], load_edges(None)
    except (QuantEngineError, ValueError) as exc:
        print(f"audit: error: {exc}", file=sys.stderr)
        return 1
    findings = sorted(set(findings + run_gates(edges=edges)))
    report(findings, args.format)
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
