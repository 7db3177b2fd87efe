"""Churn and temporal coupling from a real git history (renames followed, bulk commits ignored)."""

from __future__ import annotations

from pathlib import Path

from scripts.hotspots import churn

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
