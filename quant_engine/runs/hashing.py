"""Content hashes for run records (files, folders as trees, input sets) and home-relative paths."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from quant_engine import layout
from quant_engine.runs.manifest import DataInput


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, streamed."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def path_digest(path: Path) -> tuple[int | None, str | None, int | None]:
    """(size, sha256, file count) of a file or folder; (None, None, None) when missing.

    A folder hashes as a tree: each file's relative POSIX path and sha256, in sorted order, so
    the digest changes with any content, rename, addition or removal.
    """
    if path.is_file():
        return path.stat().st_size, file_sha256(path), None
    if not path.is_dir():
        return None, None, None
    tree = hashlib.sha256()
    size = count = 0
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        tree.update(f"{item.relative_to(path).as_posix()}\0{file_sha256(item)}\n".encode())
        size += item.stat().st_size
        count += 1
    return size, tree.hexdigest(), count


def data_digest(inputs: Iterable[DataInput]) -> str | None:
    """sha256 over every input's name and sha256, in name order; None when there are none."""
    records = sorted(inputs, key=lambda r: r.name)
    if not records:
        return None
    combined = hashlib.sha256()
    for record in records:
        combined.update(f"{record.name}:{record.sha256}\n".encode())
    return combined.hexdigest()


def home_path(recorded: str) -> Path:
    """The file a recorded path means: absolute as is, else relative to the data home."""
    path = Path(recorded)
    return path if path.is_absolute() else layout.data_home() / path
