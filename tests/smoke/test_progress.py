"""Progress bars: drawn on stderr when it is a terminal, never with -q or into a pipe or file."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.smoke.conftest import Runner

TRAIN = (
    *("-m", "quant_engine.run_train", "--tickers", "S0001,S0002,S0003", "--years", "3"),
    *("--feature-mode", "minimal", "--model", "ridge"),
)
BAR_TEXT = "training folds"


def terminal_stderr(argv: Sequence[str], cwd: Path, home: Path) -> str:
    """Run ``python argv`` with stderr on a pseudo-terminal; return what it wrote there."""
    env = {**os.environ, "QE_HOME": str(home), "COLUMNS": "120", "TERM": "xterm"}
    for name in ("PYTHONPATH", "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        env.pop(name, None)
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, *argv],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    text = b"".join(chunks).decode(errors="replace")
    assert proc.wait(timeout=300) == 0, text
    return text


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_a_terminal_gets_a_progress_bar(outside_dir: Path, qe_home: Path) -> None:
    assert BAR_TEXT in terminal_stderr(TRAIN, outside_dir, qe_home)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_quiet_on_a_terminal_draws_no_bar(outside_dir: Path, qe_home: Path) -> None:
    assert BAR_TEXT not in terminal_stderr([*TRAIN, "-q"], outside_dir, qe_home)


def test_a_pipe_gets_no_bar(run_cli: Runner) -> None:
    done = run_cli(TRAIN)
    assert done.returncode == 0, done.stderr
    assert BAR_TEXT not in done.stderr
