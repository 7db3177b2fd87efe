"""``make audit`` orchestration: regenerate in order, or (``--check``) verify freshness only."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from quant_engine import layout
from scripts import audit, audit_gates
from scripts.audit_gate_checks import Finding

FRESH: dict[str, Any] = {
    "edges": [
        {
            "importer": "quant_engine.cli",
            "imported": "quant_engine.config",
            "kind": "internal",
            "names": ["config"],
            "line": 12,
            "end_line": 12,
            "lazy": False,
            "type_checking": False,
            "guarded": False,
            "conditional": False,
            "file": "quant_engine/cli.py",
        }
    ],
    "errors": [],
    "modules": ["quant_engine.cli", "quant_engine.config"],
}


CONTRACTS = "modules: {}\n"


class FakeTools:
    """Stand-ins for the three generators: record calls, write what the real ones would."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []
        self.failing: set[str] = set()
        self.contracts_break = False
        self.gate_findings: list[Finding] = []
        self.gate_edges: list[Any] | None = None

    def extract(self, argv: Sequence[str] | None) -> int:
        args = list(argv or [])
        self.calls.append(("extract_dependencies", args))
        out = Path(args[args.index("--out") + 1]) if "--out" in args else None
        (out or layout.dependency_edges_path()).write_text(json.dumps(FRESH))
        return 1 if "extract_dependencies" in self.failing else 0

    def contracts(self, argv: Sequence[str] | None) -> int:
        args = list(argv or [])
        self.calls.append(("generate_interface_contracts", args))
        if "--check" in args:
            if self.contracts_break:
                print("quant_engine/cli.py:add_years: parameter 'default' removed")
            return 1 if self.contracts_break else 0
        out = Path(args[args.index("--out") + 1]) if "--out" in args else None
        (out or layout.interface_contracts_path()).write_text(CONTRACTS)
        return 0

    def hotspots(self, argv: Sequence[str] | None) -> int:
        self.calls.append(("hotspot_scoring", list(argv or [])))
        layout.hotspots_json_path().write_text("{}\n")
        return 0

    def gates(self, **kwargs: Any) -> list[Finding]:
        self.gate_edges = kwargs.get("edges")
        return list(self.gate_findings)


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTools:
    monkeypatch.setattr(layout, "repo_root", lambda: tmp_path)
    layout.audit_data_dir().mkdir(parents=True)
    fake = FakeTools()
    steps = [
        ("extract_dependencies", fake.extract),
        ("generate_interface_contracts", fake.contracts),
        ("hotspot_scoring", fake.hotspots),
    ]
    monkeypatch.setattr(audit, "steps", lambda: steps)
    monkeypatch.setattr(audit, "run_gates", fake.gates)
    return fake


def data_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(layout.audit_data_dir().iterdir())}


def test_audit_regenerates_edges_then_contracts_then_hotspots_then_gates(
    tools: FakeTools,
) -> None:
    assert audit.main(["--since", "3 months"]) == 0
    assert tools.calls == [
        ("extract_dependencies", []),
        ("generate_interface_contracts", []),
        ("hotspot_scoring", ["--since", "3 months"]),
    ]
    assert set(data_files()) == {
        layout.DEPENDENCY_EDGES_NAME,
        layout.INTERFACE_CONTRACTS_NAME,
        layout.HOTSPOTS_JSON_NAME,
    }
    assert tools.gate_edges == FRESH["edges"]


def test_a_failing_step_stops_the_audit(
    tools: FakeTools, capsys: pytest.CaptureFixture[str]
) -> None:
    tools.failing.add("extract_dependencies")
    assert audit.main([]) == 1
    assert [name for name, _ in tools.calls] == ["extract_dependencies"]
    assert "extract_dependencies" in capsys.readouterr().err


def commit_fresh_data() -> None:
    layout.dependency_edges_path().write_text(json.dumps(FRESH))
    layout.interface_contracts_path().write_text(CONTRACTS)


def test_check_passes_when_fresh_and_writes_nothing_in_the_repository(
    tools: FakeTools, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_fresh_data()
    before = data_files()
    assert audit.main(["--check"]) == 0
    assert data_files() == before
    for name, args in tools.calls:
        out = Path(args[args.index("--out") + 1])
        assert layout.repo_root() not in out.parents, name
    assert [name for name, _ in tools.calls] == [
        "extract_dependencies",
        "generate_interface_contracts",
    ]
    assert tools.gate_edges == FRESH["edges"]
    assert "all gates passed" in capsys.readouterr().err


def test_check_reports_stale_contracts_without_a_break(
    tools: FakeTools, capsys: pytest.CaptureFixture[str]
) -> None:
    commit_fresh_data()
    layout.interface_contracts_path().write_text("modules: {old: {}}\n")
    assert audit.main(["--check"]) == 1
    out = capsys.readouterr().out
    assert "QE009 stale interface contracts (no breaking change)" in out
    assert tools.calls[-1][1][0] == "--check"


def test_check_reports_stale_edges(tools: FakeTools, capsys: pytest.CaptureFixture[str]) -> None:
    commit_fresh_data()
    stale = {**FRESH, "edges": [{**FRESH["edges"][0], "line": 11}]}
    layout.dependency_edges_path().write_text(json.dumps(stale))
    assert audit.main(["--check"]) == 1
    out = capsys.readouterr().out
    rel = layout.dependency_edges_path().relative_to(layout.repo_root()).as_posix()
    assert out.startswith(f"{rel}:1: QE009 stale dependency edges: 1 import(s) added, 1 removed")
    assert "make audit" in out


def test_check_reports_missing_edges_and_broken_contracts_as_github_annotations(
    tools: FakeTools, capsys: pytest.CaptureFixture[str]
) -> None:
    layout.interface_contracts_path().write_text("modules: {old: {}}\n")
    tools.contracts_break = True
    assert audit.main(["--check", "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("::error file=") and "QE009" in line for line in lines)
    [contracts_line] = [line for line in lines if layout.INTERFACE_CONTRACTS_NAME in line]
    assert "breaking change to the public API%3A" not in contracts_line  # only values escaped
    assert "quant_engine/cli.py:add_years: parameter 'default' removed" in contracts_line
    assert any("missing" in line for line in lines)


def test_gate_findings_fail_the_audit_as_json(
    tools: FakeTools, capsys: pytest.CaptureFixture[str]
) -> None:
    tools.gate_findings = [Finding("quant_engine/x.py", 4, "QE001", "private", "public")]
    assert audit.main(["--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["findings"][0]["code"] == "QE001"


def test_compare_edges_ignores_order_only_changes() -> None:
    shuffled = {"modules": FRESH["modules"], "errors": [], "edges": FRESH["edges"]}
    assert audit.compare_edges(FRESH, shuffled, "e.json") == []
    changed = {**FRESH, "errors": ["x.py: bad"]}
    [finding] = audit.compare_edges(FRESH, changed, "e.json")
    assert "0 import(s) added, 0 removed; other fields differ" in finding.message


def test_this_repository_passes_the_gates() -> None:
    """The real tree: QE001-QE007 (edges-based QE008/QE009 run in `nox -s audit -- --check`)."""
    findings = audit_gates.run_gates()
    assert audit_gates.format_findings(findings) == ""
