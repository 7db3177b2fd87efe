"""What breaks callers: the parameter comparison rules of the contracts diff."""

from __future__ import annotations

from scripts.contracts.diff import ADDITION, BREAKING, CHANGE, compare_params


def test_parameter_comparison_rules() -> None:
    old = [{"name": "x", "kind": "positional_only"}, {"name": "y", "kind": "keyword_only"}]
    widened = [
        {"name": "x", "kind": "positional_or_keyword"},
        {"name": "y", "kind": "keyword_only"},
    ]
    assert [s for s, _ in compare_params(old, widened)] == [CHANGE]
    optional = [*old, {"name": "z", "kind": "keyword_only", "default": "None"}]
    assert [s for s, _ in compare_params(old, optional)] == [ADDITION]
    swapped = [{"name": "y", "kind": "keyword_only"}, {"name": "x", "kind": "positional_only"}]
    assert [s for s, _ in compare_params(old, swapped)] == []  # keyword order is free
    moved = [{"name": "a", "kind": "positional_only"}, *old]
    assert {s for s, _ in compare_params(old, moved)} == {BREAKING}
