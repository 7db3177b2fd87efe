"""Which statements of a block can run: dead code (after a ``return``, under ``if False:``)
satisfies no gate that asks for a call."""

from __future__ import annotations

import ast
from collections.abc import Sequence

TERMINATORS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def constant_truth(test: ast.expr) -> bool | None:
    """The truth of a constant test (``False``, ``0``, ``not True``, ``TYPE_CHECKING``-free),
    or None when it depends on run time."""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = constant_truth(test.operand)
        return None if inner is None else not inner
    return None


def live_statements(body: Sequence[ast.stmt]) -> list[ast.stmt]:
    """The statements of a block that can run, nested blocks included: nothing after a
    ``return``/``raise``/``continue``/``break``, no branch of an ``if``/``while`` whose test is
    a constant that rules it out. Compound statements are listed with their live children."""
    live: list[ast.stmt] = []
    for statement in body:
        live.append(statement)
        if isinstance(statement, ast.If | ast.While):
            truth = constant_truth(statement.test)
            if truth is not False:
                live += live_statements(statement.body)
            if truth is not True or isinstance(statement, ast.While):
                live += live_statements(statement.orelse)
        else:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                children = getattr(statement, field, [])
                live += live_statements([c for c in children if isinstance(c, ast.stmt)])
                for child in children:
                    if isinstance(child, ast.ExceptHandler | ast.match_case):
                        live += live_statements(child.body)
        if isinstance(statement, TERMINATORS):
            break
    return live


def shallow_walk(statement: ast.stmt) -> list[ast.AST]:
    """The nodes of one statement without its nested statements (they are listed apart)."""
    found: list[ast.AST] = []
    todo: list[ast.AST] = [statement]
    while todo:
        node = todo.pop()
        found.append(node)
        todo += [c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.stmt)]
    return found
