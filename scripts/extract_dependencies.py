"""Every import statement of a Python tree: the dependency edges of make audit (JSON).

Each edge: ``importer`` → ``imported`` (dotted modules, relative imports resolved as grimp does:
see :mod:`scripts.audit_deps_tree`), ``kind`` (internal / stdlib / third_party / unresolved),
``names`` taken from the imported module (empty when the statement binds the module itself),
``line``..``end_line``, the flags ``lazy`` (inside a function), ``type_checking``, ``guarded``
(try body or except handler) and ``conditional`` (if/else/match), and the importer's ``file``.
Unparsable files are listed under ``errors`` and the run goes on (``--strict``: exit 1).

Speed: grimp's Rust parser finds the import lines and only the regions around them are read with
``ast`` (:mod:`scripts.audit_deps_locate`); scans are cached by content hash
(:mod:`scripts.audit_deps_cache`), so an unchanged tree is not parsed again.
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hashlib
import json
import multiprocessing
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from quant_engine import layout
from quant_engine.errors import DataError, QuantEngineError
from scripts.audit_deps_cache import ScanCache, cache_file
from scripts.audit_deps_json import render
from scripts.audit_deps_locate import (
    BatchResult,
    ScanItem,
    grimp_available,
    parse_files,
    scan_sources,
)
from scripts.audit_deps_scan import FileScan
from scripts.audit_deps_tree import SourceModule, discover, module_edges

COMMAND = "python scripts/extract_dependencies.py"
PARALLEL_MIN_FILES = 64
"""Fewer files than this to parse: one process (a pool costs more than it saves)."""


class MissingAuditDataError(DataError, FileNotFoundError):
    """A generated audit file does not exist; the message names the command that creates it."""

    def __init__(self, path: Path, command: str = COMMAND) -> None:
        super().__init__(f"{path} not found: run `{command}` or `make audit` to create it")
        self.filename = str(path)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class ScanStats:
    """What a run did: files seen, parsed now, taken from the cache, parsed whole."""

    files: int
    parsed: int
    cached: int
    full_parses: int


@dataclass(frozen=True)
class Extraction:
    """The dependency data of a tree (see the module docstring) and how it was obtained."""

    edges: list[dict[str, Any]]
    errors: list[dict[str, str]]
    modules: list[str]
    files: dict[str, str]
    stats: ScanStats

    def to_json(self) -> str:
        """Deterministic JSON: sorted keys, indent 2, trailing newline, no run-specific data."""
        payload = {
            "edges": self.edges,
            "errors": self.errors,
            "files": self.files,
            "modules": self.modules,
        }
        return render(payload)


def default_roots() -> list[Path]:
    """``quant_engine/`` and ``scripts/`` of the repository."""
    return [layout.package_dir(), layout.scripts_dir()]


def _read_and_hash(paths: Sequence[Path]) -> list[tuple[bytes, str] | OSError]:
    out: list[tuple[bytes, str] | OSError] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            out.append(exc)
            continue
        out.append((data, hashlib.sha256(data).hexdigest()))
    return out


def read_sources(paths: Sequence[Path], jobs: int) -> list[tuple[bytes, str] | OSError]:
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
    items: Sequence[ScanItem], datas: Sequence[bytes], jobs: int, fast: bool
) -> BatchResult:
    """Scan the sources (results in item order): the fast path, or whole-file parses spread
    over a process pool when there are many."""
    if fast and grimp_available():
        return scan_sources(items, datas)
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
        str(module.path), module.name, module.root_name, str(module.root_dir), module.is_package
    )


def extract(
    roots: Sequence[Path],
    *,
    cache_dir: Path | None = None,
    jobs: int | None = None,
    fast: bool = True,
) -> Extraction:
    """The dependency data of ``roots`` (folders); ``cache_dir=None`` disables the cache."""
    tree = discover(roots)
    jobs = jobs or os.cpu_count() or 1
    sources = read_sources([m.path for m in tree.modules], jobs)
    resolved = [root.resolve() for root in roots]
    cache = ScanCache(cache_file(cache_dir, resolved) if cache_dir is not None else None)
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
    result = scan_all(items, [data for data, _ in todo.values()], jobs, fast)
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


def load_edges(path: Path | None = None) -> list[dict[str, Any]]:
    """The edges of the canonical file (or ``path``); the legacy location still works, warned."""
    if path is None:
        path = layout.dependency_edges_path()
        legacy = layout.legacy_dependency_edges_path()
        if not path.is_file() and legacy.is_file():
            warnings.warn(
                f"{legacy} is the deprecated location of the dependency edges; "
                f"run `{COMMAND}` to write {path}",
                DeprecationWarning,
                stacklevel=2,
            )
            path = legacy
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise MissingAuditDataError(path) from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from None
    except ValueError as exc:
        raise DataError(f"{path}: not valid JSON ({exc}); regenerate it with `{COMMAND}`") from None
    edges = data.get("edges") if isinstance(data, dict) else None
    if not isinstance(edges, list) or not all(
        isinstance(e, dict) and "importer" in e and "imported" in e for e in edges
    ):
        raise DataError(f"{path}: no list of edges with importer/imported; regenerate it")
    return edges


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: write the edges (only when they changed) and print a one-line summary."""
    from quant_engine import cli
    from scripts.audit_write import write_if_changed

    parser = cli.new_parser("extract_dependencies", __doc__.split("\n", 1)[0])
    parser.add_argument(
        "--root",
        type=Path,
        action="append",
        metavar="PATH",
        help="folder to analyse, repeatable (default: quant_engine/ and scripts/)",
    )
    parser.add_argument("--out", type=Path, default=None, help="output file (default: canonical)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a file fails to parse")
    parser.add_argument("--cache-dir", type=Path, default=None, help="default: the data home")
    parser.add_argument("--no-cache", action="store_true", help="parse every file again")
    parser.add_argument("--jobs", type=cli.positive_int, default=None, help="default: all cores")
    parser.add_argument(
        "--full-parse", action="store_true", help="parse whole files with ast (slow; a cross-check)"
    )
    args = parser.parse_args(argv)
    cache_dir = None if args.no_cache else (args.cache_dir or layout.audit_cache_dir())
    try:
        result = extract(
            args.root or default_roots(),
            cache_dir=cache_dir,
            jobs=args.jobs,
            fast=not args.full_parse,
        )
    except QuantEngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    for error in result.errors:
        print(f"{error['file']}: not analysed: {error['reason']}", file=sys.stderr)
    out = args.out or layout.dependency_edges_path()
    try:
        written = write_if_changed(out, result.to_json())
    except OSError as exc:
        print(f"error: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    stats = result.stats
    print(
        f"{out}: {'written' if written else 'unchanged'}; {stats.files} modules, "
        f"{len(result.edges)} edges, {len(result.errors)} unparsable; "
        f"parsed {stats.parsed} files ({stats.cached} from cache)"
    )
    return 1 if args.strict and result.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
