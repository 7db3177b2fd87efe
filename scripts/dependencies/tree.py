"""The modules of the analysed roots, and import resolution against them (grimp's rules).

Modules are named by path from each root's parent, so a root ``quant_engine/`` holds
``quant_engine.x.y``, and folders without ``__init__.py`` (``scripts/``, or plain folders inside
a package, which grimp skips) are analysed too; such folders count as namespace packages.

Resolution, per imported name: ``import a.b.c`` → ``a.b.c``; ``from m import n`` → ``m.n`` when
that is a module of the tree, else ``m``. A target that is neither a module nor the parent of one
(one level up, as grimp) is external: ``stdlib`` (``sys.stdlib_module_names``), ``third_party``,
or ``unresolved`` when it lies under an analysed root or a relative import climbs above it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quant_engine.errors import UsageError
from scripts.dependencies.scan import ImportRecord

KINDS = ("internal", "stdlib", "third_party", "unresolved")


@dataclass(frozen=True)
class SourceModule:
    """One ``.py`` file of an analysed root."""

    name: str
    path: str
    """Where to read it (an OS path string: cheaper than a Path per file on large trees)."""
    file: str
    """Path relative to the root's parent, POSIX style (``quant_engine/cli.py``)."""
    is_package: bool
    root_name: str
    root_dir: Path


@dataclass(frozen=True)
class Tree:
    """Every module found under the roots, plus the namespace folders between them."""

    modules: tuple[SourceModule, ...]
    namespaces: frozenset[str]
    root_names: frozenset[str]

    def known(self) -> frozenset[str]:
        """Names an import can resolve to: modules and namespace packages."""
        return frozenset(m.name for m in self.modules) | self.namespaces


def _is_python_file(name: str) -> bool:
    return name.endswith(".py") and not name.startswith(".") and name.count(".") == 1


def _walk(folder: str, parts: tuple[str, ...]) -> Iterator[tuple[str, tuple[str, ...], list[str]]]:
    """Each folder (top-down, sorted; subfolders named like identifiers, symlinks not followed)
    with its dotted parts and its ``.py`` files; plain strings and ``scandir`` entry types, as a
    large tree has thousands of folders (django's locales) and no module in most of them."""
    files: list[str] = []
    subfolders: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if not is_dir:
                    if _is_python_file(name):
                        files.append(name)
                elif name.isidentifier() and not entry.is_symlink():
                    subfolders.append(name)
    except OSError:
        return
    files.sort()
    yield folder, parts, files
    for name in sorted(subfolders):
        yield from _walk(os.path.join(folder, name), (*parts, name))


def discover(roots: Sequence[Path]) -> Tree:
    """Walk each root folder (sorted, deterministic) and name its modules by path."""
    modules: list[SourceModule] = []
    namespaces: set[str] = set()
    names: dict[str, Path] = {}
    for given in roots:
        root = given.resolve()
        if not root.is_dir():
            raise UsageError(f"--root {given}: not a folder")
        if not root.name.isidentifier():
            raise UsageError(f"--root {given}: {root.name!r} is not a Python package name")
        if root.name in names:
            raise UsageError(f"--root {given}: a root named {root.name!r} is already analysed")
        names[root.name] = root
        for folder, parts, files in _walk(str(root), (root.name,)):
            for file in files:
                is_package = file == "__init__.py"
                name_parts = parts if is_package else (*parts, file[:-3])
                modules.append(
                    SourceModule(
                        ".".join(name_parts),
                        os.path.join(folder, file),
                        "/".join((*parts, file)),
                        is_package,
                        root.name,
                        root,
                    )
                )
    packages = {m.name for m in modules if m.is_package}
    # ``x/__init__.py`` shadows ``x.py``: Python imports the package.
    modules = [m for m in modules if m.is_package or m.name not in packages]
    for module in modules:
        dotted = module.name.split(".")
        namespaces.update(".".join(dotted[:i]) for i in range(1, len(dotted)))
    by_name = {m.name for m in modules}
    return Tree(tuple(modules), frozenset(namespaces - by_name), frozenset(names))


def _kind(name: str, root_names: frozenset[str]) -> str:
    top = name.partition(".")[0]
    if top in root_names:
        return "unresolved"
    return "stdlib" if top in sys.stdlib_module_names else "third_party"


def _absolute_base(module: SourceModule, level: int) -> str | None:
    parts = module.name.split(".")
    keep = len(parts) - level + (1 if module.is_package else 0)
    return ".".join(parts[:keep]) if keep > 0 else None


def resolve(
    record: ImportRecord, module: SourceModule, known: frozenset[str], roots: frozenset[str]
) -> list[tuple[str, str, tuple[str, ...]]]:
    """``(imported, kind, names)`` for each module one import statement reaches."""
    out: list[tuple[str, str, tuple[str, ...]]] = []
    if not record.is_from:
        for name in record.names:
            parent = name.rpartition(".")[0]
            if name in known:
                out.append((name, "internal", ()))
            elif parent in known:
                out.append((parent, "internal", ()))
            else:
                out.append((name, _kind(name, roots), ()))
        return out
    if record.level:
        base = _absolute_base(module, record.level)
        if base is None:
            spelled = "." * record.level + record.module
            return [(spelled, "unresolved", record.names)]
        source = f"{base}.{record.module}" if record.module else base
    else:
        source = record.module
    for name in record.names:
        target = f"{source}.{name}"
        if target in known:
            out.append((target, "internal", ()))
        elif source in known:
            out.append((source, "internal", (name,)))
        else:
            out.append((source, _kind(source, roots), (name,)))
    return out


def module_edges(
    module: SourceModule,
    records: Sequence[ImportRecord],
    known: frozenset[str],
    roots: frozenset[str],
) -> list[dict[str, Any]]:
    """The edges of one module: one per (imported module, statement line), names merged."""
    edges: dict[tuple[str, int], dict[str, Any]] = {}
    for record in records:
        for imported, kind, names in resolve(record, module, known, roots):
            key = (imported, record.line)
            edge = edges.get(key)
            if edge is None:
                edges[key] = {
                    "importer": module.name,
                    "imported": imported,
                    "kind": kind,
                    "names": set(names),
                    "line": record.line,
                    "end_line": record.end_line,
                    "lazy": record.lazy,
                    "type_checking": record.type_checking,
                    "guarded": record.guarded,
                    "conditional": record.conditional,
                    "dynamic": record.dynamic,
                    "file": module.file,
                }
                continue
            edge["names"].update(names)
            edge["end_line"] = max(edge["end_line"], record.end_line)
            for flag in ("lazy", "type_checking", "guarded", "conditional", "dynamic"):
                edge[flag] = edge[flag] or getattr(record, flag)
    for edge in edges.values():
        edge["names"] = sorted(edge["names"])
    return [edges[key] for key in sorted(edges)]
