"""Render the dependency data exactly as ``json.dumps(indent=2, sort_keys=True)`` would, faster.

The standard encoder falls back to pure Python whenever ``indent`` is set; with thousands of
edges that dominates an unchanged-tree run. Edges have a fixed flat shape of JSON-native values
(:func:`scripts.dependencies.tree.module_edges`), so each is written from a template, strings
escaped by the C encoder json itself uses; anything else goes through ``json.dumps``. The tests
compare both renderings byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from json.encoder import encode_basestring_ascii as quote
from typing import Any

EDGE_KEYS = (
    "conditional",
    "dynamic",
    "end_line",
    "file",
    "guarded",
    "imported",
    "importer",
    "kind",
    "lazy",
    "line",
    "names",
    "type_checking",
)
_KEY_SET = frozenset(EDGE_KEYS)
_BOOL = {True: "true", False: "false"}


def _edge(edge: Mapping[str, Any]) -> str:
    names = edge["names"]
    listed = (
        "[\n" + ",\n".join("        " + quote(n) for n in names) + "\n      ]" if names else "[]"
    )
    return (
        "    {\n"
        f'      "conditional": {_BOOL[edge["conditional"]]},\n'
        f'      "dynamic": {_BOOL[edge["dynamic"]]},\n'
        f'      "end_line": {edge["end_line"]},\n'
        f'      "file": {quote(edge["file"])},\n'
        f'      "guarded": {_BOOL[edge["guarded"]]},\n'
        f'      "imported": {quote(edge["imported"])},\n'
        f'      "importer": {quote(edge["importer"])},\n'
        f'      "kind": {quote(edge["kind"])},\n'
        f'      "lazy": {_BOOL[edge["lazy"]]},\n'
        f'      "line": {edge["line"]},\n'
        f'      "names": {listed},\n'
        f'      "type_checking": {_BOOL[edge["type_checking"]]}\n'
        "    }"
    )


def _nested(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True).replace("\n", "\n  ")


def render(payload: Mapping[str, Any]) -> str:
    """``json.dumps(payload, indent=2, sort_keys=True) + "\\n"``, with a fast path for edges."""
    edges: Sequence[Mapping[str, Any]] = payload.get("edges", ())
    if not isinstance(edges, list) or not edges or any(e.keys() != _KEY_SET for e in edges):
        return json.dumps(payload, indent=2, sort_keys=True) + "\n"
    parts = []
    for key in sorted(payload):
        value = "[\n" + ",\n".join(map(_edge, edges)) + "\n  ]" if key == "edges" else None
        parts.append(f"  {quote(key)}: {value if value is not None else _nested(payload[key])}")
    return "{\n" + ",\n".join(parts) + "\n}\n"
