"""Generate the dashboard's TypeScript types (and the API's OpenAPI document) from the wire schemas.

Every public module of ``quant_engine.api.schemas`` is discovered with pkgutil (adding a module
is enough; there is no list to edit) and one that fails to import is an error naming it, exit 1.
Output order: modules alphabetically, then types in definition order, then any referenced type
defined outside the package. ``--check`` exits 1 with a diff when a committed output is stale.
Modes, generics and duplicate names: scripts/typegen/schema.py; TypeScript rules:
scripts/typegen/typescript.py.

    python scripts/generate_types.py [--check] [--package PKG --out PATH] [--schema-out PATH]
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

if not __package__:  # run as a file: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quant_engine.cli import file_path, new_parser, run_command
from scripts.typegen.defaults import DEFAULT_APP_MODULE, DEFAULT_PACKAGE, REGENERATE_COMMAND


def build_parser() -> argparse.ArgumentParser:
    """The command line; defaults come from :mod:`quant_engine.layout`."""
    parser = new_parser("generate_types", __doc__.splitlines()[0])
    parser.add_argument("--package", default=DEFAULT_PACKAGE, help="package of schema modules")
    parser.add_argument("--out", type=file_path, help="TypeScript output (default: layout)")
    parser.add_argument("--app", help=f"module with create_app() (default: {DEFAULT_APP_MODULE})")
    parser.add_argument("--openapi-out", type=file_path, help="OpenAPI output (default: layout)")
    parser.add_argument("--no-openapi", action="store_true", help="skip the OpenAPI document")
    parser.add_argument("--schema-out", type=file_path, help="also write the combined JSON Schema")
    parser.add_argument("--check", action="store_true", help="fail with a diff when stale")
    parser.add_argument("-q", "--quiet", action="store_true", help="no discovery log")
    return parser


def regenerate_command(argv: Sequence[str]) -> str:
    """The command that rewrites the outputs this invocation checked."""
    rest = [a for a in argv if a != "--check"]
    if not rest or rest in (["-q"], ["--quiet"]):
        return REGENERATE_COMMAND
    return shlex.join(["python", "scripts/generate_types.py", *rest])


def main(argv: Sequence[str] | None = None) -> int:
    """Generate (or ``--check``) the outputs; 0 ok/fresh, 1 failure/stale, 2 bad usage."""
    argv = list(sys.argv[1:] if argv is None else argv)
    return run_command("generate_types", lambda: run(argv))


def run(argv: list[str]) -> int:
    """Parse, plan, write or check; errors propagate to :func:`quant_engine.cli.run_command`."""
    args = build_parser().parse_args(argv)
    from quant_engine.utils.atomic import write_text_if_changed
    from scripts.typegen.outputs import plan_outputs, stale_diff

    outputs = plan_outputs(
        args.package,
        out=args.out,
        schema_out=args.schema_out,
        app=args.app,
        openapi_out=args.openapi_out,
        openapi=not args.no_openapi,
        quiet=args.quiet,
    )
    if args.check:
        diffs = [stale_diff(output) for output in outputs]
        for output, diff in zip(outputs, diffs, strict=True):
            print(f"{'stale' if diff else 'fresh'}: {output.path}")
            sys.stdout.write(diff)
        if any(diffs):
            print(f"generated files are stale; run: {regenerate_command(argv)}", file=sys.stderr)
            return 1
        return 0
    for output in outputs:
        written = write_text_if_changed(output.path, output.text)
        print(f"{'wrote' if written else 'unchanged'}: {output.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
