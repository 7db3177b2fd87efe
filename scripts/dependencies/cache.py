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
from typing import Any, NamedTuple

from scripts.dependencies.scan import FileScan, ImportRecord
from scripts.files import write_bytes_atomic

SCANNER_VERSION = 1
"""Bump whenever a scan's records change meaning, so old cache entries are dropped."""


PARSE_MODES = ("regions", "full")
"""How scans were made: grimp's import lines plus regions (speed path), or whole-file ``ast``."""


def cache_file(cache_dir: Path, roots: Sequence[Path], mode: str = "regions") -> Path:
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
        self._loaded: dict[str, list[Any]] | None = None
        self._dirty = False

    @property
    def _raw(self) -> dict[str, list[Any]]:
        """The entries, read on first use (an unchanged tree never needs them)."""
        if self._loaded is None:
            self._loaded = {}
            if self.path is not None:
                try:
                    loaded = json.loads(self.path.read_bytes())
                    if loaded.get("version") == SCANNER_VERSION:
                        self._loaded = dict(loaded["entries"])
                except (OSError, ValueError, KeyError, TypeError, AttributeError):
                    self._loaded = {}
        return self._loaded

    def is_cold(self) -> bool:
        """No cache file yet (or none kept): every file will be scanned."""
        return self.path is None or not self.path.is_file()

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
            self._loaded = {d: e for d, e in self._raw.items() if d not in stale}
            self._dirty = True
        if self.path is None or not self._dirty:
            return
        payload = {"version": SCANNER_VERSION, "entries": self._raw}
        write_bytes_atomic(self.path, json.dumps(payload, separators=(",", ":")).encode())
        self._dirty = False


def _tool_digest() -> bytes:
    """The digest of this package's own sources: a change to how edges are made drops every
    remembered tree, with no version number to forget to bump."""
    hasher = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        hasher.update(path.read_bytes())
    return hasher.digest()


def tree_key(entries: Iterable[tuple[str, str, bool, str]]) -> str:
    """The digest of a whole tree: each module's name, file, package flag and content digest,
    and this tool's own code (the scanner and Python name the file)."""
    hasher = hashlib.sha256(_tool_digest())
    for name, file, is_package, digest in entries:
        hasher.update(f"{name}\0{file}\0{int(is_package)}\0{digest}\n".encode())
    return hasher.hexdigest()


class RememberedTree(NamedTuple):
    """A tree's rendered JSON, with the counts a summary needs without parsing it."""

    rendered: str
    edges: int
    errors: list[dict[str, str]]


class TreeMemo:
    """The rendered result of the last tree seen, next to the scan cache: an unchanged tree is
    answered from it without decoding a scan or resolving an import. First line: the tree key,
    the edge count and the errors (compact JSON); then the rendered JSON."""

    def __init__(self, scans_path: Path) -> None:
        self.path = scans_path.with_suffix(".tree")

    def get(self, key: str) -> RememberedTree | None:
        """What is remembered for this tree key, if it is the tree remembered."""
        try:
            data = self.path.read_bytes()
        except OSError:
            return None
        head, _, rendered = data.partition(b"\n")
        try:
            stored, count, errors = json.loads(head)
            if stored != key:
                return None
            return RememberedTree(rendered.decode("utf-8"), int(count), list(errors))
        except (ValueError, TypeError):
            return None

    def put(self, key: str, tree: RememberedTree) -> None:
        """Remember this tree (replacing the previous one)."""
        head = json.dumps([key, tree.edges, tree.errors], separators=(",", ":"))
        write_bytes_atomic(self.path, f"{head}\n{tree.rendered}".encode())
