"""Churn and temporal coupling from a real git history (renames followed, bulk commits ignored)."""

from __future__ import annotations

from pathlib import Path

from scripts.hotspots import churn
from tests.scripts.hotspots.sample import follow_count, make_src_repo

LOOSE = {"min_revisions": 3, "min_shared": 1, "min_degree_percent": 0}


def test_churn_follows_renames_and_counts_lines(history_repo: Path) -> None:
    history = churn.churn(history_repo, since="2023-12-01")
    assert history.note == ""
    assert history.revisions == {"pkg/__init__.py": 1, "pkg/a.py": 4, "pkg/b.py": 3, "pkg/c.py": 3}
    assert history.lines_changed["pkg/a.py"] == 7 + 1 + 2 + 2  # added 7; +1; then ±1 twice
    assert "pkg/old_c.py" not in history.revisions


def test_coupling_is_shared_revisions_over_average_revisions(history_repo: Path) -> None:
    commits = churn.churn(history_repo, since="2023-12-01").commits
    assert churn.couplings(commits) == []  # code-maat's defaults: 5 revisions, 5 shared, 30%
    pairs = churn.couplings(commits, **LOOSE)
    degrees = {(p.a, p.b): (p.shared, p.degree) for p in pairs}
    assert degrees[("pkg/a.py", "pkg/b.py")] == (3, round(3 / 3.5, 6))
    assert degrees[("pkg/a.py", "pkg/c.py")] == (2, round(2 / 3.5, 6))
    assert degrees[("pkg/b.py", "pkg/c.py")] == (1, round(1 / 3, 6))
    assert not any("pkg/__init__.py" in pair for pair in degrees)  # average 2.5 < minimum 3
    assert (pairs[0].a, pairs[0].b) == ("pkg/a.py", "pkg/b.py")  # strongest first


def test_coupling_ignores_bulk_commits_and_applies_thresholds(history_repo: Path) -> None:
    commits = churn.churn(history_repo, since="2023-12-01").commits
    loose = {**LOOSE, "min_revisions": 1}
    small = churn.couplings(commits, **{**loose, "max_changeset_size": 2, "min_shared": 2})
    assert small == [churn.Coupling("pkg/a.py", "pkg/b.py", 2, 0.8)]  # 2 / ((3 + 2) / 2)
    assert churn.couplings(commits, **{**loose, "max_changeset_size": 2, "min_revisions": 3}) == []
    assert churn.couplings(commits, **{**loose, "min_shared": 4}) == []
    assert len(churn.couplings(commits, **{**loose, "min_degree_percent": 80})) == 1  # a-b only


def test_a_move_into_src_keeps_history_and_adds_no_churn(tmp_path: Path) -> None:
    repo = make_src_repo(tmp_path / "repo")
    history = churn.churn(repo)
    for name in ("a", "b", "c", "__init__"):
        path = f"src/pkg/{name}.py"
        assert history.revisions[path] == follow_count(repo, path), path
    assert history.revisions["src/pkg/a.py"] == 5  # days 1, 2, 3, the move, 5
    assert not any(path.startswith("pkg/") for path in history.revisions)
    lines_before_move = 7 + 1 + 2  # added 7; +1; then -1 +1
    assert history.lines_changed["src/pkg/a.py"] == lines_before_move + 2  # the move adds 0
    move = next(c for c in history.commits if "src/pkg/b.py" in c.moved)
    assert move.changes["src/pkg/b.py"] == 0
    assert history.window_text() == "6 commits over 5 days"


def test_a_bulk_move_does_not_couple_the_moved_files(tmp_path: Path) -> None:
    commits = churn.churn(make_src_repo(tmp_path / "repo")).commits
    pairs = churn.couplings(commits, min_revisions=1, min_shared=1, min_degree_percent=0)
    shared = {(p.a, p.b): p.shared for p in pairs}
    assert shared[("src/pkg/a.py", "src/pkg/b.py")] == 2  # days 1 and 2, not the move
    assert ("src/pkg/a.py", "src/pkg/c.py") in shared  # day 1 only
    assert shared[("src/pkg/a.py", "src/pkg/c.py")] == 1


def test_a_subfolder_root_keeps_the_history_from_before_the_move(tmp_path: Path) -> None:
    repo = make_src_repo(tmp_path / "repo")
    history = churn.churn(repo / "src")
    assert history.revisions["pkg/a.py"] == follow_count(repo, "src/pkg/a.py") == 5
    assert "README.md" not in history.revisions  # outside the analysed folder


def test_files_limit_the_window_to_commits_touching_them(tmp_path: Path) -> None:
    repo = make_src_repo(tmp_path / "repo")
    history = churn.churn(repo, files=["src/pkg/b.py"])
    assert [c.sha for c in history.commits] == [
        c.sha for c in churn.churn(repo).commits if "src/pkg/b.py" in c.changes
    ]
    assert history.window_text() == "3 commits over 3 days"  # days 1, 2 and the move (4)
