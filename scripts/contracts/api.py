"""The public API of one module, read statically with ``ast`` (the code is never imported).

Public means: the names of ``__all__`` when the module defines it as a literal; otherwise every
function, class and module-level variable defined in the module whose name has no leading
underscore (imported names are not part of a module's API unless ``__all__`` re-exports them).
Classes list their public methods (plus ``__init__``/``__call__``/``__new__``) and their
class-level fields; callables give their signature with annotations and defaults as source text
(:func:`signature_parameters` turns it back into a parameter list for comparisons).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

PUBLIC_DUNDERS = frozenset(("__init__", "__call__", "__new__"))
_METHOD_DECORATORS = {"classmethod": "classmethod", "staticmethod": "staticmethod"}
_PROPERTY_DECORATORS = frozenset(("property", "cached_property", "functools.cached_property"))


def first_line(doc: str | None) -> str:
    """The first non-empty line of a docstring ('' when there is none)."""
    for line in (doc or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def _text(node: ast.AST | None) -> str | None:
    return None if node is None else ast.unparse(node)


def parameters(args: ast.arguments) -> list[dict[str, Any]]:
    """Each parameter: name, kind (as inspect names them), annotation and default as source."""
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += args.defaults
    out: list[dict[str, Any]] = []

    def add(arg: ast.arg, kind: str, default: ast.expr | None = None) -> None:
        entry: dict[str, Any] = {"name": arg.arg, "kind": kind}
        if arg.annotation is not None:
            entry["annotation"] = ast.unparse(arg.annotation)
        if default is not None:
            entry["default"] = ast.unparse(default)
        out.append(entry)

    for i, arg in enumerate(positional):
        kind = "positional_only" if i < len(args.posonlyargs) else "positional_or_keyword"
        add(arg, kind, defaults[i])
    if args.vararg is not None:
        add(args.vararg, "var_positional")
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        add(arg, "keyword_only", default)
    if args.kwarg is not None:
        add(args.kwarg, "var_keyword")
    return out


def signature_text(params: list[dict[str, Any]], returns: str | None) -> str:
    """``(a: int, /, b: str = 'x', *, c=1, **kw) -> R`` from :func:`parameters` output."""
    parts: list[str] = []
    kinds = [p["kind"] for p in params]
    for i, param in enumerate(params):
        kind = param["kind"]
        if kind == "keyword_only" and "var_positional" not in kinds and "*" not in parts:
            parts.append("*")
        star = {"var_positional": "*", "var_keyword": "**"}.get(kind, "")
        text = star + param["name"]
        if "annotation" in param:
            text += f": {param['annotation']}"
        if "default" in param:
            text += f" = {param['default']}" if "annotation" in param else f"={param['default']}"
        parts.append(text)
        if kind == "positional_only" and (i + 1 == len(params) or kinds[i + 1] != kind):
            parts.append("/")
    return f"({', '.join(parts)})" + (f" -> {returns}" if returns else "")


def signature_parameters(signature: str) -> list[dict[str, Any]]:
    """:func:`parameters` back from a :func:`signature_text` (contracts store only the text)."""
    tree = ast.parse(f"def _{signature}:\n    pass\n")
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    return parameters(function.args)


def _decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[str]:
    return [ast.unparse(d) for d in node.decorator_list]


def callable_api(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, Any]:
    """Kind, signature, return annotation, decorators and doc of a def."""
    params = parameters(node.args)
    returns = _text(node.returns)
    entry: dict[str, Any] = {
        "kind": "async function" if isinstance(node, ast.AsyncFunctionDef) else "function",
        "signature": signature_text(params, returns),
        "doc": first_line(ast.get_docstring(node)),
    }
    if returns is not None:
        entry["returns"] = returns
    decorators = _decorator_names(node)
    if decorators:
        entry["decorators"] = decorators
    return entry


def _is_overload(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(name.rpartition(".")[2] == "overload" for name in _decorator_names(node))


def class_api(node: ast.ClassDef) -> dict[str, Any]:
    """Bases, doc, public methods (with how they bind) and class-level fields of a class."""
    methods: dict[str, dict[str, Any]] = {}
    fields: dict[str, dict[str, Any]] = {}
    for stmt in _flat_body(node.body):
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            name = stmt.name
            accessor = any(d.endswith((".setter", ".deleter")) for d in _decorator_names(stmt))
            if (
                (name.startswith("_") and name not in PUBLIC_DUNDERS)
                or (_is_overload(stmt) and name in methods)
                or (accessor and name in methods)  # a property's setter: the property stays
            ):
                continue
            method = callable_api(stmt)
            decorators = method.get("decorators", [])
            binding = next(
                (_METHOD_DECORATORS[d] for d in decorators if d in _METHOD_DECORATORS), ""
            )
            if any(d in _PROPERTY_DECORATORS for d in decorators):
                binding = "property"
            method["kind"] = binding or ("async method" if "async" in method["kind"] else "method")
            methods[name] = method
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            if not stmt.target.id.startswith("_"):
                fields[stmt.target.id] = {
                    "annotation": ast.unparse(stmt.annotation),
                    "required": stmt.value is None,
                }
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name) and not target.id.startswith("_"):
                    fields[target.id] = {"required": False}
    entry: dict[str, Any] = {
        "kind": "class",
        "bases": [ast.unparse(b) for b in node.bases],
        "doc": first_line(ast.get_docstring(node)),
        "methods": methods,
        "fields": fields,
    }
    decorators = _decorator_names(node)
    if decorators:
        entry["decorators"] = decorators
    return entry


def _flat_body(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a body, looking through if/try blocks (conditional definitions)."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            yield from _flat_body(stmt.body)
            yield from _flat_body(stmt.orelse)
        elif isinstance(stmt, ast.Try | ast.TryStar):
            yield from _flat_body(stmt.body)
            for handler in stmt.handlers:
                yield from _flat_body(handler.body)
            yield from _flat_body(stmt.orelse)
            yield from _flat_body(stmt.finalbody)
        else:
            yield stmt


def _literal_all(stmt: ast.stmt) -> list[str] | None:
    value = stmt.value if isinstance(stmt, ast.Assign | ast.AugAssign | ast.AnnAssign) else None
    if not isinstance(value, ast.List | ast.Tuple):
        return None
    names = [e.value for e in value.elts if isinstance(e, ast.Constant)]
    return [n for n in names if isinstance(n, str)]


class _ModuleNames:
    """What a module's top level defines, imports and exports."""

    def __init__(self) -> None:
        self.defined: dict[str, dict[str, Any]] = {}
        self.imported: dict[str, str] = {}
        self.exported: list[str] | None = None

    def add(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            if not (_is_overload(stmt) and stmt.name in self.defined):
                self.defined[stmt.name] = callable_api(stmt)
        elif isinstance(stmt, ast.ClassDef):
            self.defined[stmt.name] = class_api(stmt)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                self.imported[alias.asname or alias.name.partition(".")[0]] = alias.name
        elif isinstance(stmt, ast.ImportFrom):
            dots, module = "." * stmt.level, stmt.module
            for alias in stmt.names:
                spelled = f"{dots}{module}.{alias.name}" if module else f"{dots}{alias.name}"
                self.imported[alias.asname or alias.name] = spelled
        elif isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    self._assigned(target.id, stmt)

    def _assigned(self, name: str, stmt: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        if name == "__all__":
            names = _literal_all(stmt)
            if names is not None:
                extend = isinstance(stmt, ast.AugAssign) and self.exported is not None
                self.exported = [*(self.exported or []), *names] if extend else names
        elif isinstance(stmt, ast.AnnAssign):
            self.defined[name] = {"kind": "variable", "annotation": ast.unparse(stmt.annotation)}
        elif name not in self.defined or self.defined[name]["kind"] == "variable":
            self.defined.setdefault(name, {"kind": "variable"})

    def symbols(self) -> dict[str, dict[str, Any]]:
        if self.exported is None:
            return {
                name: entry
                for name, entry in self.defined.items()
                if not name.startswith("_")
                and (name not in self.imported or entry["kind"] != "variable")
            }
        symbols: dict[str, dict[str, Any]] = {}
        for name in self.exported:
            if name in self.defined:
                symbols[name] = self.defined[name]
            elif name in self.imported:
                symbols[name] = {"kind": "reexport", "source": self.imported[name]}
            else:
                symbols[name] = {"kind": "unknown"}
        return symbols


def module_api(source: bytes) -> dict[str, Any]:
    """``{"doc", "exports_all", "symbols"}`` of a module's source; raises SyntaxError."""
    tree = ast.parse(source)
    names = _ModuleNames()
    for stmt in _flat_body(tree.body):
        names.add(stmt)
    return {
        "doc": first_line(ast.get_docstring(tree)),
        "exports_all": names.exported is not None,
        "symbols": names.symbols(),
    }
