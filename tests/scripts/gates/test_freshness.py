"""QE009 over the edges: only a real difference is stale, and the finding shows a sample."""

from __future__ import annotations

from typing import Any

from scripts.gates.freshness import compare_edges
from tests.scripts.gates.sources import edge

FRESH: dict[str, Any] = {
    "edges": [edge("quant_engine.cli", "quant_engine.config", 12)],
    "errors": [],
    "modules": ["quant_engine.cli", "quant_engine.config"],
}


def test_order_only_changes_are_not_stale() -> None:
    shuffled = {"modules": FRESH["modules"], "errors": [], "edges": FRESH["edges"]}
    assert compare_edges(FRESH, shuffled, "e.json") == []


def test_a_moved_import_is_one_finding_with_a_sample() -> None:
    moved = {**FRESH, "edges": [edge("quant_engine.cli", "quant_engine.config", 13)]}
    [finding] = compare_edges(FRESH, moved, "e.json")
    assert (finding.path, finding.line, finding.code) == ("e.json", 1, "QE009")
    assert "1 import(s) added, 1 removed" in finding.message
    assert "+quant_engine/cli.py:13 quant_engine.cli -> quant_engine.config" in finding.message
    assert "make audit" in finding.fix


def test_other_fields_differing_is_stale_too() -> None:
    [finding] = compare_edges(FRESH, {**FRESH, "errors": ["x.py: bad"]}, "e.json")
    assert "0 import(s) added, 0 removed; other fields differ" in finding.message
