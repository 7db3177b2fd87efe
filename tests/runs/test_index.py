"""Summary rows: flattened settings and metrics of the manifests in a folder."""

from __future__ import annotations

from quant_engine.runs.index import flatten_scalars


def test_flatten_scalars_joins_scalar_lists_and_drops_nested_lists() -> None:
    flat = flatten_scalars({"a": {"b": 1, "c": [1, 2]}, "d": [{"x": 1}], "e": None})
    assert flat == {"a.b": 1, "a.c": "1,2", "e": None}
