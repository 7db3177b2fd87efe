"""The source gates (QE001-QE006) over parsed source: pure functions returning Findings.

Each ``check_*`` takes an ``ast.Module`` (or argparse parsers) and the file's repo-relative path
and returns the violations found; its docstring says how to fix one. The runner that feeds them
the repository is :mod:`scripts.gates.runner`.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quant_engine import config
from scripts.gates.findings import Finding
from scripts.gates.reachability import live_statements, shallow_walk

ENTRY_BOOTSTRAP = """
if not __package__:  # run as a file: put the package's parent on sys.path, never its folder
    sys.path[:] = [str(Path(__file__).resolve().parents[1])] + [
        p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent
    ]
"""
SELF_NAMES = frozenset({"self", "cls", "mcs", "metacls"})
ALLOWED_PRIVATE_ATTRIBUTES: Mapping[str, str] = {
    "_asdict": "namedtuple API: the underscore only avoids clashes with field names",
    "_replace": "namedtuple API: the underscore only avoids clashes with field names",
    "_fields": "namedtuple API: the underscore only avoids clashes with field names",
    "_field_defaults": "namedtuple API: the underscore only avoids clashes with field names",
    "_make": "namedtuple API: the underscore only avoids clashes with field names",
    "_actions": "argparse offers no public list of a parser's actions; read only",
    "os._exit": "the documented way to end a process without running cleanup handlers",
}
"""QE002 exceptions: an attribute name, or ``receiver.attribute``, with the reason it is fine."""


def is_private(name: str) -> bool:
    """A ``_name`` that is neither a dunder (``__x__``) nor an enum sunder (``_x_``)."""
    return name.startswith("_") and not name.endswith("_")


def check_private_imports(tree: ast.Module, path: str) -> list[Finding]:
    """QE001: ``from x import _name`` reaches into another module's private API.

    Fix: make the name public in its module (drop the underscore, export it) and import that;
    for a dependency, use its public API. There are no exceptions.
    """
    findings = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.module == "__future__":
            continue
        source = f"{'.' * node.level}{node.module or ''}"
        for alias in node.names:
            if not is_private(alias.name):
                continue
            findings.append(
                Finding(
                    path,
                    node.lineno,
                    "QE001",
                    f"imports private name {alias.name!r} from {source}",
                    f"make {alias.name.lstrip('_')!r} public in its module and import that instead",
                )
            )
    return findings


def receiver_text(node: ast.expr) -> str:
    """Source text of an attribute's receiver, for messages and the allow-list."""
    return ast.unparse(node)


def same_class_names(method: ast.FunctionDef | ast.AsyncFunctionDef, owner: str) -> set[str]:
    """Names that hold an instance of ``owner`` inside one of its methods: parameters annotated
    with the class (or ``Self``), and locals built by it (``cls(...)``, ``Owner(...)``,
    ``cls.__new__(cls)``): an alternative constructor may set their private state."""
    own = {owner, f"'{owner}'", "Self", "typing.Self", "'Self'"}
    args = method.args
    names = {
        a.arg
        for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if a.annotation is not None and ast.unparse(a.annotation) in own
    }
    builders = {owner, "cls", f"{owner}.__new__", "cls.__new__", "object.__new__"}
    for node in ast.walk(method):
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
            built = ast.unparse(node.value.func) in builders or (
                isinstance(node.value.func, ast.Attribute)
                and node.value.func.attr == "__new__"
                and isinstance(node.value.func.value, ast.Call)
            )
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if built:
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def same_class_receivers(tree: ast.Module) -> set[int]:
    """``id`` of each ``x._attr`` node whose ``x`` is an instance of the enclosing class."""
    allowed: set[int] = set()
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        for method in cls.body:
            if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            names = same_class_names(method, cls.name)
            allowed |= {
                id(node)
                for node in ast.walk(method)
                if isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in names
            }
    return allowed


def private_getattr(node: ast.Call) -> tuple[ast.expr, str] | None:
    """``getattr/setattr/hasattr/delattr(obj, "_x", ...)`` with a literal private name."""
    if not isinstance(node.func, ast.Name) or node.func.id not in PRIVATE_ACCESSORS:
        return None
    if len(node.args) < 2 or not isinstance(node.args[1], ast.Constant):
        return None
    name = node.args[1].value
    return (node.args[0], name) if isinstance(name, str) and is_private(name) else None


