"""Each source gate (QE001-QE006) fails on a seeded violation (inline source), passes clean code."""

from __future__ import annotations

import argparse
import ast
import textwrap

import pytest

from quant_engine import cli, config, layout
from scripts.gates import checks
from scripts.gates.findings import Finding
from tests.scripts.gates.sources import ENTRY_BODY, ENTRY_HEAD


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
    findings = checks.check_private_imports(tree, "m.py")
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
    findings = checks.check_private_attributes(tree, "m.py")
    assert codes_and_lines(findings) == [("QE002", 11), ("QE002", 14), ("QE002", 15)]
    assert "'_save_metadata' of 'trigger'" in findings[1].message


def test_private_attribute_allow_list_can_be_extended() -> None:
    tree = parse("def f(frame):\n    return frame._secret\n")
    assert checks.check_private_attributes(tree, "m.py", allowed={"frame._secret": "reason"}) == []
    assert len(checks.check_private_attributes(tree, "m.py")) == 1


def test_private_imports_of_dependencies_have_no_exceptions() -> None:
    tree = parse("from grimp import _rustgrimp\nfrom grimp import public\n")
    findings = checks.check_private_imports(tree, "m.py")
    assert [f.message for f in findings] == ["imports private name '_rustgrimp' from grimp"]


# --- QE003 / QE004: entry points ---------------------------------------------------------------


def test_entry_point_with_the_uniform_bootstrap_passes() -> None:
    tree = ast.parse(ENTRY_HEAD + ENTRY_BODY)
    assert checks.check_entry_bootstrap(tree, "quant_engine/run_good.py") == []
    assert checks.check_entry_manifest(tree, "quant_engine/run_good.py") == []


def test_entry_point_with_an_old_style_path_insert_is_flagged() -> None:
    source = (
        '"""Old style."""\nimport sys\nsys.path.insert(0, "..")\nfrom quant_engine import cli\n'
    )
    findings = checks.check_entry_bootstrap(ast.parse(source), "quant_engine/run_old.py")
    assert codes_and_lines(findings) == [("QE003", 3)]
    assert "uniform bootstrap" in findings[0].message


def test_entry_point_bootstrap_must_match_exactly_and_be_the_only_path_edit() -> None:
    altered = ENTRY_HEAD.replace("parents[1]", "parents[2]") + ENTRY_BODY
    assert [f.code for f in checks.check_entry_bootstrap(ast.parse(altered), "r.py")] == ["QE003"]
    extra = ENTRY_HEAD + "sys.path.append('/opt')\n" + ENTRY_BODY
    findings = checks.check_entry_bootstrap(ast.parse(extra), "r.py")
    assert [(f.line, "outside" in f.message) for f in findings] == [(15, True)]


def test_entry_point_without_run_entry_point_writes_no_manifest() -> None:
    body = ENTRY_BODY.replace('run_entry_point("run_good", build_parser, argv, job)', "0")
    body = body.replace("def main(", "def other(")
    findings = checks.check_entry_manifest(ast.parse(ENTRY_HEAD + body), "quant_engine/run_x.py")
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
    assert checks.check_cli_consistency(parsers) == []


def test_years_default_must_come_from_config() -> None:
    parsers = {
        "run_train": engine_parser(),
        "run_backtest": engine_parser(years=config.LOOKBACK_YEARS + 1),
        "run_predict": engine_parser(),  # should use PREDICT_LOOKBACK_YEARS
    }
    findings = checks.check_cli_consistency(parsers, lines={"run_predict": 21})
    assert [(f.path, f.line) for f in findings] == [
        ("quant_engine/run_backtest.py", 1),
        ("quant_engine/run_predict.py", 21),
    ]
    assert all("--years" in f.message and f.code == "QE005" for f in findings)


def test_feature_mode_must_offer_every_config_mode() -> None:
    narrow = cli.new_parser("qe-p", "p")
    narrow.add_argument("--feature-mode", choices=["core", "full"], default="core")
    findings = checks.check_cli_consistency({"run_train": engine_parser(), "run_predict": narrow})
    assert {f.path for f in findings} == {"quant_engine/run_predict.py"}
    assert "'minimal'" in findings[0].message


