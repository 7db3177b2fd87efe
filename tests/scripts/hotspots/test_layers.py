"""Layers from an import-linter contract, and the imports that go up or across them."""

from __future__ import annotations

from pathlib import Path

from scripts.hotspots.layers import Layer, layer_report, load_layers
from tests.scripts.hotspots.sample import edge

PYPROJECT = """
[tool.importlinter]
root_packages = ["app"]

[[tool.importlinter.contracts]]
id = "independence"
type = "independence"
modules = ["app.a", "app.b"]

[[tool.importlinter.contracts]]
id = "layers"
type = "layers"
containers = ["app"]
layers = ["(cli)", "api | jobs", "domain : models", "util"]
"""


def test_layers_come_from_the_contract_highest_first(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    layers, why = load_layers(tmp_path / "pyproject.toml")
    assert why == ""
    assert layers == [
        Layer(("app.cli",), False),
        Layer(("app.api", "app.jobs"), True),
        Layer(("app.domain", "app.models"), False),
        Layer(("app.util",), False),
    ]


def test_upward_and_sibling_imports_are_violations(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    layers, _ = load_layers(tmp_path / "pyproject.toml")
    edges = [
        edge("app.cli", "app.api.routes", 1),  # down: fine
        edge("app.domain.core", "app.models", 2),  # ":" siblings: fine
        edge("app.util", "app.domain.core", 3),  # up: violation
        edge("app.api.routes", "app.jobs", 4),  # "|" siblings: violation
        edge("app.api.routes", "os", 5, kind="stdlib"),
    ]
    report = layer_report(edges, layers)
    assert [(v["importer"], v["line"]) for v in report["violations"]] == [
        ("app.api.routes", 4),
        ("app.util", 3),
    ]
    assert {(b["from"], b["to"]): b["count"] for b in report["imports_between"]} == {
        (0, 1): 1,
        (3, 2): 1,
    }
    assert [layer["modules"] for layer in report["layers"]] == [1, 2, 2, 1]


def test_no_contract_says_so(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_layers(tmp_path / "pyproject.toml") == (
        [],
        "no layers: pyproject.toml has no import-linter layers contract",
    )