PRIVATE_ACCESSORS = frozenset({"getattr", "setattr", "hasattr", "delattr"})


def check_private_attributes(
    tree: ast.Module,
    path: str,
    allowed: Mapping[str, str] = ALLOWED_PRIVATE_ATTRIBUTES,
) -> list[Finding]:
    """QE002: ``obj._attr`` (or ``getattr(obj, "_attr")`` with a literal name) on anything but
    ``self``/``cls``/``super()``, a local class, or an instance of the enclosing class inside
    its own methods (``other._x`` in ``__eq__``, or on ``cls(...)`` in an alternative
    constructor).

    Fix: give the owning class or module a public method, property or function and use it;
    a deliberate exception goes in ALLOWED_PRIVATE_ATTRIBUTES with its reason.
    """
    local_classes = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    same_class = same_class_receivers(tree)
    findings = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            if id(node) in same_class:
                continue
            value, attr = node.value, node.attr
        elif isinstance(node, ast.Call) and (accessed := private_getattr(node)) is not None:
            value, attr = accessed
        else:
            continue
        if isinstance(value, ast.Name) and value.id in SELF_NAMES | local_classes:
            continue
        if isinstance(value, ast.Call) and ast.unparse(value.func) == "super":
            continue
        receiver = receiver_text(value)
        if attr in allowed or f"{receiver}.{attr}" in allowed:
            continue
        findings.append(
            Finding(
                path,
                node.lineno,
                "QE002",
                f"uses private attribute {attr!r} of {receiver!r}",
                f"add a public method or property for it to {receiver!r}'s class or module",
            )
        )
    return findings


def stdlib_import(node: ast.stmt) -> bool:
    """True for ``import x`` / ``from x import y`` of standard-library modules only."""
    if isinstance(node, ast.Import):
        return all(a.name.split(".")[0] in sys.stdlib_module_names for a in node.names)
    if isinstance(node, ast.ImportFrom):
        top = (node.module or "").split(".")[0]
        return node.level == 0 and (top in sys.stdlib_module_names or top == "__future__")
    return False


def check_entry_bootstrap(tree: ast.Module, path: str) -> list[Finding]:
    """QE003: a ``run_*.py`` must start with the uniform bootstrap block, and touch sys.path
    nowhere else.

    Fix: after the docstring and standard-library imports, paste ENTRY_BOOTSTRAP verbatim.
    """
    expected = ast.dump(ast.parse(ENTRY_BOOTSTRAP).body[0])
    body = list(tree.body)
    index = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        index = 1
    while index < len(body) and stdlib_import(body[index]):
        index += 1
    fix = (
        "right after the docstring and stdlib imports, "
        "paste ENTRY_BOOTSTRAP (scripts/gates/checks.py)"
    )
    found = index < len(body) and ast.dump(body[index]) == expected
    findings = []
    if not found:
        line = body[index].lineno if index < len(body) else 1
        findings.append(
            Finding(path, line, "QE003", "entry point lacks the uniform bootstrap block", fix)
        )
    allowed = block_lines(body[index]) if index < len(body) else range(0)  # reported above
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or ast.unparse(node) != "sys.path":
            continue
        if node.lineno not in allowed:
            findings.append(
                Finding(path, node.lineno, "QE003", "touches sys.path outside the bootstrap", fix)
            )
    return findings


def block_lines(node: ast.stmt) -> range:
    """Line numbers a statement spans."""
    return range(node.lineno, (node.end_lineno or node.lineno) + 1)


def check_entry_manifest(tree: ast.Module, path: str) -> list[Finding]:
    """QE004: a ``run_*.py`` must define ``build_parser`` and ``main`` and call
    ``run_entry_point(`` (quant_engine.entrypoint), which writes the run manifest.

    Fix: ``def main(argv=None) -> int: return run_entry_point(SCRIPT, build_parser, argv, job)``.
    """
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    calls = {
        ast.unparse(n.func).rsplit(".", 1)[-1]
        for statement in live_statements(tree.body)
        for n in shallow_walk(statement)
        if isinstance(n, ast.Call)
    }
    findings = [
        Finding(path, 1, "QE004", f"entry point defines no {name}()", f"define {name}()")
        for name in ("build_parser", "main")
        if name not in defined
    ]
    if "run_entry_point" not in calls:
        findings.append(
            Finding(
                path,
                1,
                "QE004",
                "entry point never calls run_entry_point(), so it writes no run manifest",
                "have main() return quant_engine.entrypoint.run_entry_point(...)",
            )
        )
    return findings


