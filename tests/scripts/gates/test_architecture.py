"""The architecture gates: QE007 (import-linter layers, run for real) and QE008 (cycles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.gates.architecture import (
    check_import_cycles,
    check_layer_coverage,
    lint_imports,
    parse_lint_imports,
)
from scripts.gates.findings import Finding
from tests.scripts.gates.sources import edge


def codes_and_lines(findings: list[Finding]) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in findings]


# --- QE007: architecture -----------------------------------------------------------------------

LINT_OUTPUT = """\
Layers BROKEN

Contracts: 0 kept, 2 broken.

----------------
Broken contracts
----------------

Layers
------

pkg.low is not allowed to import pkg.high:

- pkg.low -> pkg.high.x (l.2)


Forbid
------

pkg.low is not allowed to import pkg.high.z:

-   pkg.low -> pkg.high.x (l.2, l.9)
    pkg.high.x -> pkg.high.z (l.6)
"""


def test_lint_imports_report_becomes_one_finding_per_chain() -> None:
    findings = parse_lint_imports(LINT_OUTPUT, {"pkg.low": "pkg/low/__init__.py"})
    assert codes_and_lines(findings) == [("QE007", 2), ("QE007", 2)]
    assert {f.path for f in findings} == {"pkg/low/__init__.py"}
    assert findings[1].message.endswith("pkg.low -> pkg.high.x -> pkg.high.z")


def seeded_package(root: Path, *, violate: bool) -> Path:
    (root / "seeded" / "low").mkdir(parents=True)
    (root / "seeded" / "high").mkdir()
    (root / "seeded" / "__init__.py").write_text("")
    (root / "seeded" / "high" / "__init__.py").write_text("from seeded import low\n")
    low = "import os\n\n\ndef f():\n    from seeded import high\n" if violate else "import os\n"
    (root / "seeded" / "low" / "__init__.py").write_text(low)
    (root / "pyproject.toml").write_text(
        '[tool.importlinter]\nroot_packages = ["seeded"]\n\n'
        '[[tool.importlinter.contracts]]\nname = "layers"\ntype = "layers"\n'
        'layers = ["seeded.high", "seeded.low"]\n'
    )
    return root


@pytest.mark.parametrize("violate", [True, False])
def test_lint_imports_runs_the_contracts_and_lazy_imports_count(
    tmp_path: Path, violate: bool
) -> None:
    root = seeded_package(tmp_path, violate=violate)
    findings = lint_imports(root, {"seeded.low": "seeded/low/__init__.py"})
    expected = [("seeded/low/__init__.py", 5, "QE007")] if violate else []
    assert [(f.path, f.line, f.code) for f in findings] == expected


def test_every_top_level_module_must_sit_in_a_layer() -> None:
    contracts = [
        {"type": "forbidden", "source_modules": ["quant_engine.new"]},
        {
            "type": "layers",
            "layers": [
                "(quant_engine.run_a) | quant_engine.api",
                "quant_engine.x : quant_engine.y",
            ],
        },
    ]
    modules = {m: set() for m in ("quant_engine.api", "quant_engine.run_a", "quant_engine.y")}
    modules["quant_engine.new"] = set()
    findings = check_layer_coverage(modules, contracts)
    assert [(f.path, f.code) for f in findings] == [("quant_engine/new.py", "QE007")]


def test_layer_coverage_accepts_a_package_split_across_layers() -> None:
    contracts = [{"type": "layers", "layers": ["quant_engine.u.facade", "quant_engine.u.low"]}]
    split = {"quant_engine.u": {"quant_engine.u.facade", "quant_engine.u.low"}}
    assert check_layer_coverage(split, contracts) == []
    split["quant_engine.u"].add("quant_engine.u.stray")
    assert [f.message for f in check_layer_coverage(split, contracts)] == [
        "quant_engine.u is in no import-linter layer"
    ]


# --- QE008: cycles -----------------------------------------------------------------------------


def test_import_cycle_inside_the_package_names_each_import_line() -> None:
    edges = [
        edge("quant_engine.a", "quant_engine.b", 3),
        edge("quant_engine.b", "quant_engine.a", 40, lazy=True),
        edge("quant_engine.b", "quant_engine.c", 5),
        edge("scripts.x", "scripts.y", 1),
        edge("scripts.y", "scripts.x", 1),
    ]
    findings = check_import_cycles(edges)
    assert [(f.path, f.line, f.code) for f in findings] == [
        ("quant_engine/a.py", 3, "QE008"),
        ("quant_engine/b.py", 40, "QE008"),
    ]
    assert "quant_engine.a ↔ quant_engine.b" in findings[0].message


def test_type_checking_import_does_not_make_a_cycle() -> None:
    edges = [
        edge("quant_engine.a", "quant_engine.b", 3),
        edge("quant_engine.b", "quant_engine.a", 4, type_checking=True),
    ]
    assert check_import_cycles(edges) == []
