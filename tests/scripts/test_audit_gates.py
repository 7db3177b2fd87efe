"""Each hygiene gate fails on a seeded violation (inline source) and passes on clean code."""

from __future__ import annotations

import argparse
import ast
import json
import textwrap
from pathlib import Path

import pytest

from quant_engine import cli, config, layout
from scripts import audit_gates
from scripts.audit_gate_checks import (
    Finding,
    check_cli_consistency,
    check_entry_bootstrap,
    check_entry_manifest,
    check_path_literals,
    check_private_attributes,
    check_private_imports,
)
from scripts.audit_gates import (
    check_import_cycles,
    check_layer_coverage,
    format_findings,
    parse_lint_imports,
)

ENTRY_HEAD = '''\
"""A clean entry point."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

if not __package__:  # run as a file: put the package's parent on sys.path, never its folder
    sys.path[:] = [str(Path(__file__).resolve().parents[1])] + [
        p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent
    ]

'''
ENTRY_BODY = """\
from quant_engine import cli
from quant_engine.entrypoint import RunReport, run_entry_point


def build_parser() -> argparse.ArgumentParser:
    parser = cli.new_parser("qe-good", "good")
    cli.add_data_flags(parser)
    cli.add_feature_mode(parser)
    cli.add_run_flags(parser)
    return parser


def job(args, run):
    return RunReport(title="ok")


def main(argv: Sequence[str] | None = None) -> int:
    return run_entry_point("run_good", build_parser, argv, job)
"""


def parse(source: str) -> ast.Module:
    return ast.parse(textwrap.dedent(source))


def codes_and_lines(findings: list[Finding]) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in findings]


# --- QE001 / QE002: private API ----------------------------------------------------------------


def test_private_name_imported_from_another_module_is_flagged() -> None:
    tree = parse(
        """
        from __future__ import annotations
        from quant_engine.data.local_cache import _write_meta, normalize
        from . import _helpers
        from .sibling import __version__, public_name
        """
    )
    findings = check_private_imports(tree, "m.py")
    assert codes_and_lines(findings) == [("QE001", 3), ("QE001", 4)]
    assert "'_write_meta'" in findings[0].message
    assert "from ." in findings[1].message
    assert "write_meta" in findings[0].fix


def test_private_attribute_of_another_object_is_flagged_but_own_and_allowed_are_not() -> None:
    tree = parse(
        """
        import os, sys

        class Local:
            _registry = {}

            def method(self, other, point):
                self._cache = super()._load() or Local._registry
                point._replace(x=1)
                other.__dict__
                return other._cache

        def outside(trigger):
            trigger._save_metadata()
            sys._getframe(0)
            os._exit(0)
        """
    )
    findings = check_private_attributes(tree, "m.py")
    assert codes_and_lines(findings) == [("QE002", 11), ("QE002", 14), ("QE002", 15)]
    assert "'_save_metadata' of 'trigger'" in findings[1].message


def test_private_attribute_allow_list_can_be_extended() -> None:
    tree = parse("def f(frame):\n    return frame._secret\n")
    assert check_private_attributes(tree, "m.py", allowed={"frame._secret": "reason"}) == []
    assert len(check_private_attributes(tree, "m.py")) == 1


def test_private_import_allow_list_names_module_and_name() -> None:
    tree = parse("from grimp import _rustgrimp\nfrom grimp import _other\n")
    findings = check_private_imports(tree, "m.py")
    assert [f.message for f in findings] == ["imports private name '_other' from grimp"]
    assert len(check_private_imports(tree, "m.py", allowed={})) == 2


# --- QE003 / QE004: entry points ---------------------------------------------------------------


def test_entry_point_with_the_uniform_bootstrap_passes() -> None:
    tree = ast.parse(ENTRY_HEAD + ENTRY_BODY)
    assert check_entry_bootstrap(tree, "quant_engine/run_good.py") == []
    assert check_entry_manifest(tree, "quant_engine/run_good.py") == []


def test_entry_point_with_an_old_style_path_insert_is_flagged() -> None:
    source = (
        '"""Old style."""\nimport sys\nsys.path.insert(0, "..")\nfrom quant_engine import cli\n'
    )
    findings = check_entry_bootstrap(ast.parse(source), "quant_engine/run_old.py")
    assert codes_and_lines(findings) == [("QE003", 3)]
    assert "uniform bootstrap" in findings[0].message


