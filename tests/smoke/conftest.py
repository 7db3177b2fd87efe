"""Smoke fixtures: run entry points as subprocesses from a folder outside the repo."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def outside_dir(tmp_path: Path) -> Path:
    """A working directory that is not the repository."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


@pytest.fixture
def run_cli(outside_dir: Path, qe_home: Path) -> Runner:
    """Run ``argv`` (after the interpreter) from ``outside_dir`` with QE_HOME set; no check."""

    def run(
        argv: Sequence[str], timeout: float = 300, **env: str
    ) -> subprocess.CompletedProcess[str]:
        environ = {**os.environ, "QE_HOME": str(qe_home), **env}
        environ.pop("PYTHONPATH", None)
        return subprocess.run(
            [sys.executable, *argv],
            cwd=outside_dir,
            env=environ,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run
