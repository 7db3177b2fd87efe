"""Find the wire-schema modules of a package and list their types; import failures name the module.

Every public module of the package is discovered with pkgutil (adding a module is enough; there
is no list to edit); ``_private`` modules are skipped. All import failures are reported at once,
each as ``Type: message (file:line)`` at the deepest frame in the project. Discovery logs go to
stderr.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from types import ModuleType

from quant_engine.errors import UsageError, first_line
from scripts.typegen.schema import ModuleTypes, SchemaError, module_types


def note(message: str, *, quiet: bool = False) -> None:
    """Progress and discovery log lines go to stderr (stdout carries results and diffs)."""
    if not quiet:
        print(message, file=sys.stderr)


def discover_modules(package: str) -> list[str]:
    """Names of the public modules of ``package`` (``_private`` ones skipped), sorted."""
    try:
        pkg = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        if exc.name == package or package.startswith(f"{exc.name}."):
            raise UsageError(f"--package {package}: no such package") from None
        raise SchemaError(f"package {package} failed to import: {describe(exc)}") from exc
    except Exception as exc:
        raise SchemaError(f"package {package} failed to import: {describe(exc)}") from exc
    path = getattr(pkg, "__path__", None)
    if path is None:
        raise UsageError(f"--package {package}: a module, not a package")
    return sorted(f"{package}.{m.name}" for m in pkgutil.iter_modules(path) if m.name[0] != "_")


def describe(exc: BaseException) -> str:
    """``Type: message (file:line)`` of an import failure, at the deepest frame in the project."""
    where = ""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f" ({exc.filename}:{exc.lineno})"
    else:
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__) if "importlib" not in f.filename
        ]
        if frames:
            where = f" ({frames[-1].filename}:{frames[-1].lineno})"
    return f"{type(exc).__name__}: {first_line(str(exc))}{where}"


def collect(package: str, *, quiet: bool = False) -> list[ModuleTypes]:
    """Import every discovered module and list its wire types; all import failures at once."""
    names = discover_modules(package)
    modules: list[ModuleType] = []
    failures: list[str] = []
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except Exception as exc:
            failures.append(f"schema module {name} failed to import: {describe(exc)}")
    if failures:
        raise SchemaError("\n".join(failures))
    groups = [module_types(module) for module in modules]
    note(f"{package}: {len(groups)} schema modules", quiet=quiet)
    for group in groups:
        count = len(group.types)
        listed = ", ".join(name for name, _ in group.types) or "-"
        name = group.module.rsplit(".", 1)[-1]
        note(f"  {name}: {count} type{'' if count == 1 else 's'} ({listed})", quiet=quiet)
    return groups