def test_entry_point_bootstrap_must_match_exactly_and_be_the_only_path_edit() -> None:
    altered = ENTRY_HEAD.replace("parents[1]", "parents[2]") + ENTRY_BODY
    assert [f.code for f in check_entry_bootstrap(ast.parse(altered), "r.py")] == ["QE003"]
    extra = ENTRY_HEAD + "sys.path.append('/opt')\n" + ENTRY_BODY
    findings = check_entry_bootstrap(ast.parse(extra), "r.py")
    assert [(f.line, "outside" in f.message) for f in findings] == [(15, True)]


def test_entry_point_without_run_entry_point_writes_no_manifest() -> None:
    body = ENTRY_BODY.replace('run_entry_point("run_good", build_parser, argv, job)', "0")
    body = body.replace("def main(", "def other(")
    findings = check_entry_manifest(ast.parse(ENTRY_HEAD + body), "quant_engine/run_x.py")
    messages = " | ".join(f.message for f in findings)
    assert [f.code for f in findings] == ["QE004", "QE004"]
    assert "main()" in messages
    assert "manifest" in messages


# --- QE005: CLI consistency --------------------------------------------------------------------


def engine_parser(years: int = config.LOOKBACK_YEARS) -> argparse.ArgumentParser:
    parser = cli.new_parser("qe-x", "x")
    cli.add_data_flags(parser, years_default=years)
    cli.add_feature_mode(parser)
    cli.add_run_flags(parser)
    return parser


def test_parsers_built_from_the_shared_flags_are_consistent() -> None:
    parsers = {
        "run_train": engine_parser(),
        "run_backtest": engine_parser(),
        "run_predict": engine_parser(config.PREDICT_LOOKBACK_YEARS),
    }
    assert check_cli_consistency(parsers) == []


def test_years_default_must_come_from_config() -> None:
    parsers = {
        "run_train": engine_parser(),
        "run_backtest": engine_parser(years=config.LOOKBACK_YEARS + 1),
        "run_predict": engine_parser(),  # should use PREDICT_LOOKBACK_YEARS
    }
    findings = check_cli_consistency(parsers, lines={"run_predict": 21})
    assert [(f.path, f.line) for f in findings] == [
        ("quant_engine/run_backtest.py", 1),
        ("quant_engine/run_predict.py", 21),
    ]
    assert all("--years" in f.message and f.code == "QE005" for f in findings)


def test_feature_mode_must_offer_every_config_mode() -> None:
    narrow = cli.new_parser("qe-p", "p")
    narrow.add_argument("--feature-mode", choices=["core", "full"], default="core")
    findings = check_cli_consistency({"run_train": engine_parser(), "run_predict": narrow})
    assert {f.path for f in findings} == {"quant_engine/run_predict.py"}
    assert "'minimal'" in findings[0].message


@pytest.mark.parametrize(
    ("flag", "kwargs"),
    [
        ("--seed", {"type": int, "default": 7}),
        ("--tickers", {"type": str, "default": config.DEFAULT_UNIVERSE}),
        ("--data-source", {"choices": ["sample"], "default": "sample"}),
    ],
)
def test_a_shared_flag_defined_differently_is_flagged(flag: str, kwargs: dict) -> None:
    odd = cli.new_parser("qe-odd", "odd")
    odd.add_argument(flag, **kwargs)
    parsers = {"run_a": engine_parser(), "run_b": engine_parser(), "run_odd": odd}
    findings = check_cli_consistency(parsers)
    assert [(f.path, f.code) for f in findings] == [("quant_engine/run_odd.py", "QE005")]
    assert flag in findings[0].message
    assert "run_a, run_b" in findings[0].message


# --- QE006: canonical paths --------------------------------------------------------------------


