"""Cyclomatic complexity per file and per function, measured with radon.

A function's complexity is radon's McCabe number (1 + its decision points; a closure's decisions
count for the closure, not its parent). A file's complexity is the sum over every function,
method and closure plus radon's figure for module-level code, so each decision point of the
file counts once and each function adds 1. Class bodies outside methods are not counted.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from radon.visitors import Class, ComplexityVisitor, Function


@dataclass(frozen=True)
class FunctionComplexity:
    """One function's qualified name (``Class.method``, ``outer.inner``), line and complexity."""

    name: str
    line: int
    complexity: int


@dataclass(frozen=True)
class FileComplexity:
    """A file's total complexity, its functions (most complex first) and any read error."""

    total: int
    functions: tuple[FunctionComplexity, ...]
    error: str = ""


def walk_functions(
    blocks: Iterable[Function | Class], prefix: str = ""
) -> list[FunctionComplexity]:
    """Every function, method and closure under radon's ``blocks``, with qualified names."""
    found: list[FunctionComplexity] = []
    for block in blocks:
        name = f"{prefix}{block.name}"
        if isinstance(block, Class):
            found.extend(walk_functions(block.methods, f"{name}."))
            continue
        found.append(FunctionComplexity(name, block.lineno, block.complexity))
        found.extend(walk_functions(block.closures, f"{name}."))
    return found


def source_complexity(source: str) -> FileComplexity:
    """Complexity of Python ``source``; raises SyntaxError when it does not parse."""
    visitor = ComplexityVisitor.from_code(source)
    top = [b for b in visitor.functions if not b.is_method] + list(visitor.classes)
    functions = walk_functions(top)
    total = visitor.complexity + sum(f.complexity for f in functions)
    ranked = sorted(functions, key=lambda f: (-f.complexity, f.line, f.name))
    return FileComplexity(total=total, functions=tuple(ranked))


def file_complexity(path: Path) -> FileComplexity:
    """Complexity of one file; an unreadable or unparsable file scores 0 and says why."""
    try:
        source = importlib.util.decode_source(path.read_bytes())
        return source_complexity(source)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as exc:
        return FileComplexity(total=0, functions=(), error=f"{type(exc).__name__}: {exc}")
