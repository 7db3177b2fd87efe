"""A module's public API read statically: signatures as text round-trip to parameters."""

from __future__ import annotations

import ast

import pytest

from scripts.contracts.api import parameters, signature_parameters, signature_text


@pytest.mark.parametrize(
    "source",
    [
        "def f(a, /, b=1, *, c: int = 2, **kw): pass",
        "def f(*args: int, d, e='x') -> None: pass",
        "def f(x=lambda y: y + 1, z={'a': (1, 2)}, *, w: 'T | None' = None): pass",
        "def f(): pass",
    ],
)
def test_signature_text_round_trips(source: str) -> None:
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    params = parameters(function.args)
    assert signature_parameters(signature_text(params, None)) == params
