"""The hotspot outputs: the Markdown lists cycles with imports to break and layer violations;
the pictures are reproducible and show what they claim."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scripts.hotspots.layers import layer_report, load_layers
from scripts.hotspots.report import render_chart, render_layers, render_markdown
from scripts.hotspots.scoring import score_hotspots
from tests.scripts.hotspots.sample import EDGES, edge

CONTRACT = """[[tool.importlinter.contracts]]
type = "layers"
layers = ["pkg.c", "pkg.a", "pkg.b"]
"""


def report_with_layers(history_repo: Path) -> dict[str, Any]:
    (history_repo / "pyproject.toml").write_text(CONTRACT)
    return score_hotspots(EDGES, history_repo)


def test_markdown_lists_cycle_breakers_and_layer_violations(history_repo: Path) -> None:
    table = render_markdown(report_with_layers(history_repo), top=3)
    assert "- pkg.a ↔ pkg.b" in table
    assert "remove (grimp `nominate_cycle_breakers`): pkg.b → pkg.a" in table
    assert "## Layer violations\n\n- `pkg/b.py:2` pkg.b → pkg.a\n" in table  # b is below a
    assert "Window: 5 commits over 4 days of git history, up to HEAD" in table


def test_pictures_are_reproducible_and_mark_violations(history_repo: Path) -> None:
    report = report_with_layers(history_repo)
    chart = render_chart(report, 3)
    assert chart == render_chart(report, 3)
    assert chart.startswith(b"\x89PNG")
    assert b"Software" not in chart
    assert b"matplotlib" not in chart
    layers = render_layers(report)
    assert layers == render_layers(report)
    contract, _ = load_layers(history_repo / "pyproject.toml")
    clean = [e for e in EDGES if e["importer"] != "pkg.b"] + [edge("pkg.b", "os", 1, "stdlib")]
    without = {**report, "layers": layer_report(clean, contract), "cycles": []}
    assert without["layers"]["violations"] == []
    assert render_layers(without) != layers  # the red arc and the cycle marks are drawn
