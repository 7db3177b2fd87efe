"""Render JSON Schema definitions as TypeScript declarations: a small, pure, deterministic emitter.

Rules (what generic JSON-Schema-to-TypeScript tools get wrong for Pydantic output):
``required`` decides ``?`` and nothing else, so a nullable field is ``T | null`` and an optional one
``x?: T``; a ``$ref`` always renders as the referenced declaration's name (a sibling
``description`` never creates a numbered copy); ``prefixItems`` become TS tuples; enums become a
string-literal union type plus an ``as const`` object of their member names (never ``const
enum``); ``additionalProperties`` becomes ``Record<K, V>``; anything unconstrained is ``unknown``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

DeclarationKind = Literal["interface", "alias", "enum"]

_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_REF_PREFIX = "#/$defs/"


@dataclass(frozen=True)
class RefTarget:
    """What a ``$ref`` to one definition renders as: a name, with generic arguments if any."""

    name: str
    args: tuple[Any, ...] = ()
    """JSON schemas of the type arguments, rendered in place (``ApiResponse<BacktestSummary>``)."""
    type_params: tuple[str, ...] = ()
    """A generic's own type parameters, for a reference from inside it (``Tree<T>``)."""


@dataclass(frozen=True)
class Declaration:
    """One exported TypeScript declaration and the JSON schema it is rendered from."""

    name: str
    kind: DeclarationKind
    schema: Mapping[str, Any]
    type_params: tuple[str, ...] = ()
    members: tuple[tuple[str, Any], ...] = ()
    """Enum member names and values, in definition order (only for ``kind="enum"``)."""
    section: str = ""
    """Heading of the group the declaration is printed under (the Python module)."""


def emit_typescript(
    declarations: Sequence[Declaration],
    references: Mapping[str, RefTarget],
    banner: Sequence[str],
) -> str:
    """The whole ``.ts`` file: banner comment lines, then every declaration, grouped by section."""
    lines = [f"// {line}" if line else "//" for line in banner]
    section: str | None = None
    for decl in declarations:
        if decl.section != section:
            section = decl.section
            lines += ["", f"// ---- {section} ----"] if section else [""]
        lines.append("")
        lines += render_declaration(decl, references)
    return "\n".join(lines).rstrip("\n") + "\n"


def render_declaration(decl: Declaration, references: Mapping[str, RefTarget]) -> list[str]:
    """Lines of one declaration, with its description and formats as JSDoc."""
    schema = decl.schema
    doc = jsdoc(_doc_lines(schema, formats=decl.kind == "alias"), "")
    if decl.kind == "enum":
        values = [value for _, value in decl.members]
        union = join_union([literal(v) for v in values]) if values else "never"
        body = [f"  {property_key(name)}: {literal(value)}," for name, value in decl.members]
        return [
            *doc,
            f"export type {decl.name} = {union};",
            f"export const {decl.name} = {{",
            *body,
            "} as const;",
        ]
    params = f"<{', '.join(decl.type_params)}>" if decl.type_params else ""
    if decl.kind == "alias":
        return [*doc, f"export type {decl.name}{params} = {render_type(schema, references)};"]
    return [*doc, f"export interface {decl.name}{params} {{", *_members(schema, references), "}"]


def _members(
    schema: Mapping[str, Any], references: Mapping[str, RefTarget], *, docs: bool = True
) -> list[str]:
    required = set(schema.get("required", ()))
    lines: list[str] = []
    for name, sub in schema.get("properties", {}).items():
        optional = name not in required
        if docs:
            lines += jsdoc(_doc_lines(sub, formats=True, default=optional), "  ")
        mark = "?" if optional else ""
        lines.append(f"  {property_key(name)}{mark}: {render_type(sub, references)};")
    extra = schema.get("additionalProperties")
    if extra not in (None, False):
        lines.append("  [key: string]: unknown;")
    return lines


def render_type(schema: Any, references: Mapping[str, RefTarget]) -> str:
    """The TypeScript type expression of one JSON schema."""
    if not isinstance(schema, Mapping):
        return "never" if schema is False else "unknown"
    if "$ref" in schema:
        return render_ref(schema["$ref"], references)
    combined = _combination(schema, references)
    return combined if combined is not None else _by_type(schema, references)


def _combination(schema: Mapping[str, Any], references: Mapping[str, RefTarget]) -> str | None:
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return join_union([render_type(s, references) for s in schema[key]])
    if "allOf" in schema:
        parts = [render_type(s, references) for s in schema["allOf"]]
        return parts[0] if len(parts) == 1 else " & ".join(_paren(p) for p in parts)
    if "const" in schema:
        return literal(schema["const"])
    if "enum" in schema:
        return join_union([literal(v) for v in schema["enum"]])
    return None