def test_tickers_default_is_the_universe_or_what_a_download_has_cached() -> None:
    download = cli.new_parser("qe-d", "d")
    cli.add_tickers(download, default=None, default_text="what is cached")
    other = cli.new_parser("qe-o", "o")
    cli.add_tickers(other, default=("SPX",), default_text="SPX")
    parsers = {"run_train": engine_parser(), "run_refresh": download, "run_odd": other}
    findings = checks.check_cli_consistency(parsers)
    assert [(f.path, f.code) for f in findings] == [("quant_engine/run_odd.py", "QE005")]
    assert "--tickers defaults to ('SPX',)" in findings[0].message


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
    findings = checks.check_cli_consistency(parsers)
    assert [(f.path, f.code) for f in findings] == [("quant_engine/run_odd.py", "QE005")]
    assert flag in findings[0].message
    assert "run_a, run_b" in findings[0].message


# --- QE006: canonical paths --------------------------------------------------------------------


def test_spelled_canonical_path_is_flagged_in_code_and_docstrings() -> None:
    name = layout.DEPENDENCY_EDGES_NAME
    source = f'"""Reads {name}."""\nfrom quant_engine import layout\nP = "data/{name}"\n'
    findings = checks.check_path_literals(
        ast.parse(source), "s.py", layout.canonical_path_fragments()
    )
    assert codes_and_lines(findings) == [("QE006", 1), ("QE006", 3)]
    clean = "from quant_engine import layout\nP = layout.dependency_edges_path()\n"
    assert (
        checks.check_path_literals(ast.parse(clean), "s.py", layout.canonical_path_fragments())
        == []
    )


# --- blind spots: getattr, same-class access, dead code, paths from parts -----------------------


def test_getattr_with_a_literal_private_name_is_flagged_except_on_self() -> None:
    tree = parse(
        """
        class Cache:
            def load(self, store, name):
                getattr(self, "_rows")
                setattr(cls, "_count", 1)
                getattr(store, name)
                getattr(store, "public")
                return getattr(store, "_rows", None)

        hasattr(engine, "_model")
        """
    )
    findings = checks.check_private_attributes(tree, "m.py")
    assert sorted(codes_and_lines(findings)) == [("QE002", 8), ("QE002", 10)]
    assert {f.message for f in findings} == {
        "uses private attribute '_rows' of 'store'",
        "uses private attribute '_model' of 'engine'",
    }


def test_other_instances_of_the_same_class_may_touch_its_private_state() -> None:
    tree = parse(
        """
        from typing import Self

        class Money:
            def __init__(self, cents):
                self._cents = cents

            def __eq__(self, other: "Money") -> bool:
                return self._cents == other._cents

            def plus(self, other: Self) -> "Money":
                return Money(self._cents + other._cents)

            @classmethod
            def parse(cls, text):
                made = cls.__new__(cls)
                made._cents = int(text)
                built = Money(0)
                built._cents = 1
                return made

            def leak(self, wallet: "Wallet", stranger):
                return wallet._cents + stranger._cents

        def outside(money: Money):
            return money._cents
        """
    )
    findings = checks.check_private_attributes(tree, "m.py")
    assert sorted(codes_and_lines(findings)) == [("QE002", 23), ("QE002", 23), ("QE002", 26)]


def test_run_entry_point_only_in_dead_code_writes_no_manifest() -> None:
    call = 'return run_entry_point("run_good", build_parser, argv, job)'
    dead = {
        "after a return": f"return 0\n    {call}",
        "under if False": f"if False:\n        {call}\n    return 0",
        "under if 0 in a loop": f"while 0:\n        {call}\n    return 0",
        "after a raise": f"raise SystemExit(0)\n    {call}",
    }
    for where, body in dead.items():
        source = ENTRY_HEAD + ENTRY_BODY.replace(call, body)
        findings = checks.check_entry_manifest(ast.parse(source), "quant_engine/run_x.py")
        assert ["manifest" in f.message for f in findings] == [True], where
    live = ENTRY_BODY.replace(call, f"if argv is None:\n        return 1\n    {call}")
    assert checks.check_entry_manifest(ast.parse(ENTRY_HEAD + live), "r.py") == []


def test_canonical_path_built_from_parts_is_flagged() -> None:
    tree = parse(
        """
        import os
        from pathlib import Path

        a = Path("docs") / "audit"
        b = os.path.join("docs", "audit", "data")
        c = root / "docs" / "audit" / name
        d = Path("docs").joinpath("audit")
        e = Path("docs") / "auditing"
        f = Path("docs") / name / "audit"
        """
    )
    findings = checks.check_path_literals(tree, "m.py", layout.canonical_path_fragments())
    assert codes_and_lines(findings) == [("QE006", n) for n in (5, 6, 7, 8)]
    assert all("built from parts" in f.message for f in findings)
