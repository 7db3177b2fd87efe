"""``make audit`` wall time on this repository: regenerate the audit data and run every gate.

Measures the command the nox session runs (``python scripts/audit.py``), which rewrites the
audit data folder exactly as ``make audit`` does, and the CI form ``--check`` (writes nothing),
against its peer measured in the same run: ``lint-imports --no-cache`` alone (import-linter on
the same contracts, as the audit runs it; the audit's other gates, freshness checks and parser
probe are what it adds). When the ``audit`` nox session's venv already exists,
``nox -R -s audit`` is timed as well (``-R``: reuse it, skip installing).
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
LINT_IMPORTS_RATIO_GOAL = 4.0
"""``audit --check`` ÷ ``lint-imports --no-cache``."""
REPEAT = 3


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
    """Regenerate + gates, check mode against lint-imports, and (if its venv exists) nox."""
    script = str(layout.repo_root() / "scripts" / "audit.py")
    yield measure("make audit work (python scripts/audit.py)", [sys.executable, script])
    check = measure("audit --check (CI, writes nothing)", [sys.executable, script, "--check"])
    yield check
    lint_imports = Path(sys.executable).with_name("lint-imports")
    if lint_imports.is_file():
        peer = measure("lint-imports --no-cache alone", [str(lint_imports), "--no-cache"])
        yield peer
        ratio = check.value / peer.value
        yield Result(
            "audit --check ÷ lint-imports",
            ratio,
            "×",
            f"≤ {LINT_IMPORTS_RATIO_GOAL:g}",
            ratio <= LINT_IMPORTS_RATIO_GOAL,
        )
    nox = shutil.which("nox") or str(Path(sys.executable).with_name("nox"))
    if Path(nox).is_file() and (layout.repo_root() / ".nox" / "audit").is_dir():
        yield measure("nox -R -s audit (venv reused)", [nox, "-R", "-s", "audit"])
