"""QE005 in the source: a shared flag's default must name its config setting, not its value."""

from __future__ import annotations

import ast

from scripts.gates.findings import Finding

COUNTING_ACTIONS = frozenset({"count", "store_true", "store_false", "help", "version"})


def is_literal(node: ast.expr) -> bool:
    """A value written out in the source (numbers, strings, tuples/lists of them), not a name.

    ``None`` and booleans do not count: they mean "not given" / a switch, not a setting.
    """
    if isinstance(node, ast.Constant):
        return node.value is not None and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        return is_literal(node.operand)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return bool(node.elts) and all(
            isinstance(e, ast.Constant) or is_literal(e) for e in node.elts
        )
    return False


def keyword_value(node: ast.Call, name: str) -> ast.expr | None:
    """The value given to keyword ``name`` of a call, if any."""
    return next((k.value for k in node.keywords if k.arg == name), None)


def helper_default(function: str, keyword: ast.keyword) -> bool:
    """A keyword that sets a flag's default through a cli helper: ``default=`` of an
    ``add_*`` helper, or ``<flag>_default=`` of any call, given a number or a collection (a
    plain string there is the help's wording, as ``end_default="today"``)."""
    if keyword.arg is None:
        return False
    if not (keyword.arg.endswith("_default") or (keyword.arg, function[:4]) == ("default", "add_")):
        return False
    value = keyword.value
    return not (isinstance(value, ast.Constant) and isinstance(value.value, str))


def check_literal_flag_defaults(
    tree: ast.Module, path: str, shared_flags: frozenset[str]
) -> list[Finding]:
    """QE005: a shared flag's default written as a literal (``add_argument("--years",
    default=5)``, ``cli.add_years(parser, default=5)``, any ``years_default=5``), even when it
    equals today's config value: the default must name the config setting, so changing config
    changes every command.

    ``shared_flags`` are the long options the quant_engine.cli helpers define.
    Fix: ``default=config.NAME`` (or leave the helper's default).
    """
    findings = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        given: list[tuple[str, ast.expr]] = []
        if name == "add_argument":
            flags = [
                a.value
                for a in node.args
                if isinstance(a, ast.Constant) and a.value in shared_flags
            ]
            default = keyword_value(node, "default")
            action = keyword_value(node, "action")
            counting = isinstance(action, ast.Constant) and action.value in COUNTING_ACTIONS
            if flags and default is not None and not counting:
                given.append((str(flags[0]), default))
        else:
            given += [
                (f"{name}({k.arg}=)", k.value) for k in node.keywords if helper_default(name, k)
            ]
        findings += [
            Finding(
                path,
                value.lineno,
                "QE005",
                f"{flag} default is the literal {ast.unparse(value)}: name the config setting",
                "write default=config.NAME (quant_engine/config.py) instead of its value",
            )
            for flag, value in given
            if is_literal(value)
        ]
    return findings


def long_options(tree: ast.Module) -> frozenset[str]:
    """The ``--x`` options a module's ``add_argument`` calls define (literal names)."""
    return frozenset(
        arg.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("add_argument")
        for arg in node.args
        if isinstance(arg, ast.Constant)
        and isinstance(arg.value, str)
        and arg.value.startswith("--")
    )
