"""hotspot_scoring.py on a scripted git history: scores, cycles, window, outputs, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from quant_engine import layout
from scripts import extract_dependencies, hotspot_scoring
from scripts.hotspots.complexity import source_complexity
from scripts.hotspots.scoring import score_hotspots
from tests.scripts.hotspots.sample import (
    A_SOURCE,
    B_SOURCE,
    C_SOURCE,
    EDGES,
    follow_count,
    git,
    make_src_repo,
)

SCRIPT = Path(hotspot_scoring.__file__).resolve()
LOOSE = ("--min-revs", "3", "--min-shared-revs", "1", "--min-coupling", "0")
"""Looser than code-maat's defaults, so the five-commit history shows coupling."""


def write_edges(path: Path, edges: list[dict]) -> Path:
    path.write_text(json.dumps({"edges": edges, "errors": [], "modules": []}))
    return path


def run(history_repo: Path, tmp_path: Path, *extra: str) -> dict[str, Any]:
    edges = write_edges(tmp_path / "edges.json", EDGES)
    out = tmp_path / "out"
    argv = ["--edges", str(edges), "--out-dir", str(out), "--repo-root", str(history_repo), *extra]
    assert hotspot_scoring.main(argv) == 0
    return json.loads((out / layout.HOTSPOTS_JSON_NAME).read_text())


def by_file(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["file"]: row for row in report["files"]}


def test_report_scores_revisions_times_complexity_times_coupling(
    history_repo: Path, tmp_path: Path
) -> None:
    report = run(history_repo, tmp_path, "--since", "2023-12-01", *LOOSE)
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
    assert report["window"] == {
        "since": "2023-12-01",
        "commits": 5,
        "days": 4,
        "text": "5 commits over 4 days",
    }
    table = (tmp_path / "out" / layout.HOTSPOTS_MD_NAME).read_text()
    assert "Window: 5 commits over 4 days of git history, since '2023-12-01'" in table


def test_cycles_list_the_imports_that_form_them(history_repo: Path, tmp_path: Path) -> None:
    report = run(history_repo, tmp_path, "--since", "2023-12-01")
    assert report["cycles"] == [
        {
            "modules": ["pkg.a", "pkg.b"],
            "imports": [
                {"importer": "pkg.a", "imported": "pkg.b", "file": "pkg/a.py", "line": 1},
                {"importer": "pkg.b", "imported": "pkg.a", "file": "pkg/b.py", "line": 2},
            ],
            "break": [{"importer": "pkg.b", "imported": "pkg.a"}],
        }
    ]


def test_window_limits_the_history(history_repo: Path, tmp_path: Path) -> None:
    rows = by_file(run(history_repo, tmp_path, "--since", "2024-01-04T00:00:00+00:00"))
    assert (rows["pkg/a.py"]["revisions"], rows["pkg/c.py"]["revisions"]) == (1, 2)
    assert rows["pkg/b.py"]["score"] == 0


def test_outputs_are_deterministic_and_readable(history_repo: Path, tmp_path: Path) -> None:
    run(history_repo, tmp_path, "--since", "2023-12-01", "--top", "2")
    out = tmp_path / "out"
    first = {name: (out / name).read_bytes() for name in os.listdir(out)}
    run(history_repo, tmp_path, "--since", "2023-12-01", "--top", "2")
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
    history_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(layout, "repo_root", lambda: tmp_path)
    layout.audit_dir().mkdir(parents=True)
    write_edges(layout.legacy_dependency_edges_path(), EDGES)
    assert not layout.dependency_edges_path().exists()
    out = tmp_path / "out"
    with pytest.warns(DeprecationWarning, match=layout.DEPENDENCY_EDGES_NAME):
        code = hotspot_scoring.main(["--out-dir", str(out), "--repo-root", str(history_repo)])
    assert code == 0
    assert by_file(json.loads((out / layout.HOTSPOTS_JSON_NAME).read_text()))["pkg/a.py"]


