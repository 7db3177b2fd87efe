"""``make audit`` on a small tree: regenerate in order, ``--check`` freshness, ``--gates-only``.

The real generators run on a two-module package under a temporary repository root; only the
gate runner is replaced (its checks have their own tests), so each test sees what it was given.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from quant_engine import layout
from scripts import audit
from scripts.gates.findings import Finding
from scripts.gates.runner import GateReport
from scripts.gates.suppressions import Suppression

A_SOURCE = (
    '"""Module a."""\n\nfrom pkg import b\n\n\ndef compute(x: int = 1) -> int:\n    return x\n'
)
B_SOURCE = '"""Module b."""\n\nimport os\n\n\ndef helper() -> str:\n    return os.sep\n'


class Gates:
    """Stands in for the gate runner: records the edges it was given, returns set findings."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.edges: list[Any] | None = None
        self.suppressions: list[Suppression] = []

    def __call__(self, **kwargs: Any) -> GateReport:
        self.edges = kwargs.get("edges")
        return GateReport(list(self.findings), list(self.suppressions))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository root holding ``pkg/{a,b}.py`` (not a git repository: hotspots say so)."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "a.py").write_text(A_SOURCE)
    (root / "pkg" / "b.py").write_text(B_SOURCE)
    monkeypatch.setattr(layout, "repo_root", lambda: root)
    monkeypatch.setattr(audit, "default_roots", lambda: [root / "pkg"])
    return root


@pytest.fixture
def gates(monkeypatch: pytest.MonkeyPatch) -> Gates:
    fake = Gates()
    monkeypatch.setattr(audit, "gate_report", fake)
    return fake


def data_files() -> dict[str, bytes]:
    folder = layout.audit_data_dir()
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def committed_edges() -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = json.loads(layout.dependency_edges_path().read_text())["edges"]
    return edges


