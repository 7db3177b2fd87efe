"""The hotspot score when git itself is missing: zero churn, and a note saying why."""

from __future__ import annotations

from pathlib import Path

from scripts.hotspots.scoring import score_hotspots
from tests.scripts.hotspots.sample import EDGES


def test_missing_git_executable_gives_zero_churn(history_repo: Path) -> None:
    report = score_hotspots(EDGES, history_repo, git="/nonexistent/git")
    assert "not found" in report["notes"][0]
    assert all(row["revisions"] == 0 for row in report["files"])
