"""Import cycles of the edge graph: self-imports count; TYPE_CHECKING imports can be left out."""

from __future__ import annotations

from scripts.hotspots.graph import import_cycles
from tests.scripts.hotspots.sample import edge


def test_self_import_is_a_cycle_and_type_checking_can_be_left_out() -> None:
    edges = [
        edge("p.x", "p.x", 4),
        edge("p.y", "p.z", 1),
        edge("p.z", "p.y", 2, type_checking=True),
    ]
    assert [c.modules for c in import_cycles(edges)] == [("p.x",), ("p.y", "p.z")]
    no_tc = import_cycles(edges, include_type_checking=False)
    assert [c.modules for c in no_tc] == [("p.x",)]
