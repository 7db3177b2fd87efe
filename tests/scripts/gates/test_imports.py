"""QE001 for private modules, and dynamic imports: seeded violations in inline source."""

from __future__ import annotations

import ast
import textwrap

from scripts.gates import imports


def parse(source: str) -> ast.Module:
    return ast.parse(textwrap.dedent(source))


def test_private_module_of_another_package_is_flagged_in_every_spelling() -> None:
    tree = parse(
        """
        import quant_engine.data._helpers
        from quant_engine.data._helpers import clean
        import importlib
        importlib.import_module("quant_engine.data._helpers")
        __import__("quant_engine.models._registry")
        import quant_engine.data.public, json
        """
    )
    findings = imports.check_private_modules(tree, "quant_engine/api/x.py", "quant_engine.api.x")
    assert [(f.code, f.line) for f in findings] == [
        ("QE001", 2),
        ("QE001", 3),
        ("QE001", 5),
        ("QE001", 6),
    ]
    assert "private module 'quant_engine.data._helpers'" in findings[0].message
    assert findings[2].message.startswith("dynamically imports")


def test_a_package_may_use_its_own_private_modules() -> None:
    tree = parse(
        """
        import quant_engine.data._helpers
        from ._helpers import clean
        from ._helpers.deep import thing
        """
    )
    inside = imports.check_private_modules(tree, "quant_engine/data/x.py", "quant_engine.data.x")
    assert inside == []
    package = imports.check_private_modules(
        tree, "quant_engine/data/__init__.py", "quant_engine.data", is_package=True
    )
    assert package == []
    sibling = imports.check_private_modules(
        parse("from ..data._helpers import clean\n"), "quant_engine/api/x.py", "quant_engine.api.x"
    )
    assert [f.line for f in sibling] == [1]
    nested = imports.check_private_modules(  # a subpackage's private module is its own
        parse("from .sub._inner import thing\n"), "quant_engine/data/x.py", "quant_engine.data.x"
    )
    assert [f.line for f in nested] == [1]


def test_dynamic_imports_need_a_literal_name() -> None:
    tree = parse(
        """
        from importlib import import_module
        import_module("quant_engine.cli")
        import_module(name)
        __import__("quant_engine.config")
        """
    )
    assert imports.dynamic_imports(tree) == [
        imports.DynamicImport("quant_engine.cli", 3),
        imports.DynamicImport("quant_engine.config", 5),
    ]
