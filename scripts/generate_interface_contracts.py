"""The public API of every module of the tree and who uses it: the interface contracts (YAML).

Per module: its file, first docstring line, whether ``__all__`` defines the API, the importers
(``used_by``) and its public symbols: functions, classes with their methods and fields, and
variables, with signatures as source text and the importers naming each symbol (see
:mod:`scripts.contracts.build`). Read statically; nothing analysed is imported. ``used_by``
comes from the dependency edges.

``--check`` compares the code with the committed file and exits 1 on a breaking change (see
:mod:`scripts.contracts.diff`), printing each as ``file:symbol``; additions are info.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

if not __package__:  # run as a file: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quant_engine import layout
from scripts import command
from scripts.contracts.build import (
    COMMAND,
    build_contracts,
    load_contracts,
    render_yaml,
    save_contracts,
)
from scripts.contracts.diff import BREAKING, compare
from scripts.dependencies.edges import load_edges
from scripts.dependencies.extract import add_root_flag, default_roots


def check(fresh: Mapping[str, Any], committed_path: Path, *, exact: bool = False) -> int:
    """Print the differences with the committed contracts; 1 if any breaks a caller (with
    ``exact``, also if the committed file is merely out of date)."""
    changes = compare(load_contracts(committed_path), fresh)
    for change in changes:
        stream = sys.stdout if change.severity == BREAKING else sys.stderr
        print(
            change.render() if change.severity == BREAKING else f"info: {change.render()}",
            file=stream,
        )
    breaking = sum(c.severity == BREAKING for c in changes)
    verdict = f"{breaking} breaking change(s)" if breaking else "no breaking change"
    print(f"{committed_path}: {verdict}, {len(changes) - breaking} other difference(s)")
    if exact and committed_path.read_text(encoding="utf-8") != render_yaml(fresh):
        print(f"{committed_path}: out of date; regenerate it with `{COMMAND}`")
        return 1
    return 1 if breaking else 0


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: write the contracts (only when changed), or ``--check`` them against the file."""
    return command.run_command("generate_interface_contracts", lambda: run(argv))


def run(argv: Sequence[str] | None) -> int:
    """Parse, build, check or save; errors propagate to :func:`scripts.command.run_command`."""
    parser = command.new_parser("generate_interface_contracts", __doc__.split("\n", 1)[0])
    add_root_flag(parser)
    parser.add_argument("--edges", type=Path, default=None, help="edges JSON (default: canonical)")
    parser.add_argument(
        "--out", type=command.file_path, default=None, help="contracts file (default: canonical)"
    )
    parser.add_argument("--check", action="store_true", help="compare with --out; 1 on a break")
    parser.add_argument(
        "--exact", action="store_true", help="with --check: also exit 1 when merely out of date"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 if a module fails to parse")
    args = parser.parse_args(argv)
    out = args.out or layout.interface_contracts_path()
    contracts, errors = build_contracts(args.root or default_roots(), load_edges(args.edges))
    for error in errors:
        print(f"cannot parse {error}", file=sys.stderr)
    if args.check:
        return max(check(contracts, out, exact=args.exact), int(args.strict and bool(errors)))
    print(save_contracts(contracts, errors, out))
    return 1 if args.strict and errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
