"""Build the dashboard (frontend/, Vite) into quant_engine/dashboard/, which qe-server serves.

The build goes to a temporary folder first; only files whose bytes changed are written and
files the build no longer makes are removed. ``--check`` writes nothing and exits 1 naming the
files that differ, so CI can tell a committed build that lags its sources. Needs Node.js and the
pinned tools from ``npm ci``.

    python scripts/build_dashboard.py [--check]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

if not __package__:  # run as a file: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quant_engine import layout
from quant_engine.cli import new_parser, run_command
from quant_engine.errors import QuantEngineError, UsageError

REBUILD_COMMAND = "make dashboard"


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = new_parser("build_dashboard", __doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="fail when the committed build is stale"
    )
    return parser


def vite_build(out_dir: Path) -> None:
    """``vite build`` of frontend/ into ``out_dir``; a failed build is an error with its output."""
    vite = layout.repo_root() / "node_modules" / ".bin" / "vite"
    if shutil.which("node") is None or not vite.exists():
        raise UsageError("the dashboard build needs Node.js and `npm ci` (node_modules/.bin/vite)")
    config = layout.frontend_dir() / "vite.config.ts"
    cmd = [
        str(vite),
        "build",
        "--config",
        str(config),
        "--outDir",
        str(out_dir),
        "--logLevel",
        "warn",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise QuantEngineError(f"vite build failed:\n{done.stdout}{done.stderr}".rstrip())


def main(argv: Sequence[str] | None = None) -> int:
    """Build (or ``--check``) the dashboard; 0 ok/fresh, 1 failure/stale, 2 bad usage."""
    args = list(sys.argv[1:] if argv is None else argv)
    return run_command("build_dashboard", lambda: run(args))


def run(argv: list[str]) -> int:
    """Parse, build into a temporary folder, then compare with or sync to the committed build."""
    from scripts.dashboard.tree import diff_trees, read_tree, sync_tree

    check = build_parser().parse_args(argv).check

    target = layout.dashboard_dir()
    with tempfile.TemporaryDirectory(prefix="qe-dashboard-") as tmp:
        vite_build(Path(tmp))
        fresh = read_tree(Path(tmp))
    if check:
        diff = diff_trees(read_tree(target), fresh)
        for kind, names in (
            ("added", diff.added),
            ("changed", diff.changed),
            ("removed", diff.removed),
        ):
            for name in names:
                print(f"stale ({kind}): {target / name}")
        if not diff.empty:
            print(
                f"the committed dashboard build is stale; run: {REBUILD_COMMAND}", file=sys.stderr
            )
            return 1
        print(f"fresh: {target}")
        return 0
    diff = sync_tree(target, fresh)
    changed = len(diff.added) + len(diff.changed) + len(diff.removed)
    print(f"{'updated' if changed else 'unchanged'}: {target} ({changed} files changed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
