"""Per-file scan cache keyed by the sha256 of the file's bytes (never its modification time).

A scan depends only on a file's content, so unchanged files are never parsed twice, whatever
their path or mtime (CI checkouts reset mtimes). One JSON file per set of analysed roots and
parse mode lives in ``layout.audit_cache_dir()``; it is disposable: unreadable or from another
scanner version, it is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from quant_engine.utils.atomic import write_bytes_atomic
from scripts.dependencies.scan import FileScan, ImportRecord

SCANNER_VERSION = 1
"""Bump whenever a scan's records change meaning, so old cache entries are dropped."""


PARSE_MODES = ("regions", "full")
"""How scans were made: grimp's import lines plus regions (speed path), or whole-file ``ast``."""


def cache_file(cache_dir: Path, roots: Sequence[Path], mode: str) -> Path:
    """The cache file for this scanner, this Python, these roots and this parse mode (so a
    ``--full-parse`` cross-check never reads scans the speed path made)."""
    if mode not in PARSE_MODES:
        raise ValueError(f"parse mode {mode!r}: expected one of {', '.join(PARSE_MODES)}")
    key = json.dumps(
        [SCANNER_VERSION, list(sys.version_info[:2]), sorted(str(r) for r in roots), mode]
    ).encode()
    return cache_dir / f"deps-{hashlib.sha256(key).hexdigest()[:16]}.json"


def _encode(scan: FileScan) -> list[Any]:
    return [scan.error, [[*r[:6], list(r.names), r.context] for r in scan.records]]


def _decode(entry: list[Any]) -> FileScan:
    error, rows = entry
    records = tuple(
        ImportRecord(line, end, col, is_from, level, module, tuple(names), context)
        for line, end, col, is_from, level, module, names, context in rows
    )
    return FileScan(records, error)


class ScanCache:
    """Scans by content digest, loaded from and saved to one file (or kept in memory only)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._raw: dict[str, list[Any]] = {}
        self._dirty = False
        if path is not None:
            try:
                loaded = json.loads(path.read_bytes())
                if loaded.get("version") == SCANNER_VERSION:
                    self._raw = dict(loaded["entries"])
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                self._raw = {}

    def get(self, digest: str) -> FileScan | None:
        """The cached scan of content with this digest, if any (a corrupt entry is a miss)."""
        entry = self._raw.get(digest)
        if entry is None:
            return None
        try:
            return _decode(entry)
        except (ValueError, TypeError):
            return None

    def put(self, digest: str, scan: FileScan) -> None:
        """Remember a fresh scan."""
        self._raw[digest] = _encode(scan)
        self._dirty = True

    def save(self, keep: Iterable[str]) -> None:
        """Write the entries of ``keep`` (the digests of the current files) if anything changed."""
        stale = self._raw.keys() - set(keep)
        if stale:
            self._raw = {d: e for d, e in self._raw.items() if d not in stale}
            self._dirty = True
        if self.path is None or not self._dirty:
            return
        payload = {"version": SCANNER_VERSION, "entries": self._raw}
        write_bytes_atomic(self.path, json.dumps(payload, separators=(",", ":")).encode())
        self._dirty = False
