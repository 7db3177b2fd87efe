"""Shared fixtures: every test gets its own data home, so nothing touches the repo's .qe_home."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def qe_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point QE_HOME at a fresh temporary folder for the duration of one test."""
    home = tmp_path / "qe_home"
    home.mkdir()
    monkeypatch.setenv("QE_HOME", str(home))
    return home