PATH_BUILDERS = frozenset(
    {"Path", "PurePath", "PosixPath", "pathlib.Path", "os.path.join", "posixpath.join"}
)
"""Calls that join their arguments into one path (``.joinpath`` too)."""


def path_parts(node: ast.expr) -> list[str | None]:
    """The parts of a path built from pieces, in order: a string for each literal piece, None
    for a piece known only at run time (it breaks a run of literal parts)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return path_parts(node.left) + path_parts(node.right)
    if isinstance(node, ast.Call) and not node.keywords:
        name = ast.unparse(node.func)
        if name in PATH_BUILDERS:
            return [part for arg in node.args for part in path_parts(arg)]
        if isinstance(node.func, ast.Attribute) and node.func.attr == "joinpath":
            head = path_parts(node.func.value)
            return head + [part for arg in node.args for part in path_parts(arg)]
    return [None]


def built_paths(tree: ast.Module) -> list[tuple[int, str]]:
    """``(line, "a/b")`` for each run of two or more literal parts joined into a path by
    ``/``, ``Path(...)``, ``os.path.join(...)`` or ``.joinpath(...)`` (outermost builds only)."""
    inner: set[int] = set()
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in inner or not isinstance(node, ast.BinOp | ast.Call):
            continue
        parts = path_parts(node)
        if len(parts) < 2:  # a lone constant is checked as a string
            continue
        inner |= {id(n) for n in ast.walk(node)}
        run: list[str] = []
        for part in [*parts, None]:
            if part is not None:
                run.append(part.strip("/"))
                continue
            if len(run) > 1:
                found.append((node.lineno, "/".join(run)))
            run = []
    return found


def check_path_literals(tree: ast.Module, path: str, fragments: Sequence[str]) -> list[Finding]:
    """QE006: a string constant, or a path joined from literal parts (``Path("docs") /
    "audit"``, ``os.path.join("docs", "audit", "data")``), spells a canonical path that only
    quant_engine/layout.py may.

    Fix: call the quant_engine.layout function naming that path (or use its *_NAME constant).
    """
    spelled = [
        (node.lineno, "string", node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    joined = [(line, "path built from parts", f"/{text}/") for line, text in built_paths(tree)]
    return [
        Finding(
            path,
            line,
            "QE006",
            f"{what} spells canonical path fragment {hit!r}",
            "use the quant_engine.layout function for this path",
        )
        for line, what, text in spelled + joined
        for hit in [f for f in fragments if (f"/{f}/" if what != "string" else f) in text][:1]
    ]


class Opaque(str):
    """A default whose ``repr`` is not a Python literal: compared by that text only."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def literal(text: str | None) -> Any:
    """The value a ``repr`` spells when it is a literal, else the text as :class:`Opaque`."""
    if text is None:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return Opaque(text)


@dataclass(frozen=True)
class Flag:
    """What the flag-agreement gate compares of one long option of an entry point's parser."""

    action: str
    type: str
    choices: tuple[Any, ...] | None
    nargs: Any
    default: Any

    @classmethod
    def from_probe(cls, data: Mapping[str, Any]) -> Flag:
        """From the JSON of :mod:`scripts.gates.parser_probe` (``repr`` texts read back)."""
        choices = literal(data.get("choices"))
        return cls(
            str(data.get("action")),
            str(data.get("type")),
            tuple(choices) if isinstance(choices, tuple | list) else None,
            literal(data.get("nargs")),
            literal(data.get("default")),
        )

    @classmethod
    def from_action(cls, action: argparse.Action) -> Flag:
        """From a parser built in this process (tests, and the gate's own fixtures)."""
        return cls(
            type(action).__name__,
            getattr(action.type, "__name__", repr(action.type)),
            tuple(action.choices) if action.choices is not None else None,
            action.nargs,
            action.default,
        )


def flag_actions(parser: argparse.ArgumentParser) -> dict[str, Flag]:
    """A parser's long options (``--x``) and what the gate compares of them, help excluded."""
    return {
        max(action.option_strings, key=len): Flag.from_action(action)
        for action in parser._actions  # noqa: SLF001 (argparse has no public list; read only)
        if action.option_strings and "--help" not in action.option_strings
    }


