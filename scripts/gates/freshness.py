"""QE009: the committed audit data (dependency edges, interface contracts) matches the code.

The caller regenerates the edges and contracts in memory and hands them in; nothing is written.
A contracts difference is reported as a breaking API change when one is found (a removed symbol,
a changed default, ...), else as merely stale. Hotspots are not compared: their git window moves
with the calendar.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from quant_engine import layout
from scripts.contracts.build import load_contracts, remembered_yaml
from scripts.contracts.diff import BREAKING, compare
from scripts.gates.findings import Finding
from scripts.memo import DigestMemo

MISSING = "missing: never generated, or not committed"
REGENERATE = "run `make audit` (python scripts/audit.py) and commit the audit data folder"


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


def compare_contracts(
    committed_path: Path, fresh: Mapping[str, Any], memo: DigestMemo | None = None
) -> list[Finding]:
    """QE009: the committed contracts differ from the code's; a breaking change says which.

    Fix: restore the API, or (an intended change) regenerate with ``make audit`` and commit.
    """
    path = relative(committed_path)
    if not committed_path.is_file():
        return [Finding(path, 1, "QE009", MISSING, REGENERATE)]
    rendered = remembered_yaml(fresh, memo or DigestMemo(None))
    if committed_path.read_bytes() == rendered.encode("utf-8"):
        return []
    breaking = [c for c in compare(load_contracts(committed_path), fresh) if c.severity == BREAKING]
    if breaking:
        message = f"breaking change to the public API: {breaking[0].render()}"
        fix = "restore the API; if the break is intended, regenerate with make audit"
    else:
        message, fix = "stale interface contracts (no breaking change)", REGENERATE
    return [Finding(path, 1, "QE009", message, fix)]


def check_freshness(
    fresh_edges: Mapping[str, Any],
    fresh_contracts: Mapping[str, Any],
    memo: DigestMemo | None = None,
) -> list[Finding]:
    """QE009 over the canonical edges and contracts files, given what the code produces now
    (``memo`` remembers the rendering of the contracts)."""
    edges_path = layout.dependency_edges_path()
    if edges_path.is_file():
        committed = json.loads(edges_path.read_text(encoding="utf-8"))
        findings = compare_edges(committed, fresh_edges, relative(edges_path))
    else:
        findings = [Finding(relative(edges_path), 1, "QE009", MISSING, REGENERATE)]
    contracts_path = layout.interface_contracts_path()
    return findings + compare_contracts(contracts_path, fresh_contracts, memo)
