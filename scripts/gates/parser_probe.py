"""Child process of the flag-agreement gate (QE005): build each entry point's parser, print flags.

``python -P parser_probe.py ROOT NAME...`` imports ``quant_engine.NAME`` from the tree at ROOT,
calls its ``build_parser()`` and prints, as JSON on stdout, each long option's action, type,
choices, nargs and default (as ``repr`` text), or the error that stopped it. The audit runs this
in a separate process so that it never imports the engine's commands itself: a renamed helper or
a broken module they import becomes a finding, never a crash of the audit. Standard library only.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from typing import Any

PACKAGE = "quant_engine"


def describe(parser: argparse.ArgumentParser) -> dict[str, dict[str, Any]]:
    """Each long option (``--x``; help excluded) and what the gate compares of it."""
    flags: dict[str, dict[str, Any]] = {}
    for action in parser._actions:  # noqa: SLF001 (argparse has no public list; read only)
        if not action.option_strings or "--help" in action.option_strings:
            continue
        choices = tuple(action.choices) if action.choices is not None else None
        flags[max(action.option_strings, key=len)] = {
            "action": type(action).__name__,
            "type": getattr(action.type, "__name__", repr(action.type)),
            "choices": None if choices is None else repr(choices),
            "nargs": repr(action.nargs),
            "default": repr(action.default),
        }
    return flags


def probe(name: str) -> dict[str, Any]:
    """The flags of ``quant_engine.<name>``'s parser, or why it could not be built."""
    try:
        parser = importlib.import_module(f"{PACKAGE}.{name}").build_parser()
        if not isinstance(parser, argparse.ArgumentParser):
            return {"error": f"TypeError: build_parser() returned {type(parser).__name__}"}
        return {"flags": describe(parser)}
    except (KeyboardInterrupt, MemoryError):
        raise
    except BaseException as exc:  # any failure, SystemExit included, is the finding
        return {"error": f"{type(exc).__name__}: {exc}"}


def main(argv: Sequence[str]) -> int:  # noqa: QE004 a child process of the gates, not a user command: it answers JSON
    """Probe each name against the tree at ``argv[0]``; JSON on stdout, anything else on stderr."""
    root, names = argv[0], argv[1:]
    sys.path.insert(0, root)  # noqa: QE003 the probe imports the tree under audit from its root
    out = sys.stdout
    sys.stdout = sys.stderr  # what the entry points print at import must not corrupt the JSON
    result = {name: probe(name) for name in names}
    out.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
