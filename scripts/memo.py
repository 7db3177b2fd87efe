"""Results of the audit's per-file work remembered by content digest, in one JSON file.

A gate's findings for a file, or a module's public API, depend only on the file's bytes and the
code computing them, so the key is the sha256 of both (never a modification time): an unchanged
file is not parsed again. The file lives in the data home's audit cache and is disposable
(unreadable: ignored and rewritten); entries not used by a run are dropped when it saves.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scripts.files import write_bytes_atomic


def code_digest(paths: Iterable[Path]) -> bytes:
    """The digest of the source files computing a result (part of every key made from it)."""
    hasher = hashlib.sha256()
    for path in sorted(paths):
        hasher.update(path.read_bytes())
    return hasher.digest()


def key_of(*parts: bytes | str) -> str:
    """The sha256 of the parts (each length-prefixed, so parts cannot run together)."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big") + data)
    return hasher.hexdigest()


class DigestMemo:
    """Key → JSON value, loaded from and saved to one file (``path=None``: remember nothing)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._entries: dict[str, Any] = {}
        self._used: set[str] = set()
        self._dirty = False
        if path is not None:
            try:
                loaded = json.loads(path.read_bytes())
                self._entries = dict(loaded) if isinstance(loaded, dict) else {}
            except (OSError, ValueError, TypeError):
                self._entries = {}

    def get(self, key: str) -> Any:
        """The value remembered under ``key``, or None."""
        if key in self._entries:
            self._used.add(key)
        return self._entries.get(key)

    def put(self, key: str, value: Any) -> None:
        """Remember ``value`` (JSON-serialisable) under ``key``."""
        self._entries[key] = value
        self._used.add(key)
        self._dirty = True

    def save(self) -> None:
        """Write the entries used by this run, if anything changed."""
        if self.path is None:
            return
        if self._entries.keys() - self._used:
            self._entries = {k: v for k, v in self._entries.items() if k in self._used}
            self._dirty = True
        if self._dirty:
            data = json.dumps(self._entries, separators=(",", ":")).encode()
            write_bytes_atomic(self.path, data)
            self._dirty = False
