"""Import gates that the import statements alone do not show: private modules (QE001) and
dynamic imports with a literal name (``importlib.import_module("x")``, ``__import__("x")``).

A dynamic import is an edge like any other: it is checked for private modules here and against
the layers by :mod:`scripts.gates.layers`.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

from scripts.dependencies.scan import DYNAMIC_IMPORTERS
from scripts.gates.findings import Finding


class DynamicImport(NamedTuple):
    """``importlib.import_module("a.b")`` or ``__import__("a.b")`` at ``line``."""

    module: str
    line: int


def dynamic_imports(tree: ast.Module) -> list[DynamicImport]:
    """Each dynamic import with a literal (string constant) module name, in source order."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value):
            continue
        if ast.unparse(node.func) in DYNAMIC_IMPORTERS:
            found.append(DynamicImport(first.value, node.lineno))
    return sorted(found, key=lambda d: d.line)


def private_part(module: str) -> int | None:
    """Index of the first private component of a dotted name (``a._b.c`` → 1), else None."""
    for index, part in enumerate(module.split(".")):
        if part.startswith("_") and not part.endswith("_"):
            return index
    return None


def crosses_into_private(importer: str, imported: str) -> bool:
    """True when ``imported`` has a private module ``pkg._m`` and ``importer`` is not in ``pkg``.

    A package's private modules are for that package (and its subpackages) only.
    """
    index = private_part(imported)
    if index is None:
        return False
    package = imported.split(".")[:index]
    return importer.split(".")[: len(package)] != package or not package


def absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The absolute module a ``from`` import names (relative ones resolved against importer)."""
    if not node.level:
        return node.module or ""
    parts = importer.split(".")
    base = parts[: len(parts) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def check_private_modules(
    tree: ast.Module, path: str, importer: str, *, is_package: bool = False
) -> list[Finding]:
    """QE001: an import of another package's private module (``import pkg._helpers``,
    ``from pkg._helpers import x``, ``from pkg import _helpers`` is QE001 already, and
    ``importlib.import_module("pkg._helpers")``); ``importer`` is this file's dotted module.

    Fix: make the module public (drop the underscore) or move what is needed to a public module.
    """
    targets: list[tuple[str, int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets += [(alias.name, node.lineno, "imports") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            targets.append((absolute(node, importer, is_package), node.lineno, "imports from"))
    targets += [(d.module, d.line, "dynamically imports") for d in dynamic_imports(tree)]
    return [
        Finding(
            path,
            line,
            "QE001",
            f"{verb} private module {module!r} of another package",
            "make that module public (drop the underscore) or use its package's public API",
        )
        for module, line, verb in targets
        if crosses_into_private(importer, module)
    ]
