"""Is a run's process still there? Decided from what its manifest records, never from its age.

A ``running`` manifest records the recording process's pid, host name and start token (the
kernel's boot id and the process's start time in clock ticks since boot, from ``/proc``). On
the same host the run is alive only while a process with that pid exists, is not a zombie and
has the same start token, so a pid reused by another process (or after a reboot) does not
keep a dead run alive. Where ``/proc`` is missing the pid alone decides; a run recorded on
another host cannot be checked from here and counts as alive.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

PROC = Path("/proc")
BOOT_ID = PROC / "sys" / "kernel" / "random" / "boot_id"


def stat_fields(pid: int) -> list[str] | None:
    """Fields of ``/proc/<pid>/stat`` after the command name, or None when unreadable."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def start_token(pid: int) -> str | None:
    """``<boot id>:<start ticks>`` of process ``pid``; None without ``/proc`` or that process."""
    fields = stat_fields(pid)
    if fields is None or len(fields) < 20:
        return None
    try:
        boot = BOOT_ID.read_text().strip()
    except OSError:
        boot = ""
    return f"{boot}:{fields[19]}"  # field 22 of stat: starttime


def pid_exists(pid: int) -> bool:
    """True while a (non-zombie) process ``pid`` exists on this host."""
    fields = stat_fields(pid)
    if fields is not None:
        return fields[0] != "Z"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_alive(pid: int, hostname: str, token: str | None) -> bool:
    """Whether the process recorded as ``pid`` on ``hostname`` with ``token`` still runs."""
    if hostname != socket.gethostname():
        return True
    if not pid_exists(pid):
        return False
    if token is None:
        return True
    current = start_token(pid)
    return current is None or current == token
