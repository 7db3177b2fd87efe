"""Atomic file writes for the repository tools, independent of the engine they audit.

The audit must not import the engine beyond its layout and config modules (a broken engine
module gives findings, never a crash of the audit), so the tools carry their own few lines
rather than ``quant_engine.utils.atomic``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then rename it into place
    (a reader sees the old file or the new one, never half of one)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def write_bytes_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless ``path`` already holds exactly it; True when written
    (an unchanged file keeps its modification time)."""
    try:
        if Path(path).read_bytes() == data:
            return False
    except OSError:
        pass  # missing or unreadable: write it
    write_bytes_atomic(path, data)
    return True


def write_text_if_changed(path: Path, text: str) -> bool:
    """UTF-8 :func:`write_bytes_if_changed`."""
    return write_bytes_if_changed(path, text.encode("utf-8"))
