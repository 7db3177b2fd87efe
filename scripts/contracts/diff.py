"""Compare two interface contracts: what breaks callers, what is new, what merely changed.

Breaking: a module, symbol, method or field removed; a parameter removed or renamed, moved, made
required (new without default, or default dropped), its default changed, or its kind narrowed
(e.g. positional → keyword-only); a symbol's kind changed; a new required class field.
Additions: a new module, symbol, method, optional parameter or optional field. Everything else
that differs (annotations, return types, a kind widened, a re-export turned into a definition)
is reported as a change, for information.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from scripts.contracts.api import signature_parameters

BREAKING, ADDITION, CHANGE = "BREAKING", "added", "changed"
_VARIADIC = frozenset(("var_positional", "var_keyword"))
_POSITIONAL = frozenset(("positional_only", "positional_or_keyword"))
_WIDENINGS = frozenset(
    (
        ("positional_only", "positional_or_keyword"),
        ("keyword_only", "positional_or_keyword"),
    )
)
_CALLABLE_KINDS = frozenset(
    ("function", "async function", "method", "async method", "classmethod", "staticmethod")
)

_INDIRECT_KINDS = frozenset(("reexport", "unknown"))

Entry = Mapping[str, Any]


class Change(NamedTuple):
    """One difference, located as ``file:symbol``."""

    severity: str
    file: str
    symbol: str
    message: str

    def render(self) -> str:
        """``BREAKING quant_engine/cli.py:new_parser: parameter 'prog' removed``."""
        where = f"{self.file}:{self.symbol}" if self.symbol else self.file
        return f"{self.severity} {where}: {self.message}"


def _positions(params: Sequence[Entry]) -> dict[str, int]:
    positional = [p["name"] for p in params if p["kind"] in _POSITIONAL]
    return {name: i for i, name in enumerate(positional)}


def compare_params(old: Sequence[Entry], new: Sequence[Entry]) -> list[tuple[str, str]]:
    """``(severity, message)`` for each difference between two parameter lists."""
    out: list[tuple[str, str]] = []
    old_by, new_by = {p["name"]: p for p in old}, {p["name"]: p for p in new}
    old_pos, new_pos = _positions(old), _positions(new)
    renamed: set[str] = set()
    for index, param in enumerate(old):
        name = param["name"]
        if name in new_by:
            out += _compare_param(param, new_by[name], old_pos.get(name), new_pos.get(name))
            continue
        match = new[index] if index < len(new) else None
        if match is not None and match["name"] not in old_by and match["kind"] == param["kind"]:
            renamed.add(match["name"])
            out.append((BREAKING, f"parameter '{name}' renamed to '{match['name']}'"))
        else:
            out.append((BREAKING, f"parameter '{name}' removed"))
    for param in new:
        name = param["name"]
        if name in old_by or name in renamed:
            continue
        if param["kind"] in _VARIADIC or "default" in param:
            out.append((ADDITION, f"new optional parameter '{name}'"))
        else:
            out.append((BREAKING, f"new required parameter '{name}'"))
    return out


def _compare_param(
    old: Entry, new: Entry, old_pos: int | None, new_pos: int | None
) -> list[tuple[str, str]]:
    name, out = old["name"], []
    if old["kind"] != new["kind"]:
        severity = CHANGE if (old["kind"], new["kind"]) in _WIDENINGS else BREAKING
        out.append((severity, f"parameter '{name}' kind {old['kind']} → {new['kind']}"))
    elif old_pos is not None and new_pos is not None and old_pos != new_pos:
        out.append((BREAKING, f"parameter '{name}' moved from position {old_pos} to {new_pos}"))
    if "default" in old and "default" not in new:
        out.append((BREAKING, f"parameter '{name}' is now required (default removed)"))
    elif "default" in new and "default" not in old:
        out.append((ADDITION, f"parameter '{name}' is now optional (default {new['default']})"))
    elif old.get("default") != new.get("default"):
        out.append(
            (BREAKING, f"default of '{name}' changed from {old['default']} to {new['default']}")
        )
    if old.get("annotation") != new.get("annotation"):
        out.append(
            (CHANGE, f"annotation of '{name}': {old.get('annotation')} → {new.get('annotation')}")
        )
    return out


def _params(entry: Entry) -> list[Entry]:
    try:
        return list(signature_parameters(str(entry.get("signature", "()"))))
    except SyntaxError:
        return []


def compare_callables(old: Entry, new: Entry) -> list[tuple[str, str]]:
    """Differences between two functions or methods."""
    out = compare_params(_params(old), _params(new))
    if old.get("returns") != new.get("returns"):
        out.append((CHANGE, f"return annotation {old.get('returns')} → {new.get('returns')}"))
    return out


def compare_classes(old: Entry, new: Entry) -> list[tuple[str, str, str]]:
    """``(member, severity, message)`` for methods and fields of two versions of a class."""
    out: list[tuple[str, str, str]] = []
    old_methods, new_methods = old.get("methods", {}), new.get("methods", {})
    for name, method in old_methods.items():
        if name not in new_methods:
            out.append((name, BREAKING, "method removed"))
            continue
        out += [(name, s, m) for s, m in compare_symbols(method, new_methods[name])]
    out += [(name, ADDITION, "new method") for name in new_methods.keys() - old_methods.keys()]
    old_fields, new_fields = old.get("fields", {}), new.get("fields", {})
    for name in old_fields.keys() - new_fields.keys():
        out.append((name, BREAKING, "field removed"))
    for name, field in new_fields.items():
        before = old_fields.get(name)
        if before is None:
            severity = BREAKING if field.get("required") else ADDITION
            label = "required" if field.get("required") else "optional"
            out.append((name, severity, f"new {label} field"))
        elif field.get("required") and not before.get("required"):
            out.append((name, BREAKING, "field is now required (default removed)"))
    return out


def compare_symbols(old: Entry, new: Entry) -> list[tuple[str, str]]:
    """Differences between two versions of one symbol (not its members)."""
    if old.get("kind") != new.get("kind"):
        # A re-export becoming a local definition (or back) keeps the name usable.
        moved = {old.get("kind"), new.get("kind")} & _INDIRECT_KINDS
        severity = CHANGE if moved else BREAKING
        return [(severity, f"kind changed from {old.get('kind')} to {new.get('kind')}")]
    if old.get("kind") in _CALLABLE_KINDS:
        return compare_callables(old, new)
    return []


def compare(old: Entry, new: Entry) -> list[Change]:
    """Every difference between two contracts (``{"modules": {...}}``), breaking first."""
    changes: list[Change] = []
    old_modules, new_modules = old.get("modules", {}), new.get("modules", {})
    for name, module in old_modules.items():
        file = module.get("file", name)
        if name not in new_modules:
            changes.append(Change(BREAKING, file, "", f"module {name} removed"))
            continue
        changes += _compare_module(file, module, new_modules[name])
    for name in new_modules.keys() - old_modules.keys():
        changes.append(Change(ADDITION, new_modules[name].get("file", name), "", "new module"))
    order = {BREAKING: 0, CHANGE: 1, ADDITION: 2}
    return sorted(changes, key=lambda c: (order[c.severity], c.file, c.symbol, c.message))


def _compare_module(file: str, old: Entry, new: Entry) -> list[Change]:
    changes: list[Change] = []
    old_symbols, new_symbols = old.get("symbols", {}), new.get("symbols", {})
    for name, symbol in old_symbols.items():
        if name not in new_symbols:
            changes.append(Change(BREAKING, file, name, f"{symbol.get('kind', 'symbol')} removed"))
            continue
        current = new_symbols[name]
        changes += [Change(s, file, name, m) for s, m in compare_symbols(symbol, current)]
        if symbol.get("kind") == "class" == current.get("kind"):
            changes += [
                Change(s, file, f"{name}.{member}", m)
                for member, s, m in compare_classes(symbol, current)
            ]
    for name in new_symbols.keys() - old_symbols.keys():
        changes.append(Change(ADDITION, file, name, f"new {new_symbols[name].get('kind')}"))
    return changes
