"""Hotspots on a scripted git history: churn, renames, coupling, complexity, cycles, outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from quant_engine import layout
from scripts import audit_churn, hotspot_scoring
from scripts.audit_complexity import source_complexity

SCRIPT = Path(hotspot_scoring.__file__).resolve()
A_SOURCE = "from pkg import b\n\n\ndef f(x):\n    if x:\n        return 1\n    return 0\n"
B_SOURCE = "def g():\n    from pkg import a\n\n    return a\n"
C_SOURCE = (
    "import os\n\nfrom pkg import a\n\n\n"
    "def h(x, y):\n    for i in x:\n        if i and y:\n            return os.sep\n    return a\n"
)


def git(repo: Path, *args: str, date: str = "2024-01-01T12:00:00+00:00") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def commit(repo: Path, day: int, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, date=f"2024-01-{day:02d}T12:00:00+00:00")


def edge(importer: str, imported: str, line: int, kind: str = "internal", **flags: Any) -> dict:
    file = importer.replace(".", "/") + ".py"
    return {
        "importer": importer,
        "imported": imported,
        "kind": kind,
        "names": [],
        "line": line,
        "end_line": line,
        "lazy": flags.get("lazy", False),
        "type_checking": flags.get("type_checking", False),
        "guarded": False,
        "conditional": False,
        "file": file,
    }


EDGES = [
    edge("pkg.a", "pkg.b", 1),
    edge("pkg.b", "pkg.a", 2, lazy=True),
    edge("pkg.c", "os", 1, kind="stdlib"),
    edge("pkg.c", "pkg.a", 3),
]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """pkg/{a,b,c}.py with five dated commits: a and b change together; old_c.py → c.py."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    first = {"pkg/__init__.py": "", "pkg/a.py": A_SOURCE, "pkg/b.py": B_SOURCE}
    commit(root, 1, {**first, "pkg/old_c.py": C_SOURCE}, "one")
    commit(root, 2, {"pkg/a.py": A_SOURCE + "# 2\n", "pkg/b.py": B_SOURCE + "# 2\n"}, "two")
    commit(root, 3, {"pkg/a.py": A_SOURCE + "# 3\n", "pkg/b.py": B_SOURCE + "# 3\n"}, "three")
    git(root, "mv", "pkg/old_c.py", "pkg/c.py")
    commit(root, 4, {"pkg/c.py": C_SOURCE + "# 4\n"}, "rename")
    commit(root, 5, {"pkg/c.py": C_SOURCE + "# 5\n", "pkg/a.py": A_SOURCE + "# 5\n"}, "five")
    return root


def write_edges(path: Path, edges: list[dict]) -> Path:
    path.write_text(json.dumps({"edges": edges, "errors": [], "modules": []}))
    return path


def run(repo: Path, tmp_path: Path, *extra: str) -> dict[str, Any]:
    edges = write_edges(tmp_path / "edges.json", EDGES)
    out = tmp_path / "out"
    argv = ["--edges", str(edges), "--out-dir", str(out), "--repo-root", str(repo), *extra]
    assert hotspot_scoring.main(argv) == 0
    return json.loads((out / layout.HOTSPOTS_JSON_NAME).read_text())


def by_file(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["file"]: row for row in report["files"]}


def test_churn_follows_renames_and_counts_lines(repo: Path) -> None:
    history = audit_churn.churn(repo, since="2023-12-01")
    assert history.note == ""
    assert history.revisions == {"pkg/__init__.py": 1, "pkg/a.py": 4, "pkg/b.py": 3, "pkg/c.py": 3}
    assert history.lines_changed["pkg/a.py"] == 7 + 1 + 2 + 2  # added 7; +1; then ±1 twice
    assert "pkg/old_c.py" not in history.revisions


def test_coupling_is_shared_revisions_over_average_revisions(repo: Path) -> None:
    pairs = audit_churn.couplings(audit_churn.churn(repo, since="2023-12-01").commits)
    degrees = {(p.a, p.b): (p.shared, p.degree) for p in pairs}
    assert degrees[("pkg/a.py", "pkg/b.py")] == (3, round(3 / 3.5, 6))
    assert degrees[("pkg/a.py", "pkg/c.py")] == (2, round(2 / 3.5, 6))
    assert degrees[("pkg/b.py", "pkg/c.py")] == (1, round(1 / 3, 6))
    assert not any("pkg/__init__.py" in pair for pair in degrees)  # 1 revision < minimum 2
    assert (pairs[0].a, pairs[0].b) == ("pkg/a.py", "pkg/b.py")  # strongest first


def test_coupling_ignores_bulk_commits_and_applies_thresholds(repo: Path) -> None:
    commits = audit_churn.churn(repo, since="2023-12-01").commits
    small = audit_churn.couplings(commits, max_changeset_size=2, min_shared=2)  # drops "one"
    assert small == [audit_churn.Coupling("pkg/a.py", "pkg/b.py", 2, 0.8)]  # 2 / ((3 + 2) / 2)
    assert audit_churn.couplings(commits, max_changeset_size=2, min_revisions=3) == []
    assert audit_churn.couplings(commits, min_shared=4) == []


