"""Import statements of one Python source, with their line range and context flags (pure ``ast``).

This is the reference reader: :mod:`scripts.dependencies.locate` reaches the same records faster
by parsing only the regions around the imports, and falls back to this module when unsure.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterable
from typing import NamedTuple

LAZY, TYPE_CHECKING, GUARDED, CONDITIONAL, DYNAMIC = 1, 2, 4, 8, 16
"""Context bits: inside a function; under ``if TYPE_CHECKING``; inside try/except; inside an if;
a call (``importlib.import_module("x")``, ``__import__("x")``) rather than a statement."""
DYNAMIC_IMPORTERS = frozenset({"importlib.import_module", "import_module", "__import__"})
"""Call spellings that import the module named by their first (literal) argument."""
DYNAMIC_MARKERS = (b"import_module(", b"__import__(")
"""Text a source with a dynamic import contains (a cheap test before parsing it whole)."""


class ImportRecord(NamedTuple):
    """One import statement as written (unresolved), with the context it runs in."""

    line: int
    end_line: int
    col: int
    is_from: bool
    level: int
    module: str
    names: tuple[str, ...]
    """``import a.b, c``: the dotted modules; ``from m import x, y``: the names (``*`` for star)."""
    context: int

    @property
    def lazy(self) -> bool:
        """Inside a function body: runs only when the function is called."""
        return bool(self.context & LAZY)

    @property
    def type_checking(self) -> bool:
        """Under ``if TYPE_CHECKING:`` (or ``if typing.TYPE_CHECKING:``): never runs."""
        return bool(self.context & TYPE_CHECKING)

    @property
    def guarded(self) -> bool:
        """In the body or an except handler of a ``try`` statement."""
        return bool(self.context & GUARDED)

    @property
    def conditional(self) -> bool:
        """Under an ``if`` (other than a TYPE_CHECKING guard), its ``else``, or a ``match`` case."""
        return bool(self.context & CONDITIONAL)

    @property
    def dynamic(self) -> bool:
        """``importlib.import_module("x")`` or ``__import__("x")`` with a literal name."""
        return bool(self.context & DYNAMIC)


class FileScan(NamedTuple):
    """The import records of one file, or why it could not be read."""

    records: tuple[ImportRecord, ...]
    error: str | None = None


def is_type_checking_test(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``<anything>.TYPE_CHECKING`` (grimp's rule)."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _record(node: ast.Import | ast.ImportFrom, context: int, line_offset: int) -> ImportRecord:
    end = node.end_lineno or node.lineno
    names = tuple(alias.name for alias in node.names)
    if isinstance(node, ast.Import):
        is_from, level, module = False, 0, ""
    else:
        is_from, level, module = True, node.level, node.module or ""
    return ImportRecord(
        node.lineno + line_offset,
        end + line_offset,
        node.col_offset,
        is_from,
        level,
        module,
        names,
        context,
    )


def collect_imports(
    body: Iterable[ast.stmt], context: int = 0, line_offset: int = 0, *, dynamic: bool = False
) -> list[ImportRecord]:
    """Every import statement in ``body`` (recursively), in source order; with ``dynamic``,
    the dynamic imports with a literal name too (the expressions are then walked as well)."""
    out: list[ImportRecord] = []
    _walk(body, context, line_offset, out, dynamic)
    out.sort()
    return out


def _dynamic(node: ast.stmt, context: int, line_offset: int) -> list[ImportRecord]:
    """The dynamic imports with a literal module name in one statement's own expressions."""
    found = []
    todo: list[ast.AST] = [c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.stmt)]
    while todo:
        expr = todo.pop()
        todo += [c for c in ast.iter_child_nodes(expr) if not isinstance(c, ast.stmt)]
        if not isinstance(expr, ast.Call) or not expr.args:
            continue
        first = expr.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value):
            continue
        if ast.unparse(expr.func) not in DYNAMIC_IMPORTERS:
            continue
        end = expr.end_lineno or expr.lineno
        found.append(
            ImportRecord(
                expr.lineno + line_offset,
                end + line_offset,
                expr.col_offset,
                False,
                0,
                "",
                (first.value,),
                context | DYNAMIC,
            )
        )
    return found


def _walk(
    body: Iterable[ast.stmt], ctx: int, offset: int, out: list[ImportRecord], dynamic: bool
) -> None:
    for node in body:
        if dynamic and not isinstance(node, ast.Import | ast.ImportFrom):
            out += _dynamic(node, ctx, offset)
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append(_record(node, ctx, offset))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            _walk(node.body, ctx | LAZY, offset, out, dynamic)
        elif isinstance(node, ast.ClassDef):
            _walk(node.body, ctx, offset, out, dynamic)
        elif isinstance(node, ast.If):
            inner = TYPE_CHECKING if is_type_checking_test(node.test) else CONDITIONAL
            _walk(node.body, ctx | inner, offset, out, dynamic)
            _walk(node.orelse, ctx | CONDITIONAL, offset, out, dynamic)
        elif isinstance(node, ast.Try | ast.TryStar):
            _walk(node.body, ctx | GUARDED, offset, out, dynamic)
            for handler in node.handlers:
                _walk(handler.body, ctx | GUARDED, offset, out, dynamic)
            _walk(node.orelse, ctx, offset, out, dynamic)
            _walk(node.finalbody, ctx, offset, out, dynamic)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            _walk(node.body, ctx, offset, out, dynamic)
            _walk(node.orelse, ctx, offset, out, dynamic)
        elif isinstance(node, ast.With | ast.AsyncWith):
            _walk(node.body, ctx, offset, out, dynamic)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                _walk(case.body, ctx | CONDITIONAL, offset, out, dynamic)


def parse_error(exc: BaseException) -> str:
    """One line saying why a source could not be parsed (deterministic, no paths)."""
    if isinstance(exc, SyntaxError):
        where = f"line {exc.lineno}: " if exc.lineno else ""
        return f"{where}{exc.msg}"
    return f"{type(exc).__name__}: {exc}"


def scan_source(data: bytes) -> FileScan:
    """Parse the whole file (bytes, so coding cookies and BOMs count) and collect its imports."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return FileScan((), parse_error(exc))
    dynamic = any(marker in data for marker in DYNAMIC_MARKERS)
    return FileScan(tuple(collect_imports(tree.body, dynamic=dynamic)))