def test_audit_regenerates_edges_contracts_and_hotspots_then_gates_the_edges(
    repo: Path, gates: Gates, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit.main(["--since", "3 months"]) == 0
    assert set(data_files()) == {
        layout.DEPENDENCY_EDGES_NAME,
        layout.INTERFACE_CONTRACTS_NAME,
        layout.HOTSPOTS_JSON_NAME,
        layout.HOTSPOTS_MD_NAME,
        layout.HOTSPOTS_PNG_NAME,
        layout.HOTSPOTS_LAYERS_PNG_NAME,
    }
    assert ("pkg.a", "pkg.b") in {(e["importer"], e["imported"]) for e in committed_edges()}
    assert gates.edges == committed_edges()
    hotspots = json.loads(layout.hotspots_json_path().read_text())
    assert hotspots["window"]["since"] == "3 months"
    captured = capsys.readouterr()
    assert captured.out == ""  # stdout carries findings only
    assert "written; 3 modules" in captured.err
    assert "all gates passed" in captured.err
    before = data_files()
    assert audit.main(["--since", "3 months"]) == 0
    assert data_files() == before
    assert "unchanged" in capsys.readouterr().err


def test_a_failing_generator_stops_the_audit_with_one_line(
    repo: Path, gates: Gates, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(audit, "default_roots", lambda: [repo / "nowhere"])
    assert audit.main([]) == 1
    assert "audit: error:" in capsys.readouterr().err
    assert gates.edges is None
    assert data_files() == {}


def test_check_passes_when_fresh_and_writes_nothing(
    repo: Path, gates: Gates, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit.main([]) == 0
    before = data_files()
    capsys.readouterr()
    assert audit.main(["--check"]) == 0
    assert data_files() == before
    assert gates.edges == committed_edges()
    assert "all gates passed" in capsys.readouterr().err


def test_check_reports_stale_contracts_without_a_break(
    repo: Path, gates: Gates, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit.main([]) == 0
    (repo / "pkg" / "b.py").write_text(B_SOURCE + "\n\ndef extra() -> None:\n    pass\n")
    capsys.readouterr()
    assert audit.main(["--check"]) == 1
    out = capsys.readouterr().out
    assert "QE009 stale interface contracts (no breaking change)" in out
    assert "make audit" in out


def test_check_reports_stale_edges(
    repo: Path, gates: Gates, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit.main([]) == 0
    (repo / "pkg" / "a.py").write_text(
        A_SOURCE.replace("from pkg import b\n", "\nfrom pkg import b\n")
    )
    capsys.readouterr()
    assert audit.main(["--check"]) == 1
    out = capsys.readouterr().out
    rel = layout.dependency_edges_path().relative_to(repo).as_posix()
    assert f"{rel}:1: QE009 stale dependency edges: 1 import(s) added, 1 removed" in out


def test_check_covers_the_hotspot_outputs(
    repo: Path, gates: Gates, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit.main([]) == 0
    layout.hotspots_md_path().write_text("# Hotspots\n\nstale\n")
    capsys.readouterr()
    assert audit.main(["--check"]) == 1
    out = capsys.readouterr().out
    rel = layout.hotspots_md_path().relative_to(repo).as_posix()
    assert f"{rel}:1: QE009 stale hotspots" in out
    assert out.count("QE009") == 1  # the JSON and both pictures are still fresh


def test_check_reports_missing_edges_and_broken_contracts_as_github_annotations(
    repo: Path, gates: Gates, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit.main([]) == 0
    layout.dependency_edges_path().unlink()
    (repo / "pkg" / "a.py").write_text(A_SOURCE.replace("x: int = 1", "x: int = 2"))
    capsys.readouterr()
    assert audit.main(["--check", "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("::error file=") and "QE009" in line for line in lines)
    [contracts_line] = [line for line in lines if layout.INTERFACE_CONTRACTS_NAME in line]
    assert "breaking change to the public API: " in contracts_line  # only values are escaped
    assert "pkg/a.py:compute: default of 'x' changed from 1 to 2" in contracts_line
    assert any("missing" in line for line in lines)


def test_gate_findings_fail_the_audit_as_json(
    repo: Path, gates: Gates, capsys: pytest.CaptureFixture[str]
) -> None:
    gates.findings = [Finding("quant_engine/x.py", 4, "QE001", "private", "public")]
    assert audit.main(["--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["findings"][0]["code"] == "QE001"


def test_gates_only_reads_the_committed_edges_and_regenerates_nothing(
    repo: Path, gates: Gates, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit.main(["--gates-only"]) == 1
    assert "not found" in capsys.readouterr().err  # no edges committed yet
    assert audit.main([]) == 0
    layout.hotspots_md_path().unlink()
    before = data_files()
    assert audit.main(["--gates-only"]) == 0
    assert data_files() == before
    assert gates.edges == committed_edges()
    edges = repo / "other.json"
    edges.write_text(json.dumps({"edges": []}))
    assert audit.main(["--gates-only", "--edges", str(edges)]) == 0
    assert gates.edges == []


def test_edges_without_gates_only_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert audit.main(["--edges", "e.json"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "--gates-only" in line


@pytest.mark.parametrize(
    ("argv", "steps"), [(["--since", "3 months"], 4), (["--check"], 4), (["--gates-only"], 1)]
)
def test_progress_counts_each_step_then_the_gates(
    argv: list[str], steps: int, repo: Path, gates: Gates
) -> None:
    if argv != ["--since", "3 months"]:
        assert audit.main([]) == 0  # committed data to check or gate
    seen: list[tuple[int, int]] = []
    audit.run(argv, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(done, steps) for done in range(steps + 1)]


# --- a broken tree: findings, never a traceback (the real command, on a copy of this repo) -----

BREAKAGES = {
    "renamed helper": (
        "quant_engine/cli.py",
        "positive_int = int_at_least(",
        "positive_integer = int_at_least(",
        ["QE005", "positive_int"],
    ),
    "syntax error in an engine module": (
        "quant_engine/utils/atomic.py",
        "def write_bytes_atomic(",
        "def write_bytes_atomic((",
        ["quant_engine/utils/atomic.py:91: QE000 does not parse"],
    ),
    "syntax error in the layout module": (
        "quant_engine/layout.py",
        "def repo_root(",
        "def repo_root((",
        ["quant_engine/layout.py", "QE000", "cannot start"],
    ),
}


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's audited parts, copied: the package, the tools, pyproject, audit data."""
    copy = tmp_path_factory.mktemp("audited") / "repo"
    here = layout.repo_root()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("quant_engine", "scripts", "docs/audit/data"):
        shutil.copytree(here / folder, copy / folder, ignore=ignore)
    shutil.copy2(here / "pyproject.toml", copy / "pyproject.toml")
    return copy


@pytest.mark.slow
@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_audit_check_reports_a_broken_tree_as_findings(
    repo_copy: Path, tmp_path: Path, breakage: str
) -> None:
    rel, old, new, expected = BREAKAGES[breakage]
    tree = tmp_path / "repo"
    shutil.copytree(repo_copy, tree)
    source = (tree / rel).read_text(encoding="utf-8")
    assert old in source
    (tree / rel).write_text(source.replace(old, new, 1), encoding="utf-8")
    env = {
        **os.environ,
        "QE_HOME": str(tmp_path / "home"),
        "GIT_CEILING_DIRECTORIES": str(tmp_path),
    }
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [sys.executable, str(tree / "scripts" / "audit.py"), "--check", "--no-lint-imports"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output
    for text in expected:
        assert text in proc.stdout, output
    if "layout" not in rel:  # only a broken layout/config stops the audit before its gates
        assert "cannot start" not in proc.stdout
        assert "audit gates:" in proc.stderr


def test_the_report_lists_every_inline_suppression(
    gates: Gates, capsys: pytest.CaptureFixture[str]
) -> None:
    gates.suppressions = [Suppression("scripts/x.py", 3, "QE002", "no public accessor upstream")]
    assert audit.main(["--gates-only", "--no-lint-imports"]) == 0
    err = capsys.readouterr().err
    assert "1 finding(s) suppressed" in err
    assert "scripts/x.py:3: QE002 suppressed: no public accessor upstream" in err
    assert audit.main(["--gates-only", "--no-lint-imports", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["suppressions"] == [
        {
            "path": "scripts/x.py",
            "line": 3,
            "code": "QE002",
            "reason": "no public accessor upstream",
        }
    ]
