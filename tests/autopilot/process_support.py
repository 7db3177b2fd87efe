"""Process trees from ``/proc`` (psutil is not a dependency): who a process started, who lives."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

PROC = Path("/proc")

needs_proc = pytest.mark.skipif(not PROC.is_dir(), reason="needs /proc (Linux)")


def stat_fields(pid: int) -> list[str] | None:
    """``/proc/<pid>/stat`` after the command name: [state, ppid, ...]; None once it is gone."""
    try:
        return (PROC / str(pid) / "stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie has ended: it only waits to be reaped)."""
    fields = stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid``."""
    found = []
    for entry in PROC.iterdir():
        fields = stat_fields(int(entry.name)) if entry.name.isdigit() else None
        if fields is not None and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, children first."""
    found: list[int] = []
    todo = [pid]
    while todo:
        below = children(todo.pop())
        found += below
        todo += below
    return found


def wait_for_grandchildren(pid: int, count: int, timeout: float) -> list[int]:
    """Wait until ``pid`` has ``count`` live grandchildren (pool workers under a forkserver)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [g for c in children(pid) for g in children(c) if alive(g)]
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"process {pid} did not start {count} workers in {timeout} s")
