"""Scan source files fast: grimp's public import graph finds the import lines, regions add detail.

grimp (already an audit dependency) parses a whole package with its Rust parser;
``build_graph(...).get_import_details`` reports the line and text of each import. Only the regions
around those lines are then read (:mod:`scripts.dependencies.regions`). A file the fast path cannot
vouch for (not plain UTF-8, a coding cookie, outside grimp's package walk, a region that does not
check out) is parsed whole by :func:`scripts.dependencies.scan.scan_source`, and so is every file
of a root grimp cannot build (grimp missing, a syntax error, a root whose name imports from
elsewhere, or too few files to be worth a whole-package pass). The tests check that both paths
give the same records on real packages. One difference remains by design: syntax newer than the
running Python, which grimp's parser accepts, is reported only when it lies in a region read.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import warnings
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from scripts.dependencies.regions import records_near
from scripts.dependencies.scan import DYNAMIC_MARKERS, FileScan, scan_source

MIN_GRIMP_FILES = 64
"""Fewer files of one root to scan: parse them whole (grimp always reads the whole package)."""

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)
_UTF8_NAMES = frozenset(("utf-8", "utf8", "utf_8"))
_BOM = b"\xef\xbb\xbf"

ImportLines = dict[str, dict[int, str]]
"""Module name → the lines where its import statements start, each with its stripped text."""


class ScanItem(NamedTuple):
    """One file to scan, and where it sits: its module name and its analysed root."""

    path: str
    module: str
    root_name: str
    root_dir: str
    is_package: bool


class BatchResult(NamedTuple):
    """Scans in item order, and how many files needed a whole-file parse."""

    scans: list[FileScan]
    full_parses: int


def fast_text(data: bytes) -> str | None:
    """The text when the fast path can take this file (plain UTF-8), else None."""
    if data.startswith(_BOM) or b"\x00" in data:
        return None
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    cookie = _COOKIE.search(data if second < 0 else data[:second])
    if cookie and cookie.group(1).decode("ascii", "replace").lower() not in _UTF8_NAMES:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _finds_root(root_name: str, root_dir: Path) -> bool:
    """Whether importing ``root_name`` (with the root's parent first on sys.path) finds this root:
    grimp locates packages by import name, so a same-named package elsewhere must not be read."""
    importlib.invalidate_caches()
    try:
        spec = importlib.util.find_spec(root_name)
    except (ImportError, ValueError):
        return False
    locations = spec.submodule_search_locations if spec is not None else None
    return bool(locations) and any(Path(p).resolve() == root_dir for p in locations or ())


def grimp_import_lines(root_name: str, root_dir: Path) -> ImportLines | None:
    """The import lines of every module grimp finds in one root (public API: ``build_graph`` and
    ``get_import_details``); ``None`` when grimp is missing or cannot build this root."""
    try:
        import grimp
    except ImportError:
        return None
    parent = str(root_dir.parent)
    sys.path.insert(0, parent)
    try:
        if not _finds_root(root_name, root_dir):
            return None
        graph = grimp.build_graph(
            root_name,
            include_external_packages=True,
            exclude_type_checking_imports=False,
            cache_dir=None,
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a syntax error, or a Rust panic (derives from BaseException)
        return None
    finally:
        sys.path.remove(parent)
    prefix = f"{root_name}."
    found: ImportLines = {}
    for module in graph.modules:
        if module != root_name and not module.startswith(prefix):
            continue  # an external package (squashed): it has no imports of its own
        lines: dict[int, str] = {}
        for imported in graph.find_modules_directly_imported_by(module):
            for detail in graph.get_import_details(importer=module, imported=imported):
                lines[detail["line_number"]] = detail["line_contents"]
        found[module] = lines
    return found


def grimp_available() -> bool:
    """Whether the fast path can run at all."""
    return importlib.util.find_spec("grimp") is not None


class ImportLineFinder:
    """grimp's import lines of each root, built at most once per root in one background thread
    (grimp releases the GIL and uses every core), so they can be started before they are needed.
    """

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool = pool
        self._futures: dict[tuple[str, str], Future[ImportLines | None]] = {}

    def start(self, root_name: str, root_dir: str) -> None:
        """Begin building this root's lines (no-op when already started)."""
        key = (root_name, root_dir)
        if key not in self._futures:
            self._futures[key] = self._pool.submit(grimp_import_lines, root_name, Path(root_dir))

    def lines(self, root_name: str, root_dir: str) -> ImportLines | None:
        """The lines of this root (waits for them), or None when grimp cannot build it."""
        self.start(root_name, root_dir)
        return self._futures[(root_name, root_dir)].result()


def scan_sources(
    items: Sequence[ScanItem], datas: Sequence[bytes], finder: ImportLineFinder
) -> BatchResult:
    """The fast path: ``finder`` gets grimp's lines of each root with enough files to scan while
    this thread parses whole the files it cannot take, then the regions around them are read."""
    texts = [fast_text(data) for data in datas]
    by_root: dict[tuple[str, str], list[int]] = {}
    for i, item in enumerate(items):
        if texts[i] is not None:
            by_root.setdefault((item.root_name, item.root_dir), []).append(i)
    graphed = {root: found for root, found in by_root.items() if len(found) >= MIN_GRIMP_FILES}
    for root in graphed:
        finder.start(*root)
    scans: dict[int, FileScan] = {}
    full = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        waiting = {i for indices in graphed.values() for i in indices}
        for i in range(len(items)):
            if i not in waiting:
                full += 1
                scans[i] = scan_source(datas[i])
        for root, indices in graphed.items():
            lines = finder.lines(*root)
            for i in indices:
                found = None if lines is None else lines.get(items[i].module)
                dynamic = any(marker in datas[i] for marker in DYNAMIC_MARKERS)
                near = None if found is None or dynamic else records_near(texts[i] or "", found)
                records = near
                if records is None:
                    full += 1
                    scans[i] = scan_source(datas[i])
                else:
                    scans[i] = FileScan(records)
    return BatchResult([scans[i] for i in range(len(items))], full)


def parse_files(datas: Sequence[bytes]) -> BatchResult:
    """Parse each source whole with ``ast`` (module-level: a process pool runs it on batches)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BatchResult([scan_source(data) for data in datas], len(datas))
