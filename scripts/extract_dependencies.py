"""Every import statement of a Python tree: the dependency edges of make audit (JSON).

Each edge: ``importer`` → ``imported`` (dotted modules, relative imports resolved as grimp does),
``kind`` (internal / stdlib / third_party / unresolved), ``names`` taken from the imported module,
``line``..``end_line``, the flags ``lazy``, ``type_checking``, ``guarded`` and ``conditional``,
and the importer's ``file`` (see :mod:`scripts.dependencies.extract`). Unparsable files are
listed under ``errors`` and the run goes on (``--strict``: exit 1). Unchanged files are not
parsed again: scans are cached by content hash in the data home.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

if not __package__:  # run as a file: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quant_engine import layout
from scripts import command
from scripts.dependencies.extract import add_root_flag, default_roots, extract, save_edges


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: write the edges (only when they changed) and print a one-line summary."""
    return command.run_command("extract_dependencies", lambda: run(argv))


def run(argv: Sequence[str] | None) -> int:
    """Parse the flags, extract, save; errors propagate to :func:`scripts.command.run_command`."""
    parser = command.new_parser("extract_dependencies", __doc__.split("\n", 1)[0])
    add_root_flag(parser)
    parser.add_argument(
        "--out", type=command.file_path, default=None, help="output file (default: canonical)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 if a file fails to parse")
    parser.add_argument(
        "--cache-dir", type=command.folder_path, default=None, help="default: the data home"
    )
    parser.add_argument("--no-cache", action="store_true", help="parse every file again")
    parser.add_argument(
        "--jobs", type=command.positive_int, default=None, help="default: all cores"
    )
    parser.add_argument(
        "--full-parse", action="store_true", help="parse whole files with ast (slow; a cross-check)"
    )
    args = parser.parse_args(argv)
    if not args.no_cache and args.cache_dir is None:
        command.check_data_home()
    cache_dir = None if args.no_cache else (args.cache_dir or layout.audit_cache_dir())
    result = extract(
        args.root or default_roots(), cache_dir=cache_dir, jobs=args.jobs, fast=not args.full_parse
    )
    for problem in result.problems():
        print(problem, file=sys.stderr)
    print(save_edges(result, args.out or layout.dependency_edges_path()))
    return 1 if args.strict and result.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