def test_runs_as_a_file_from_another_directory(history_repo: Path, tmp_path: Path) -> None:
    edges = write_edges(tmp_path / "edges.json", EDGES)
    out = tmp_path / "out"
    argv = [sys.executable, str(SCRIPT), "--edges", str(edges), "--out-dir", str(out)]
    argv += ["--repo-root", str(history_repo)]
    proc = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert (out / layout.HOTSPOTS_MD_NAME).is_file()


def test_repo_root_without_out_dir_is_refused_and_writes_nothing(
    history_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(layout, "repo_root", lambda: tmp_path / "this")
    edges = write_edges(tmp_path / "edges.json", EDGES)
    before = sorted(tmp_path.rglob("*"))
    assert hotspot_scoring.main(["--edges", str(edges), "--repo-root", str(history_repo)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "--repo-root" in line
    assert "--out-dir" in line
    assert sorted(tmp_path.rglob("*")) == before


def extract_src_edges(repo: Path, out: Path) -> Path:
    """The edges of ``src/pkg`` as a user of another repository produces them."""
    assert (
        extract_dependencies.main(
            ["--root", str(repo / "src" / "pkg"), "--out", str(out), "--no-cache"]
        )
        == 0
    )
    return out


def test_src_layout_from_the_git_root_gives_real_scores(tmp_path: Path) -> None:
    repo = make_src_repo(tmp_path / "repo")
    edges = extract_src_edges(repo, tmp_path / "edges.json")
    argv = [sys.executable, str(SCRIPT), "--edges", str(edges), "--repo-root", "."]
    argv += ["--out-dir", str(tmp_path / "out")]
    proc = subprocess.run(argv, cwd=repo, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    rows = by_file(json.loads((tmp_path / "out" / layout.HOTSPOTS_JSON_NAME).read_text()))
    assert set(rows) == {"src/pkg/a.py", "src/pkg/b.py", "src/pkg/c.py"}
    for path, row in rows.items():
        assert row["revisions"] == follow_count(repo, path), path
    a = rows["src/pkg/a.py"]
    assert (a["revisions"], a["complexity"]) == (5, 3)
    assert a["score"] == 5 * 3  # code-maat's thresholds: no coupling in six commits
    assert rows["src/pkg/c.py"]["score"] == 3 * 5


def regenerate(repo: Path) -> None:
    """Edges, then hotspots, into ``repo/audit`` (the repository's committed audit data)."""
    edges = extract_src_edges(repo, repo / "audit" / "edges.json")
    argv = ["--edges", str(edges), "--repo-root", str(repo), "--out-dir", str(repo / "audit")]
    assert hotspot_scoring.main(argv) == 0


def porcelain(repo: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def test_committed_hotspots_stay_fresh_in_a_clean_clone(tmp_path: Path) -> None:
    repo = make_src_repo(tmp_path / "repo")
    regenerate(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "audit data", date="2024-01-09T12:00:00+00:00")
    regenerate(repo)
    assert porcelain(repo) == ""  # committing the data changed nothing the data depends on
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True, capture_output=True)
    regenerate(clone)
    assert porcelain(clone) == ""
    assert "6 commits over 5 days" in (clone / "audit" / layout.HOTSPOTS_MD_NAME).read_text()


def test_a_shallow_clone_says_its_history_is_cut(tmp_path: Path) -> None:
    repo = make_src_repo(tmp_path / "repo")
    clone = tmp_path / "clone"
    url = repo.resolve().as_uri()
    argv = ["git", "clone", "-q", "--depth", "2", url, str(clone)]
    subprocess.run(argv, check=True, capture_output=True)
    report = score_hotspots(EDGES, clone)
    assert report["window"]["shallow"] is True
    assert "shallow clone" in report["notes"][0]
    assert "shallow" not in score_hotspots(EDGES, repo)["window"]