def _by_type(schema: Mapping[str, Any], references: Mapping[str, RefTarget]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        return join_union([render_type({**schema, "type": k}, references) for k in kind])
    if kind == "array":
        return _array(schema, references)
    if kind == "object" or "properties" in schema or "additionalProperties" in schema:
        return _object(schema, references)
    return _PRIMITIVES.get(kind, "unknown") if isinstance(kind, str) else "unknown"


_PRIMITIVES = {"string": "string", "integer": "number", "number": "number"}
_PRIMITIVES |= {"boolean": "boolean", "null": "null"}


def render_ref(ref: str, references: Mapping[str, RefTarget]) -> str:
    """A ``#/$defs/Name`` reference as the name (and type arguments) of its declaration."""
    if not ref.startswith(_REF_PREFIX) or ref[len(_REF_PREFIX) :] not in references:
        raise ValueError(f"unresolved JSON Schema reference {ref!r}")
    target = references[ref[len(_REF_PREFIX) :]]
    if not target.args:
        params = f"<{', '.join(target.type_params)}>" if target.type_params else ""
        return target.name + params
    return f"{target.name}<{', '.join(render_type(a, references) for a in target.args)}>"


def _array(schema: Mapping[str, Any], references: Mapping[str, RefTarget]) -> str:
    items = schema.get("items")
    prefix = schema.get("prefixItems")
    if prefix is None:
        if items is None and schema.get("maxItems") == 0:
            return "[]"  # the empty tuple
        return f"{_paren(render_type(items, references))}[]"
    elements = [render_type(s, references) for s in prefix]
    closed = items is False or schema.get("maxItems") == len(prefix)
    if not closed:
        elements.append(f"...{_paren(render_type(items, references))}[]")
    return f"[{', '.join(elements)}]"


def _object(schema: Mapping[str, Any], references: Mapping[str, RefTarget]) -> str:
    extra = schema.get("additionalProperties")
    value = "never" if extra is False else render_type(extra, references)
    properties = schema.get("properties")
    if properties:
        inner = _members(schema, references, docs=False)
        return "{ " + " ".join(line.strip() for line in inner) + " }"
    names = schema.get("propertyNames")
    key = "string" if names is None else render_type(names, references)
    if key in ("string", "unknown"):  # a date or other formatted key is a string on the wire
        return f"Record<string, {value}>"
    # JSON keys are strings: an integer enum key 1 arrives as "1"
    return f"Partial<Record<`${{{key}}}`, {value}>>"


def join_union(parts: Iterable[str]) -> str:
    """``A | B`` without duplicates, ``null`` last; ``unknown`` absorbs everything."""
    unique = list(dict.fromkeys(p for p in parts if p != "never"))
    if "unknown" in unique:
        return "unknown"
    ordered = [p for p in unique if p != "null"] + (["null"] if "null" in unique else [])
    return " | ".join(ordered) if ordered else "never"


def _paren(text: str) -> str:
    return f"({text})" if (" | " in text or " & " in text) and not text.startswith("[") else text


def literal(value: Any) -> str:
    """A JSON value as a TypeScript literal type or expression."""
    return json.dumps(value, ensure_ascii=False)


def property_key(name: str) -> str:
    """A property name, quoted when it is not a plain identifier."""
    return name if _IDENTIFIER.match(name) else json.dumps(name, ensure_ascii=False)


def _doc_lines(schema: Any, *, formats: bool, default: bool = False) -> list[str]:
    if not isinstance(schema, Mapping):
        return []
    lines = str(schema.get("description", "")).strip().splitlines()
    if formats:
        lines += [f"@format {f}" for f in sorted(set(collect_formats(schema)))]
    if default and "default" in schema:
        lines.append(f"@default {literal(schema['default'])}")
    if schema.get("deprecated"):
        lines.append("@deprecated")
    return lines


def collect_formats(schema: Any) -> list[str]:
    """Every ``format`` in a schema and its inline sub-schemas (``$ref`` targets excluded)."""
    found: list[str] = []
    if isinstance(schema, Mapping):
        if isinstance(schema.get("format"), str):
            found.append(schema["format"])
        for key, value in schema.items():
            if key not in ("format", "default", "examples", "const", "enum"):
                found += collect_formats(value)
    elif isinstance(schema, list):
        for item in schema:
            found += collect_formats(item)
    return found


def jsdoc(lines: Sequence[str], indent: str) -> list[str]:
    """A JSDoc block (one line when short), with ``*/`` escaped."""
    clean = [line.rstrip().replace("*/", "*\\/") for line in lines]
    if not clean:
        return []
    if len(clean) == 1:
        return [f"{indent}/** {clean[0]} */"]
    return [f"{indent}/**", *[f"{indent} * {c}".rstrip() for c in clean], f"{indent} */"]
