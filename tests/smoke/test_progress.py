"""Progress bars: drawn on stderr when it is a terminal, never with -q or into a pipe or file."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

TRAIN = ("-m", "quant_engine.run_train", "--tickers", "S0001,S0002,S0003", "--years", "3")
TRAIN += ("--feature-mode", "minimal", "--model", "ridge")
BAR_TEXT = "training folds"


def stderr_of(argv: Sequence[str], cwd: Path, home: Path, *, terminal: bool) -> str:
    """Run ``python argv`` with stderr on a pseudo-terminal (or a pipe); return what it wrote."""
    env = {**os.environ, "QE_HOME": str(home), "COLUMNS": "120", "TERM": "xterm"}
    for name in ("PYTHONPATH", "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        env.pop(name, None)
    if not terminal:
        done = subprocess.run(
            [sys.executable, *argv],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stderr
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
    assert proc.wait(timeout=300) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_a_terminal_gets_a_progress_bar(outside_dir: Path, qe_home: Path) -> None:
    assert BAR_TEXT in stderr_of(TRAIN, outside_dir, qe_home, terminal=True)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_quiet_on_a_terminal_draws_no_bar(outside_dir: Path, qe_home: Path) -> None:
    assert BAR_TEXT not in stderr_of([*TRAIN, "-q"], outside_dir, qe_home, terminal=True)


def test_a_pipe_gets_no_bar(outside_dir: Path, qe_home: Path) -> None:
    assert BAR_TEXT not in stderr_of(TRAIN, outside_dir, qe_home, terminal=False)
