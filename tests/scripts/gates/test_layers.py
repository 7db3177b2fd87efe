"""QE007 for the imports lint-imports cannot see: dynamic ones and folders without __init__.py."""

from __future__ import annotations

from typing import Any

from scripts.gates.layers import check_layer_edges, unseen_by_lint_imports
from tests.scripts.gates.sources import edge

CONTRACTS: list[dict[str, Any]] = [
    {
        "type": "layers",
        "layers": [
            "(pkg.run_a) | (pkg.run_b)",
            "pkg.api",
            "pkg.models : pkg.features",
            "pkg.config",
        ],
    }
]
PACKAGES = frozenset({"pkg", "pkg.api", "pkg.models", "pkg.config"})


def test_dynamic_and_namespace_folder_imports_are_checked_against_the_layers() -> None:
    edges = [
        edge("pkg.config", "pkg.api", 3, dynamic=True),  # lower imports higher, dynamically
        edge("pkg.models.plain", "pkg.api", 4),  # lint-imports sees this one
        edge("pkg.models.loose.tool", "pkg.api.routes", 5),  # folder without __init__.py
        edge("pkg.run_a", "pkg.run_b", 6, dynamic=True),  # independent siblings
        edge("pkg.api", "pkg.config", 7, dynamic=True),  # downward: fine
        edge("pkg.models.x", "pkg.features.y", 8, dynamic=True),  # ":" siblings: fine
        edge("pkg.config", "pkg.api", 9, dynamic=True, type_checking=True),  # never runs
    ]
    unseen = unseen_by_lint_imports(edges, PACKAGES)
    assert [e["line"] for e in unseen] == [3, 5, 6, 7, 8, 9]
    findings = check_layer_edges(unseen, CONTRACTS)
    assert [(f.code, f.path, f.line) for f in findings] == [
        ("QE007", "pkg/config.py", 3),
        ("QE007", "pkg/models/loose/tool.py", 5),
        ("QE007", "pkg/run_a.py", 6),
    ]
    assert findings[0].message == (
        "pkg.config dynamically imports pkg.api: pkg.config is a lower layer than pkg.api"
    )
    assert "independent" in findings[2].message
