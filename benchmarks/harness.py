"""Timing helpers and the result record shared by every benchmark module."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

HOME_ENV_VAR = "QE_HOME"


@dataclass(frozen=True)
class Result:
    """One measured figure, with the goal it is judged against."""

    name: str
    value: float
    unit: str
    goal: str = ""
    met: bool | None = None
    note: str = ""

    @classmethod
    def under(cls, name: str, value: float, unit: str, limit: float, note: str = "") -> Result:
        """A figure whose goal is to stay below ``limit`` (in the same ``unit``)."""
        return cls(name, value, unit, goal=f"< {limit:g} {unit}", met=value < limit, note=note)


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Fastest wall time of ``repeat`` calls, in seconds (the least noisy estimate)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def best_time_under(name: str, fn: Callable[[], object], repeat: int, limit: float) -> Result:
    """Time ``fn`` (best of ``repeat`` calls) as a figure whose goal is under ``limit`` seconds."""
    seconds = best_of(fn, repeat)
    return Result.under(name, seconds, "s", limit, note=f"best of {repeat}")


def command_time(argv: Sequence[str], repeat: int = 5, cwd: str | None = None) -> float:
    """Fastest wall time of running ``argv`` as a subprocess, in seconds."""

    def once() -> None:
        subprocess.run(argv, check=True, capture_output=True, cwd=cwd)

    return best_of(once, repeat)


def python_command(code: str) -> list[str]:
    """argv running ``code`` with this interpreter."""
    return [sys.executable, "-c", code]


@contextmanager
def temporary_home(prefix: str = "qe_bench_") -> Iterator[str]:
    """Point QE_HOME at a fresh folder for the duration, then restore it and delete the folder."""
    previous = os.environ.get(HOME_ENV_VAR)
    folder = tempfile.mkdtemp(prefix=prefix)
    os.environ[HOME_ENV_VAR] = folder
    try:
        yield folder
    finally:
        if previous is None:
            os.environ.pop(HOME_ENV_VAR, None)
        else:
            os.environ[HOME_ENV_VAR] = previous
        shutil.rmtree(folder, ignore_errors=True)