def flag_signature(flag: Flag, *, with_default: bool = True) -> str:
    """What must match across entry points: action kind, type, choices, nargs (and default)."""
    text = f"{flag.action}(type={flag.type}, choices={flag.choices}, nargs={flag.nargs}"
    return text + (f", default={flag.default!r})" if with_default else ")")


def module_path(name: str) -> str:
    """``quant_engine.run_x`` (or ``run_x``) → ``quant_engine/run_x.py``."""
    dotted = name if "." in name else f"quant_engine.{name}"
    return dotted.replace(".", "/") + ".py"


OWN_DEFAULT_FLAGS = ("--years", "--tickers")
"""Flags whose default is checked against config per command rather than across commands."""


def check_cli_consistency(
    parsers: Mapping[str, argparse.ArgumentParser], lines: Mapping[str, int] | None = None
) -> list[Finding]:
    """QE005: shared flags must agree across entry points (keys: ``run_x`` module names).

    ``--years`` defaults to config.LOOKBACK_YEARS (run_predict: PREDICT_LOOKBACK_YEARS);
    ``--tickers`` defaults to config.DEFAULT_UNIVERSE, or to nothing where a download command
    then refreshes what it has cached;
    ``--feature-mode`` offers config.FEATURE_MODES with config.DEFAULT_FEATURE_MODE; any other
    flag in several parsers has the same default, choices and type everywhere. ``lines`` maps
    a name to the line reported (e.g. its ``build_parser``), else 1.
    Fix: build the flag with the quant_engine.cli helper instead of a local add_argument.
    """
    flags = {name: flag_actions(parser) for name, parser in parsers.items()}
    return check_flag_agreement(flags, lines)


def check_flag_agreement(
    by_command: Mapping[str, Mapping[str, Flag]], lines: Mapping[str, int] | None = None
) -> list[Finding]:
    """QE005 over the flags of each entry point (see :func:`check_cli_consistency`)."""
    fix = "build the flag with its quant_engine.cli helper (defaults come from config)"
    where = dict(lines or {})
    actions = {name: dict(found) for name, found in sorted(by_command.items())}
    findings = []
    for name, flags in actions.items():
        years = flags.get("--years")
        want = config.PREDICT_LOOKBACK_YEARS if name.endswith("run_predict") else None
        want = want if want is not None else config.LOOKBACK_YEARS
        if years is not None and years.default != want:
            message = f"--years defaults to {years.default!r}, config says {want!r}"
            findings.append(Finding(module_path(name), where.get(name, 1), "QE005", message, fix))
        tickers = flags.get("--tickers")
        if tickers is not None and tickers.default not in (config.DEFAULT_UNIVERSE, None):
            message = f"--tickers defaults to {tickers.default!r}, config says the universe"
            findings.append(Finding(module_path(name), where.get(name, 1), "QE005", message, fix))
        mode = flags.get("--feature-mode")
        wanted_mode = (config.FEATURE_MODES, config.DEFAULT_FEATURE_MODE)
        if mode is not None and (tuple(mode.choices or ()), mode.default) != wanted_mode:
            message = (
                f"--feature-mode offers {tuple(mode.choices or ())} default {mode.default!r}, "
                f"config says {config.FEATURE_MODES} default {config.DEFAULT_FEATURE_MODE!r}"
            )
            findings.append(Finding(module_path(name), where.get(name, 1), "QE005", message, fix))
    shared = Counter(flag for flags in actions.values() for flag in flags)
    for flag in sorted(f for f, n in shared.items() if n > 1 and f != "--feature-mode"):
        signatures = {
            name: flag_signature(flags[flag], with_default=flag not in OWN_DEFAULT_FLAGS)
            for name, flags in actions.items()
            if flag in flags
        }
        usual, _ = Counter(sorted(signatures.values())).most_common(1)[0]
        for name, signature in signatures.items():
            if signature != usual:
                others = ", ".join(n for n, s in signatures.items() if s == usual)
                message = f"{flag} is {signature}, but {usual} in {others}"
                findings.append(
                    Finding(module_path(name), where.get(name, 1), "QE005", message, fix)
                )
    return findings
