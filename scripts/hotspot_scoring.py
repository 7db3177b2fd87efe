"""Rank the files of the dependency graph by Tornhill's hotspot score, weighted by coupling.

For each module file of the edges (the output of ``scripts/extract_dependencies.py``)::

    score = revisions × complexity × (1 + max_coupling)

``revisions``: commits up to HEAD touching the file, renames followed (``--since`` narrows the
window by date; :mod:`scripts.hotspots.churn`);
``complexity``: its total cyclomatic complexity (radon; :mod:`scripts.hotspots.complexity`);
``max_coupling``: its strongest code-maat temporal coupling degree (0..1) with another analysed
file, over code-maat's thresholds (``--min-revs``, ``--min-shared-revs``, ``--min-coupling``,
``--max-changeset-size``). Import-graph figures come with each file: fan-in Ca (modules
importing it), fan-out Ce (modules it imports), instability Ce / (Ca + Ce), betweenness
centrality, and the import cycles (strongly connected components, self-imports included) with
the imports forming them and the ones grimp nominates to break them.
Outputs: ranked JSON, a Markdown table, a change-frequency × complexity chart and a layer
chart, all deterministic. ``--repo-root`` (another repository) needs ``--out-dir``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

if not __package__:  # run as a file: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quant_engine import cli, config, layout
from scripts.dependencies.edges import load_edges
from scripts.hotspots.report import save_report
from scripts.hotspots.scoring import Thresholds, score_hotspots


def build_parser() -> argparse.ArgumentParser:
    """Flags: edges input, output folder, git window, table size, repository."""
    parser = cli.new_parser("hotspot_scoring", __doc__)
    parser.add_argument("--edges", type=Path, default=None, help="edges JSON (default: canonical)")
    parser.add_argument(
        "--out-dir", type=cli.folder_path, default=None, help="default: the audit data dir"
    )
    parser.add_argument(
        "--since", default=config.AUDIT_CHURN_SINCE, help="git log --since (default: all to HEAD)"
    )
    parser.add_argument(
        "--top", type=cli.positive_int, default=config.AUDIT_TOP_N, help="rows in table/chart"
    )
    parser.add_argument(
        "--repo-root", type=Path, default=None, help="default: this repository (needs --out-dir)"
    )
    coupling = parser.add_argument_group("temporal coupling (code-maat's defaults)")
    coupling.add_argument(
        "--min-revs",
        type=cli.positive_int,
        default=config.COUPLING_MIN_REVISIONS,
        help="minimum average revisions of a pair",
    )
    coupling.add_argument(
        "--min-shared-revs",
        type=cli.positive_int,
        default=config.COUPLING_MIN_SHARED_REVISIONS,
        help="minimum commits a pair shares",
    )
    coupling.add_argument(
        "--min-coupling",
        type=cli.non_negative_int,
        default=config.COUPLING_MIN_DEGREE_PERCENT,
        help="minimum coupling degree, percent",
    )
    coupling.add_argument(
        "--max-changeset-size",
        type=cli.positive_int,
        default=config.COUPLING_MAX_CHANGESET_SIZE,
        help="ignore commits touching more files",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Score, write the JSON, Markdown and PNG outputs, print where they went; 1 on bad input."""
    return cli.run_command("hotspot_scoring", lambda: run(argv))


def run(argv: Sequence[str] | None) -> int:
    """Parse the flags, score, save; errors propagate to :func:`quant_engine.cli.run_command`."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.repo_root is not None and args.out_dir is None:
        parser.error("--repo-root needs --out-dir (where to write that repository's hotspots)")
    root = (args.repo_root or layout.repo_root()).resolve()
    edges = load_edges(args.edges)  # canonical, or legacy with a DeprecationWarning
    limits = Thresholds(
        args.min_revs, args.min_shared_revs, args.min_coupling, args.max_changeset_size
    )
    report = score_hotspots(edges, root, since=args.since, thresholds=limits)
    for note in report["notes"]:
        print(f"hotspot_scoring: note: {note}", file=sys.stderr)
    for line in save_report(report, args.top, args.out_dir):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