def test_spelled_canonical_path_is_flagged_in_code_and_docstrings() -> None:
    name = layout.DEPENDENCY_EDGES_NAME
    source = f'"""Reads {name}."""\nfrom quant_engine import layout\nP = "data/{name}"\n'
    findings = check_path_literals(ast.parse(source), "s.py", layout.canonical_path_fragments())
    assert codes_and_lines(findings) == [("QE006", 1), ("QE006", 3)]
    clean = "from quant_engine import layout\nP = layout.dependency_edges_path()\n"
    assert check_path_literals(ast.parse(clean), "s.py", layout.canonical_path_fragments()) == []


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
    findings = audit_gates.lint_imports(root, {"seeded.low": "seeded/low/__init__.py"})
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


def edge(importer: str, imported: str, line: int, **flags: bool) -> dict:
    file = importer.replace(".", "/") + ".py"
    return {
        "importer": importer,
        "imported": imported,
        "kind": "internal",
        "line": line,
        "file": file,
        "lazy": False,
        "type_checking": False,
        **flags,
    }


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


# --- output formats ----------------------------------------------------------------------------

FINDINGS = [
    Finding("quant_engine/a.py", 3, "QE001", "imports private name '_x'", "make 'x' public"),
    Finding("odd,name.py", 7, "QE006", "100% bad\nsecond line", "use layout"),
]


def test_text_format_is_path_line_code_message_fix() -> None:
    lines = format_findings(FINDINGS, "text").splitlines()
    assert lines[0] == "quant_engine/a.py:3: QE001 imports private name '_x' (fix: make 'x' public)"


def test_json_format_is_machine_readable() -> None:
    document = json.loads(format_findings(FINDINGS, "json"))
    assert document["count"] == 2
    assert document["findings"][0] == {
        "path": "quant_engine/a.py",
        "line": 3,
        "code": "QE001",
        "message": "imports private name '_x'",
        "fix": "make 'x' public",
    }


def test_github_format_emits_escaped_error_annotations() -> None:
    lines = format_findings(FINDINGS, "github").splitlines()
    assert lines[0] == (
        "::error file=quant_engine/a.py,line=3,title=QE001::"
        "QE001 imports private name '_x' (fix: make 'x' public)"
    )
    assert lines[1].startswith("::error file=odd%2Cname.py,line=7,title=QE006::")
    assert "100%25 bad%0Asecond line" in lines[1]
    assert len(lines) == 2


# --- the runner over a tree --------------------------------------------------------------------


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


PYPROJECT = (
    '[[tool.importlinter.contracts]]\nname = "l"\ntype = "layers"\n'
    'layers = ["(quant_engine.run_good) | (quant_engine.run_bad)", "quant_engine.tools"]\n'
)


def test_runner_passes_a_clean_tree(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "quant_engine/run_good.py": ENTRY_HEAD + ENTRY_BODY,
            "quant_engine/tools.py": "from quant_engine import layout\nP = layout.audit_dir()\n",
            "scripts/tool.py": "def main():\n    return 0\n",
        },
    )
    assert audit_gates.run_gates(root, lint=False) == []


def test_runner_finds_every_seeded_violation(tmp_path: Path) -> None:
    bad_entry = '"""Bad: no bootstrap, no main."""\nimport os\n\n\ndef build_parser():\n    pass\n'
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "quant_engine/run_bad.py": bad_entry,
            "quant_engine/tools.py": "from quant_engine.cli import _TICKER_RE\n",
            "quant_engine/unlayered.py": "",
            "scripts/tool.py": f"P = {layout.HOTSPOTS_MD_NAME!r}\n\ndef f(t):\n    t._save()\n",
            "scripts/broken.py": "def (:\n",
        },
    )
    edges = [edge("quant_engine.tools", "quant_engine.tools", 1)]
    found = {(f.path, f.code) for f in audit_gates.run_gates(root, edges=edges, lint=False)}
    assert found == {
        ("quant_engine/run_bad.py", "QE003"),
        ("quant_engine/run_bad.py", "QE004"),
        ("quant_engine/run_bad.py", "QE005"),  # build_parser() returns None
        ("quant_engine/tools.py", "QE001"),
        ("quant_engine/tools.py", "QE008"),
        ("quant_engine/unlayered.py", "QE007"),
        ("scripts/tool.py", "QE006"),
        ("scripts/tool.py", "QE002"),
        ("scripts/broken.py", "QE000"),
    }
