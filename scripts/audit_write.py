"""Change-only file writes for the audit tools, atomic through ``quant_engine.utils.atomic``."""

from __future__ import annotations

from pathlib import Path

from quant_engine.utils.atomic import write_bytes_atomic


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` (UTF-8) atomically unless the file already holds it; True if written."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_bytes_atomic(path, data)
    return True
