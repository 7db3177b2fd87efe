"""Every import statement of a Python tree: the dependency edges, as data and as JSON.

Each edge: ``importer`` → ``imported`` (dotted modules, relative imports resolved as grimp does:
see :mod:`scripts.dependencies.tree`), ``kind`` (internal / stdlib / third_party / unresolved),
``names`` taken from the imported module (empty when the statement binds the module itself),
``line``..``end_line``, the flags ``lazy`` (inside a function), ``type_checking``, ``guarded``
(try body or except handler) and ``conditional`` (if/else/match), and the importer's ``file``.
Unparsable files are listed under ``errors`` and the extraction goes on.

Speed: grimp's public import graph (``build_graph``, ``get_import_details``) finds the import
lines and only the regions around them are read with ``ast`` (:mod:`scripts.dependencies.locate`);
scans are cached by content hash and parse mode (:mod:`scripts.dependencies.cache`), so an
unchanged tree is not parsed again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quant_engine import layout
from scripts.dependencies.cache import RememberedTree, ScanCache, TreeMemo, cache_file, tree_key
from scripts.dependencies.locate import (
    BatchResult,
    ImportLineFinder,
    ScanItem,
    grimp_available,
    parse_files,
    scan_sources,
)
from scripts.dependencies.render import render
from scripts.dependencies.scan import FileScan
from scripts.dependencies.tree import SourceModule, Tree, discover, module_edges
from scripts.files import write_text_if_changed

PARALLEL_MIN_FILES = 64
"""Fewer files than this to parse: one process (a pool costs more than it saves)."""


@dataclass(frozen=True)
class ScanStats:
    """What a run did: files seen, parsed now, taken from the cache, parsed whole."""

    files: int
    parsed: int
    cached: int
    full_parses: int


class Extraction:
    """The dependency data of a tree (see the module docstring) and how it was obtained.

    A result remembered for an unchanged tree keeps its JSON and parses the edges only when
    they are asked for (the CLI only writes the JSON and counts).
    """

    def __init__(
        self,
        edges: list[dict[str, Any]],
        errors: list[dict[str, str]],
        modules: list[str],
        files: dict[str, str],
        stats: ScanStats,
        *,
        remembered: RememberedTree | None = None,
    ) -> None:
        self._payload: dict[str, Any] | None = None
        if remembered is None:
            self._payload = {"edges": edges, "errors": errors, "files": files, "modules": modules}
        self._rendered = remembered.rendered if remembered is not None else None
        self._edge_count = remembered.edges if remembered is not None else len(edges)
        self.from_memory = remembered is not None
        """Answered from the remembered JSON of an unchanged tree."""
        self.errors = errors if remembered is None else remembered.errors
        self.stats = stats

    def _data(self) -> dict[str, Any]:
        if self._payload is None:
            self._payload = json.loads(self._rendered or "{}")
        return self._payload

    @property
    def edges(self) -> list[dict[str, Any]]:
        """Every edge, sorted by importer, imported and line."""
        edges: list[dict[str, Any]] = self._data()["edges"]
        return edges

    @property
    def modules(self) -> list[str]:
        """Every module analysed, sorted."""
        modules: list[str] = self._data()["modules"]
        return modules

    @property
    def files(self) -> dict[str, str]:
        """Each module's file, relative to its root's parent."""
        files: dict[str, str] = self._data()["files"]
        return files

    def to_json(self) -> str:
        """Deterministic JSON: sorted keys, indent 2, trailing newline, no run-specific data."""
        if self._rendered is None:
            self._rendered = render(self._data())
        return self._rendered

    def summary(self) -> str:
        """One line: modules, edges, unparsable files, and how many files were parsed now."""
        stats = self.stats
        return (
            f"{stats.files} modules, {self._edge_count} edges, {len(self.errors)} unparsable; "
            f"parsed {stats.parsed} files ({stats.cached} from cache)"
        )

    def problems(self) -> list[str]:
        """One line per file that could not be analysed, with the reason."""
        return [f"{error['file']}: not analysed: {error['reason']}" for error in self.errors]


def add_root_flag(parser: argparse.ArgumentParser) -> None:
    """``--root PATH`` (repeatable): the folders an audit tool analyses (see default_roots)."""
    parser.add_argument(
        "--root",
        type=Path,
        action="append",
        metavar="PATH",
        help="folder to analyse, repeatable (default: quant_engine/ and scripts/)",
    )


def default_roots() -> list[Path]:
    """``quant_engine/`` and ``scripts/`` of the repository."""
    return [layout.package_dir(), layout.scripts_dir()]


def _read_and_hash(paths: Sequence[str]) -> list[tuple[bytes, str] | OSError]:
    out: list[tuple[bytes, str] | OSError] = []
    for path in paths:
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError as exc:
            out.append(exc)
            continue
        out.append((data, hashlib.sha256(data).hexdigest()))
    return out


def read_sources(paths: Sequence[str], jobs: int) -> list[tuple[bytes, str] | OSError]:
    """Bytes and sha256 of each file (threads: reading and hashing release the GIL)."""
    if jobs < 2 or len(paths) < PARALLEL_MIN_FILES:
        return _read_and_hash(paths)
    slices = [paths[i::jobs] for i in range(jobs)]
    with ThreadPoolExecutor(jobs) as pool:
        parts = list(pool.map(_read_and_hash, slices))
    out: list[tuple[bytes, str] | OSError] = [OSError()] * len(paths)
    for i, part in enumerate(parts):
        out[i::jobs] = part
    return out


def balanced_batches(sizes: Sequence[int], count: int) -> list[list[int]]:
    """Indices split into ``count`` groups of about equal total size (each group sorted)."""
    loads = [0] * count
    groups: list[list[int]] = [[] for _ in range(count)]
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        target = loads.index(min(loads))
        loads[target] += sizes[i]
        groups[target].append(i)
    return [sorted(group) for group in groups if group]


def _pool_context() -> Any:
    # fork: workers start in milliseconds and inherit the imports (they only run ast).
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork") if "fork" in methods else None


def scan_all(
    items: Sequence[ScanItem],
    datas: Sequence[bytes],
    jobs: int,
    finder: ImportLineFinder | None,
) -> BatchResult:
    """Scan the sources (results in item order): the fast path when there is a ``finder``, else
    whole-file parses spread over a process pool when there are many."""
    if finder is not None:
        return scan_sources(items, datas, finder)
    if jobs < 2 or len(datas) < PARALLEL_MIN_FILES:
        return parse_files(datas)
    batches = balanced_batches([len(data) for data in datas], jobs)
    with ProcessPoolExecutor(max_workers=len(batches), mp_context=_pool_context()) as pool:
        results = list(pool.map(parse_files, [[datas[i] for i in batch] for batch in batches]))
    scans: dict[int, FileScan] = {}
    for batch, result in zip(batches, results, strict=True):
        scans.update(zip(batch, result.scans, strict=True))
    return BatchResult([scans[i] for i in range(len(datas))], len(datas))


def _item(module: SourceModule) -> ScanItem:
    return ScanItem(
        module.path, module.name, module.root_name, str(module.root_dir), module.is_package
    )


def extract(
    roots: Sequence[Path],
    *,
    cache_dir: Path | None = None,
    jobs: int | None = None,
    fast: bool = True,
) -> Extraction:
    """The dependency data of ``roots`` (folders); ``cache_dir=None`` disables the cache."""
    jobs = jobs or os.cpu_count() or 1
    resolved = [root.resolve() for root in roots]
    mode = "regions" if fast else "full"
    scans_path = cache_file(cache_dir, resolved, mode) if cache_dir is not None else None
    cache = ScanCache(scans_path)
    with ThreadPoolExecutor(1) as pool:
        finder = ImportLineFinder(pool) if fast and grimp_available() else None
        if finder is not None and cache.is_cold():  # grimp works while the tree is walked
            for root in resolved:
                finder.start(root.name, str(root))
        tree = discover(roots)
        sources = read_sources([m.path for m in tree.modules], jobs)
        memo = TreeMemo(scans_path) if scans_path is not None else None
        key = _tree_key(tree, sources)
        remembered = memo.get(key) if memo is not None and key is not None else None
        if remembered is not None:
            files = len(tree.modules)
            stats = ScanStats(files, 0, files, 0)
            return Extraction([], [], [], {}, stats, remembered=remembered)
        result = _extract_tree(tree, sources, cache, jobs, finder)
    if memo is not None and key is not None:
        memo.put(key, RememberedTree(result.to_json(), len(result.edges), result.errors))
    return result


def _tree_key(tree: Tree, sources: Sequence[tuple[bytes, str] | OSError]) -> str | None:
    """The key of this tree's result, or None when a file could not be read."""
    entries = []
    for module, source in zip(tree.modules, sources, strict=True):
        if isinstance(source, OSError):
            return None
        entries.append((module.name, module.file, module.is_package, source[1]))
    return tree_key(entries)


