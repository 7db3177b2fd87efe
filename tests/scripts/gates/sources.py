"""Seeded sources shared by the gate tests: a clean entry point, and a dependency edge.

The entry point has only what the gates look at: the bootstrap, ``build_parser`` and a
``main`` that calls ``run_entry_point``.
"""

from __future__ import annotations

from typing import Any

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
    cli.add_run_flags(parser)
    return parser


def job(args, run):
    return RunReport(title="ok")


def main(argv: Sequence[str] | None = None) -> int:
    return run_entry_point("run_good", build_parser, argv, job)
"""


def edge(importer: str, imported: str, line: int, **flags: bool) -> dict[str, Any]:
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
