"""Import cycles of the edge graph: self-imports count; TYPE_CHECKING imports can be left out."""

from __future__ import annotations

from scripts.hotspots.graph import cycle_breakers, import_cycles
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


def test_each_cycle_gets_imports_to_break_it_that_do_break_it() -> None:
    edges = [
        edge("p.x", "p.x", 4),
        edge("p.a", "p.b", 1),
        edge("p.b", "p.c", 1),
        edge("p.c", "p.a", 1),
        edge("p.c", "p.a", 7, lazy=True),
        edge("p.d", "p.a", 1),
        edge("q.u", "q.v.w", 1),
        edge("q.v.w", "q.u", 2),
    ]
    cycles = import_cycles(edges)
    breakers = cycle_breakers(edges, cycles)
    assert [c.modules for c in cycles] == [("p.a", "p.b", "p.c"), ("p.x",), ("q.u", "q.v.w")]
    assert breakers[1] == [("p.x", "p.x")]
    for cycle, suggested in zip(cycles, breakers, strict=True):
        assert suggested, cycle.modules
        pairs = {(s["importer"], s["imported"]) for s in cycle.imports}
        assert set(suggested) <= pairs  # an import of the cycle itself
        rest = [e for e in edges if (e["importer"], e["imported"]) not in set(suggested)]
        assert not {cycle.modules} & {c.modules for c in import_cycles(rest)}