def test_report_scores_revisions_times_complexity_times_coupling(
    repo: Path, tmp_path: Path
) -> None:
    report = run(repo, tmp_path, "--since", "2023-12-01")
    rows = by_file(report)
    a = rows["pkg/a.py"]
    assert a["complexity"] == source_complexity(A_SOURCE).total == 3
    assert a["revisions"] == 4
    assert a["max_coupling"] == round(3 / 3.5, 6)
    assert a["score"] == round(4 * 3 * (1 + a["max_coupling"]), 6)  # from the recorded degree
    assert a["score"] == pytest.approx(4 * 3 * (1 + 3 / 3.5))
    c = rows["pkg/c.py"]  # 3 revisions x complexity 5 x (1 + 4/7) beats a's 4 x 3 x (1 + 6/7)
    assert c["score"] == pytest.approx(3 * 5 * (1 + 2 / 3.5))
    assert [row["file"] for row in report["files"]] == ["pkg/c.py", "pkg/a.py", "pkg/b.py"]
    assert [row["rank"] for row in report["files"]] == [1, 2, 3]
    assert (a["fan_in"], a["fan_out"], a["instability"]) == (2, 1, round(1 / 3, 6))
    assert rows["pkg/c.py"]["functions"][0] == {"name": "h", "line": 6, "complexity": 4}
    assert report["window"] == {"since": "2023-12-01", "commits": 5}


def test_cycles_list_the_imports_that_form_them(repo: Path, tmp_path: Path) -> None:
    report = run(repo, tmp_path, "--since", "2023-12-01")
    assert report["cycles"] == [
        {
            "modules": ["pkg.a", "pkg.b"],
            "imports": [
                {"importer": "pkg.a", "imported": "pkg.b", "file": "pkg/a.py", "line": 1},
                {"importer": "pkg.b", "imported": "pkg.a", "file": "pkg/b.py", "line": 2},
            ],
        }
    ]


def test_self_import_is_a_cycle_and_type_checking_can_be_left_out() -> None:
    edges = [
        edge("p.x", "p.x", 4),
        edge("p.y", "p.z", 1),
        edge("p.z", "p.y", 2, type_checking=True),
    ]
    assert [c.modules for c in hotspot_scoring.import_cycles(edges)] == [("p.x",), ("p.y", "p.z")]
    no_tc = hotspot_scoring.import_cycles(edges, include_type_checking=False)
    assert [c.modules for c in no_tc] == [("p.x",)]


def test_window_limits_the_history(repo: Path, tmp_path: Path) -> None:
    rows = by_file(run(repo, tmp_path, "--since", "2024-01-04T00:00:00+00:00"))
    assert (rows["pkg/a.py"]["revisions"], rows["pkg/c.py"]["revisions"]) == (1, 2)
    assert rows["pkg/b.py"]["score"] == 0


def test_outputs_are_deterministic_and_readable(repo: Path, tmp_path: Path) -> None:
    run(repo, tmp_path, "--since", "2023-12-01", "--top", "2")
    out = tmp_path / "out"
    first = {name: (out / name).read_bytes() for name in os.listdir(out)}
    run(repo, tmp_path, "--since", "2023-12-01", "--top", "2")
    assert {name: (out / name).read_bytes() for name in os.listdir(out)} == first
    assert first[layout.HOTSPOTS_PNG_NAME].startswith(b"\x89PNG")
    table = first[layout.HOTSPOTS_MD_NAME].decode()
    assert "| 1 | `pkg/c.py` |" in table
    assert table.count("| `pkg/") == 2  # --top 2
    assert "pkg.a ↔ pkg.b" in table


def test_without_git_history_it_still_runs_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = tmp_path / "plain"
    for name, text in {"pkg/a.py": A_SOURCE, "pkg/b.py": B_SOURCE, "pkg/c.py": C_SOURCE}.items():
        (plain / name).parent.mkdir(parents=True, exist_ok=True)
        (plain / name).write_text(text)
    rows = by_file(run(plain, tmp_path))
    assert {row["revisions"] for row in rows.values()} == {0}
    assert rows["pkg/a.py"]["complexity"] == 3
    assert "no git history" in capsys.readouterr().err


def test_missing_git_executable_gives_zero_churn(repo: Path) -> None:
    report = hotspot_scoring.score_hotspots(EDGES, repo, git="/nonexistent/git")
    assert "not found" in report["notes"][0]
    assert all(row["revisions"] == 0 for row in report["files"])


def test_missing_edges_file_names_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(layout, "repo_root", lambda: tmp_path)
    assert hotspot_scoring.main(["--out-dir", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "extract_dependencies.py" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_legacy_edges_location_is_read_with_a_deprecation_warning(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(layout, "repo_root", lambda: tmp_path)
    layout.audit_dir().mkdir(parents=True)
    write_edges(layout.legacy_dependency_edges_path(), EDGES)
    assert not layout.dependency_edges_path().exists()
    out = tmp_path / "out"
    with pytest.warns(DeprecationWarning, match=layout.DEPENDENCY_EDGES_NAME):
        code = hotspot_scoring.main(["--out-dir", str(out), "--repo-root", str(repo)])
    assert code == 0
    assert by_file(json.loads((out / layout.HOTSPOTS_JSON_NAME).read_text()))["pkg/a.py"]


def test_runs_as_a_file_from_another_directory(repo: Path, tmp_path: Path) -> None:
    edges = write_edges(tmp_path / "edges.json", EDGES)
    out = tmp_path / "out"
    argv = [sys.executable, str(SCRIPT), "--edges", str(edges), "--out-dir", str(out)]
    argv += ["--repo-root", str(repo)]
    proc = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert (out / layout.HOTSPOTS_MD_NAME).is_file()
