"""Rank the files of the dependency graph by Tornhill's hotspot score, weighted by coupling.

For each module file of the edges (the output of ``scripts/extract_dependencies.py``)::

    score = revisions × complexity × (1 + max_coupling)

``revisions``: commits touching the file within ``--since`` (:mod:`scripts.hotspots.churn`);
``complexity``: its total cyclomatic complexity (radon; :mod:`scripts.hotspots.complexity`);
``max_coupling``: its strongest code-maat temporal coupling degree (0..1) with another analysed
file. Import-graph figures come with each file: fan-in Ca (modules importing it), fan-out Ce
(modules it imports), instability Ce / (Ca + Ce), betweenness centrality, and the import cycles
(strongly connected components, self-imports included) with the imports forming them.
Outputs: ranked JSON, a Markdown table and a PNG chart of the top files, all deterministic.
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
from scripts.hotspots.scoring import score_hotspots


def build_parser() -> argparse.ArgumentParser:
    """Flags: edges input, output folder, git window, table size, repository."""
    parser = cli.new_parser("hotspot_scoring", __doc__)
    parser.add_argument("--edges", type=Path, default=None, help="edges JSON (default: canonical)")
    parser.add_argument(
        "--out-dir", type=cli.folder_path, default=None, help="default: the audit data dir"
    )
    parser.add_argument("--since", default=config.AUDIT_CHURN_SINCE, help="git log window")
    parser.add_argument(
        "--top", type=cli.positive_int, default=config.AUDIT_TOP_N, help="rows in table/chart"
    )
    parser.add_argument("--repo-root", type=Path, default=None, help="default: this repository")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Score, write the JSON, Markdown and PNG outputs, print where they went; 1 on bad input."""
    return cli.run_command("hotspot_scoring", lambda: run(argv))


def run(argv: Sequence[str] | None) -> int:
    """Parse the flags, score, save; errors propagate to :func:`quant_engine.cli.run_command`."""
    args = build_parser().parse_args(argv)
    root = (args.repo_root or layout.repo_root()).resolve()
    edges = load_edges(args.edges)  # canonical, or legacy with a DeprecationWarning
    report = score_hotspots(edges, root, since=args.since)
    for note in report["notes"]:
        print(f"hotspot_scoring: note: {note}", file=sys.stderr)
    for line in save_report(report, args.top, args.out_dir):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