def _extract_tree(
    tree: Tree,
    sources: Sequence[tuple[bytes, str] | OSError],
    cache: ScanCache,
    jobs: int,
    finder: ImportLineFinder | None,
) -> Extraction:
    """Scan what the cache does not hold, then resolve every import into edges."""
    scans: list[FileScan | None] = []
    todo: dict[str, tuple[bytes, list[int]]] = {}  # digest → content, modules holding it
    hits = 0
    for i, source in enumerate(sources):
        if isinstance(source, OSError):
            scans.append(FileScan((), f"unreadable: {source.strerror or source}"))
            continue
        data, digest = source
        cached = cache.get(digest)
        scans.append(cached)
        if cached is None:
            todo.setdefault(digest, (data, []))[1].append(i)
        else:
            hits += 1
    items = [_item(tree.modules[indices[0]]) for _, indices in todo.values()]
    result = scan_all(items, [data for data, _ in todo.values()], jobs, finder)
    for (digest, (_, indices)), scan in zip(todo.items(), result.scans, strict=True):
        cache.put(digest, scan)
        for i in indices:
            scans[i] = scan
    cache.save(source[1] for source in sources if not isinstance(source, OSError))
    known = tree.known()
    edges: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    for module, found in zip(tree.modules, scans, strict=True):
        assert found is not None  # every miss was scanned above
        if found.error is not None:
            errors.append({"file": module.file, "module": module.name, "reason": found.error})
        edges += module_edges(module, found.records, known, tree.root_names)
    edges.sort(key=lambda e: (e["importer"], e["imported"], e["line"]))
    stats = ScanStats(len(tree.modules), len(todo), hits, result.full_parses)
    return Extraction(
        edges,
        sorted(errors, key=lambda e: e["file"]),
        sorted(m.name for m in tree.modules),
        {m.name: m.file for m in tree.modules},
        stats,
    )


def save_edges(result: Extraction, out: Path) -> str:
    """Write the edges JSON to ``out`` unless it already holds it; a one-line account of it."""
    written = write_text_if_changed(out, result.to_json())
    return f"{out}: {'written' if written else 'unchanged'}; {result.summary()}"
