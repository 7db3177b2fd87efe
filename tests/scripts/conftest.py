"""Fixtures shared by the tests of the repository tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts.dependencies.sample import FIXTURE, write_tree
from tests.scripts.hotspots.sample import make_repo


@pytest.fixture
def import_tree(tmp_path: Path) -> Path:
    """A folder holding ``pkg/`` and ``tools/``: one import of every shape, and broken files."""
    write_tree(tmp_path, FIXTURE)
    return tmp_path


@pytest.fixture
def history_repo(tmp_path: Path) -> Path:
    """A git repository of pkg/{a,b,c}.py with five dated commits (see hotspots/sample.py)."""
    return make_repo(tmp_path / "repo")
