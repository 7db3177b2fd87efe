"""QE003/QE004 for every command, not only ``quant_engine/run_*.py``: each console script of
pyproject ``[project.scripts]`` and each ``scripts/`` file run as ``__main__``.

A command's function must exist and, in code that can run, go through one of the wrappers that
turn an error into one line on stderr (``run_entry_point``, ``run_command``) or hand over to
another command's ``main`` (checked as a command itself). Only a ``scripts/`` file may touch
``sys.path``, and only inside its ``if not __package__:`` block.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Mapping
from typing import Any

from scripts.gates.findings import Finding
from scripts.gates.reachability import live_statements, shallow_walk

ERROR_WRAPPERS = frozenset({"run_entry_point", "run_command"})
"""Calls that make any failure one line on stderr with the documented exit code."""


def console_scripts(pyproject: Mapping[str, object]) -> dict[str, tuple[str, str]]:
    """``name → (module, function)`` of ``[project.scripts]``."""
    project = pyproject.get("project")
    scripts = project.get("scripts", {}) if isinstance(project, dict) else {}
    found = {}
    for name, target in scripts.items() if isinstance(scripts, dict) else []:
        module, _, function = str(target).partition(":")
        found[str(name)] = (module.strip(), function.strip() or "main")
    return found


def read_pyproject(text: str) -> dict[str, Any]:
    """The parsed pyproject (empty when it does not parse: QE007 reports that)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def runs_as_main(tree: ast.Module) -> bool:
    """True when the module has a top-level ``if __name__ == "__main__":`` block."""
    return any(
        isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) for node in tree.body
    )


def function_def(tree: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The top-level ``def name`` of a module, if any."""
    found = [
        n
        for n in tree.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == name
    ]
    return found[-1] if found else None


def delegates(tree: ast.Module, function: str) -> list[str]:
    """Modules whose ``main`` the command function calls (``from m import main [as x]``
    at module level or inside the function)."""
    body = function_def(tree, function)
    if body is None:
        return []
    imported = {
        alias.asname or alias.name: node.module
        for node in [*tree.body, *ast.walk(body)]
        if isinstance(node, ast.ImportFrom) and node.module and not node.level
        for alias in node.names
        if alias.name == "main"
    }
    called = {
        ast.unparse(n.func)
        for statement in live_statements(body.body)
        for n in shallow_walk(statement)
        if isinstance(n, ast.Call)
    }
    return sorted({module for name, module in imported.items() if name in called})


def check_command(tree: ast.Module, path: str, function: str = "main") -> list[Finding]:
    """QE004 (and QE003 for ``sys.path``) for a command whose entry is ``function``.

    Fix: ``def main(argv=None) -> int: return run_command("name", lambda: run(argv))``
    (scripts.command / quant_engine.cli), or ``run_entry_point`` for an engine run.
    """
    body = function_def(tree, function)
    if body is None:
        return [
            Finding(
                path,
                1,
                "QE004",
                f"command entry {function}() is not defined",
                f"define {function}() or point the console script at the function that exists",
            )
        ]
    findings = []
    called = {
        ast.unparse(n.func).rsplit(".", 1)[-1]
        for statement in live_statements(body.body)
        for n in shallow_walk(statement)
        if isinstance(n, ast.Call)
    }
    if not called & ERROR_WRAPPERS and not delegates(tree, function):
        findings.append(
            Finding(
                path,
                body.lineno,
                "QE004",
                f"command {function}() never calls run_command() or run_entry_point(), so an "
                "error ends in a traceback instead of one line",
                f"have {function}() return run_command(name, body) (or run_entry_point(...))",
            )
        )
    allowed: set[int] = set()
    if path.startswith("scripts/"):
        for node in tree.body:
            if isinstance(node, ast.If) and ast.unparse(node.test) == "not __package__":
                allowed |= set(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    findings += [
        Finding(
            path,
            node.lineno,
            "QE003",
            "command touches sys.path outside an `if not __package__:` block",
            "only a scripts/ file may, in its `if not __package__:` bootstrap block",
        )
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and ast.unparse(node) == "sys.path"
        and node.lineno not in allowed
    ]
    return findings
