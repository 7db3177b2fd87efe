"""``make audit`` wall time on this repository: regenerate the audit data and run every gate.

Measures the command the nox session runs (``python scripts/audit.py``), which rewrites the
audit data folder exactly as ``make audit`` does, and the CI form ``--check`` (writes nothing).
When the ``audit`` nox session's venv already exists, ``nox -R -s audit`` is timed as well
(``-R``: reuse it, skip installing, so the figure excludes package downloads).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from benchmarks.harness import Result, best_of
from quant_engine import layout

GOAL_SECONDS = 10.0
REPEAT = 2


def measure(name: str, argv: list[str]) -> Result:
    """Best-of-``REPEAT`` wall time of one command from the repository root (any exit code:
    findings are the gates doing their job, not a failed measurement)."""
    codes: list[int] = []

    def once() -> None:
        proc = subprocess.run(argv, capture_output=True, cwd=layout.repo_root(), check=False)
        codes.append(proc.returncode)

    seconds = best_of(once, repeat=REPEAT)
    return Result(
        name=name,
        value=seconds,
        unit="s",
        goal=f"< {GOAL_SECONDS:g}",
        met=seconds < GOAL_SECONDS,
        note=f"best of {REPEAT}; exit code {codes[-1]}",
    )


def run() -> Iterator[Result]:
    """Regenerate + gates, check mode, and (if its venv exists) the nox session itself."""
    script = str(layout.repo_root() / "scripts" / "audit.py")
    yield measure("make audit work (python scripts/audit.py)", [sys.executable, script])
    yield measure("audit --check (CI, writes nothing)", [sys.executable, script, "--check"])
    nox = shutil.which("nox") or str(Path(sys.executable).with_name("nox"))
    if Path(nox).is_file() and (layout.repo_root() / ".nox" / "audit").is_dir():
        yield measure("nox -R -s audit (venv reused)", [nox, "-R", "-s", "audit"])
