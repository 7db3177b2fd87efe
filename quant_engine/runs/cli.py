"""``qe-runs`` (``python -m quant_engine.utils.reproducibility``): list, show, diff, plot, verify,
prune.

RUN is a manifest path, ``latest`` / ``latest:<script>``, a run id, a unique run-id prefix or
the 6-hex short id. Exit codes: 0 ok (verify: reproduced; diff: the runs recorded the same
settings, metrics, data, code and environment); 1 not ok (verify: not reproduced; diff: the runs
differ; a recorded file is missing); 2 bad usage (unknown or ambiguous RUN, bad flag, --where or
--script). ``latest`` is the newest finished successful run. A ``running`` run whose process is
gone is shown ``dead``. ``prune --keep N`` keeps the newest N finished runs of each script
(``--global``: N overall; ``--script S``: only S's), deletes the results the pruned runs recorded
under ``results/`` (``--keep-results`` leaves them), and never removes a live run, a latest
pointer's target or the run that wrote a model the registry serves.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from quant_engine import config, layout
from quant_engine.cli import (
    check_data_home,
    folder_path,
    new_parser,
    non_negative_int,
    run_command,
)
from quant_engine.errors import DataError, UsageError
from quant_engine.runs import cleanup, compare, index, lookup, plot, select, store, table, verify
from quant_engine.runs.index import RunRow, query, row_of
from quant_engine.runs.manifest import RunManifest, RunStatus
from quant_engine.utils.atomic import write_bytes_atomic
from quant_engine.utils.number_format import byte_size, cell
from quant_engine.utils.progress import progress_bar

STATUS_STYLE = {
    RunStatus.RUNNING: "yellow",
    RunStatus.SUCCESS: "green",
    RunStatus.FAILED: "red",
    RunStatus.INTERRUPTED: "magenta",
    RunStatus.REJECTED: "dim",
    RunStatus.DEAD: "red",
}
PIPE_WIDTH = 200
"""Console width when stdout is not a terminal, so piped output is not wrapped."""


DIFF_EXIT = (
    "exit: 0 when the runs recorded the same settings, metrics, data, code and environment; "
    "1 when they differ; 2 for a bad RUN"
)


def add_output_form(parser: argparse.ArgumentParser, json_help: str) -> None:
    """``--json`` / ``--csv``, one of them, for a read command."""
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help=json_help)
    form.add_argument("--csv", action="store_true", help="CSV with a header instead of a table")


def build_parser() -> argparse.ArgumentParser:
    """The ``qe-runs`` argument parser."""
    parser = new_parser("qe-runs", "List, show, diff, plot, verify and prune run manifests.")
    parser.add_argument(
        "--dir",
        type=folder_path,
        default=None,
        help="manifest folder (default: $QE_HOME/manifests)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "list",
        help="runs, newest first",
        description="Runs newest first. KEY names a metric (sharpe), a setting (years) or "
        "metrics.X / settings.X; --script S alone shows S's own columns.",
    )
    p.add_argument(
        "--script", help="only this script's runs: backtest, qe-backtest or run_backtest"
    )
    p.add_argument("--status", choices=[s.value for s in RunStatus], help="only this status")
    p.add_argument(
        "--since", type=select.since_time, help="runs started since a date, date-time or age (7d)"
    )
    p.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="EXPR",
        help="KEY OP VALUE, OP one of > >= < <= = !=, e.g. 'sharpe>0.5' (repeat for AND)",
    )
    p.add_argument("--sort", metavar="[-]KEY", help="order by KEY (-KEY: largest first)")
    p.add_argument(
        "-n",
        "--limit",
        type=non_negative_int,
        default=None,
        help=f"at most N runs; 0 for all (default: {config.RUNS_LIST_LIMIT} in the table, "
        "all with --json or --csv)",
    )
    add_output_form(p, "JSON lines (settings and metrics in full) instead of a table")
    p = sub.add_parser("show", help="one run in full")
    p.add_argument("run", help="path, latest[:script], run id or unique prefix")
    add_output_form(p, "the manifest's JSON, status as read now")
    p = sub.add_parser(
        "diff",
        help="what changed between two runs",
        description="Settings and metrics first (with B - A), then data digests, then the rest.",
        epilog=DIFF_EXIT,
    )
    p.add_argument("a", help="first run")
    p.add_argument("b", help="second run")
    add_output_form(p, "the comparison as one JSON object")
    p = sub.add_parser("plot", help="overlay backtest runs' equity curves in one PNG")
    p.add_argument("runs", nargs="+", metavar="RUN", help="backtest runs")
    p.add_argument(
        "--out", type=Path, default=Path(config.RUNS_PLOT_FILE), help="PNG file to write"
    )
    p = sub.add_parser("verify", help="re-run a run in a sandbox data home and compare its outputs")
    p.add_argument("run", help="path, latest[:script], run id or unique prefix")
    p.add_argument("--timeout", type=float, default=None, help="seconds before giving up")
    p.add_argument(
        "--keep-outputs", action="store_true", help="keep the re-run's sandbox data home"
    )
    p = sub.add_parser("prune", help="delete old manifests and the results they recorded")
    p.add_argument(
        "--keep", type=non_negative_int, required=True, help="newest N finished runs to keep"
    )
    p.add_argument("--script", help="prune only this script's runs (backtest, qe-backtest, ...)")
    p.add_argument("--global", dest="overall", action="store_true", help="keep N overall")
    p.add_argument(
        "--keep-results", action="store_true", help="delete the manifests only, not their results"
    )
    p.add_argument("--dry-run", action="store_true", help="only say what would go, and its size")
    return parser


def console() -> Console:
    """Rich console on stdout; when piped, ``$COLUMNS`` wide, else wide so lines stay greppable."""
    if sys.stdout.isatty():
        return Console()
    columns = os.environ.get("COLUMNS", "")
    return Console(width=int(columns) if columns.isdigit() else PIPE_WIDTH)


def resolve(directory: Path, ref: str) -> tuple[Path, RunManifest]:
    """Find and load RUN; UsageError (exit 2) when it names no readable manifest."""
    path = lookup.find_manifest(directory, ref)
    try:
        return path, store.load_manifest(path)
    except DataError as exc:
        raise UsageError(str(exc)) from None


def list_rows(
    args: argparse.Namespace, directory: Path, limit: int
) -> tuple[list[RunRow], int, str | None]:
    """The rows to show, how many matched, and the script they were filtered to.

    Without ``--where`` or ``--sort`` the index answers the page itself (newest first); with
    them every row is read and filtered and sorted here.
    """
    fast = not args.where and args.sort is None
    found = query(
        directory,
        status=RunStatus(args.status) if fast and args.status else None,
        since=args.since if fast else None,
        limit=(limit or None) if fast and args.script is None else None,
    )
    if found.unreadable:
        names = ", ".join(p.name for p in found.unreadable)
        print(
            f"qe-runs: skipped {len(found.unreadable)} unreadable file(s): {names}", file=sys.stderr
        )
    script = None
    if args.script is not None:
        scripts = {r.script for r in index.latest_by_script(directory).rows}
        script = select.resolve_script(args.script, scripts | {r.script for r in found.rows})
    if fast and script is None:
        return found.rows, max(found.total, len(found.rows)), None
    chosen = select.filter_rows(
        found.rows, script=script, status=args.status, since=args.since, where=args.where
    )
    chosen = select.sort_rows(chosen, args.sort)
    return (chosen[:limit] if limit else chosen), len(chosen), script


def cmd_list(args: argparse.Namespace, directory: Path, out: Console) -> int:
    """Print runs newest first (or by --sort), filtered by script, status, time and --where."""
    limit = args.limit
    if limit is None:
        limit = 0 if args.json or args.csv else config.RUNS_LIST_LIMIT
    rows, matched, script = list_rows(args, directory, limit)
    prefixes = table.unique_prefixes(index.run_ids(directory))
    records = [table.record(r, prefixes[r.run_id]) for r in rows]
    if args.json:
        for item in records:
            print(json.dumps(item))
    elif args.csv:
        write_csv([table.flat_record(item) for item in records])
    elif not rows:
        out.print(f"no runs match in {directory}")
    else:
        out.print(list_table(rows, prefixes, script, directory))
    if len(rows) < matched:
        footer = f"showing {len(rows)} of {matched} runs; --limit 0 for all"
        print(footer, file=sys.stderr) if args.json or args.csv else out.print(footer)
    return 0


def write_csv(records: list[dict[str, Any]]) -> None:
    """Flat records as CSV with a header on stdout."""
    writer = csv.DictWriter(sys.stdout, fieldnames=table.csv_fields(records), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)


def list_table(
    rows: list[RunRow], prefixes: dict[str, str], script: str | None, directory: Path
) -> Table:
    """The run list: a script's own figure columns when every row is of that script, else a
    script column and a figures column."""
    scripts = {r.script for r in rows}
    own = script if script is not None else (next(iter(scripts)) if len(scripts) == 1 else None)
    columns = table.figure_columns(own) if own is not None else ()
    grid = Table(
        title=f"runs in {directory}",
        box=box.SIMPLE_HEAD,
        padding=(0, 1, 0, 0),
        pad_edge=False,
        show_edge=False,
    )
    grid.add_column("run id", no_wrap=True)
    if not columns:
        grid.add_column("script")
    grid.add_column("status", no_wrap=True)
    grid.add_column("started", no_wrap=True)
    if columns:
        for column in columns:
            numeric = column.kind is not table.Kind.TEXT
            grid.add_column(column.header, justify="right" if numeric else "left", no_wrap=True)
    else:
        grid.add_column("time", justify="right", no_wrap=True)
        grid.add_column("figures", overflow="fold")
    for row in rows:
        cells = [escape(prefixes[row.run_id])]
        if not columns:
            cells.append(escape(table.short_script(row.script)))
        cells += [f"[{STATUS_STYLE[row.status]}]{row.status.value}[/]", table.started_text(row)]
        if columns:
            cells += [escape(column.text(row)) for column in columns]
        else:
            cells += [table.duration_text(row), escape(table.summary_text(row))]
        grid.add_row(*cells)
    return grid


def commit_text(m: RunManifest) -> str:
    """Short commit with a ``*`` when the tree was dirty."""
    if m.code.commit is None:
        return ""
    return m.code.commit[:10] + ("*" if m.code.dirty else "")


def key_values(title: str, values: dict[str, Any]) -> Table:
    """A two-column table of named values (empty ones left out)."""
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("name", style="bold")
    table.add_column("value")
    for key, value in values.items():
        if value not in (None, "", [], {}):
            table.add_row(escape(str(key)), escape(shown(value)))
    return table


def shown(value: Any) -> str:
    """A recorded value for people: figures to 4 significant digits, lists of names joined
    (``show --json`` keeps the recorded form)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return cell(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(shown(v) for v in value)
    return verify.show(value)


def cmd_show(args: argparse.Namespace, directory: Path, out: Console) -> int:
    """Print one run: raw JSON, or a readable view."""
    path, m = resolve(directory, args.run)
    if args.json:
        print(store.dump_manifest(m).decode(), end="")
        return 0
    if args.csv:
        write_show_csv(row_of(path, m), m)
        return 0
    command = f"python -m {m.command.module} {' '.join(m.command.argv)}" if m.command else None
    out.print(
        key_values(
            f"run {m.run_id}",
            {
                "script": m.script,
                "status": m.status.value,
                "started": m.started_at.isoformat(),
                "finished": m.finished_at.isoformat() if m.finished_at else "",
                "duration (s)": m.duration_s,
                "command": command,
                "verify of": m.verify_of,
                "code": f"{m.code.package_version} {commit_text(m)} {m.code.branch or ''}".strip(),
                "python": f"{m.environment.python_version} on {m.environment.platform}",
                "host": m.environment.hostname,
                "seeds": m.seeds,
                "data digest": m.data_digest,
                "models": [f"{x.role.value}:{x.version_id}" for x in m.models],
                "manifest": str(path),
            },
        )
    )
    result = {
        k: compare.value_text(k, v) if isinstance(v, float) else v for k, v in m.result.items()
    }
    for title, values in (("resolved", m.resolved), ("result", result)):
        if values:
            out.print(key_values(title, dict(values)))
    if m.data:
        table = Table(title="data", title_justify="left")
        for column in ("input", "rows", "range", "sha256"):
            table.add_column(column)
        for d in m.data:
            span = f"{d.start} … {d.end}" if d.start else ""
            table.add_row(escape(d.name), str(d.rows or ""), span, d.sha256[:16])
        out.print(table)
    if m.outputs:
        table = Table(title="outputs", title_justify="left")
        for column in ("output", "bytes", "sha256", "path"):
            table.add_column(column)
        for o in m.outputs:
            table.add_row(escape(o.name), str(o.size), (o.sha256 or "missing")[:16], escape(o.path))
        out.print(table)
    if m.error is not None:
        out.print(f"[red]{escape(m.error.type)}: {escape(m.error.message)}[/]")
        if m.error.traceback:
            out.print(escape(m.error.traceback), highlight=False)
    return 0


def write_show_csv(row: RunRow, m: RunManifest) -> None:
    """One run as ``section,key,value`` rows: the run, its settings, metrics and outputs."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["section", "key", "value"])
    full = table.record(row)
    for key, value in full.items():
        if key not in ("settings", "metrics"):
            writer.writerow(["run", key, value])
    for section in ("settings", "metrics"):
        for key, value in full[section].items():
            writer.writerow([section, key, value])
    for o in m.outputs:
        writer.writerow(["outputs", o.name, o.path])


def cmd_diff(args: argparse.Namespace, directory: Path, out: Console) -> int:
    """Print what changed between two runs, settings and metrics first; exit 1 when anything
    did."""
    path_a, a = resolve(directory, args.a)
    path_b, b = resolve(directory, args.b)
    found = compare.compare(path_a, a, path_b, b)
    code = 1 if found.differ else 0
    if args.json:
        print(json.dumps(found.as_json(), indent=2))
        return code
    if args.csv:
        write_diff_csv(found)
        return code
    if not found.differ:
        out.print(f"no differences between {a.run_id} and {b.run_id}")
        return 0
    out.print(f"A = {a.run_id} ({a.script})\nB = {b.run_id} ({b.script})")
    grid = Table(box=box.SIMPLE_HEAD, title_justify="left")
    for column in ("", "A", "B", "B - A"):
        grid.add_column(column, justify="left" if column in ("", "A", "B") else "right")
    for title, changes in (("settings", found.settings), ("metrics", found.metrics)):
        for change in changes:
            grid.add_row(
                f"{title}.{escape(change.key)}",
                escape(compare.value_text(change.key, change.a)),
                escape(compare.value_text(change.key, change.b)),
                compare.delta_text(change),
            )
    if not found.settings:
        grid.add_row("settings", "same", "same", "")
    grid.add_row("data", escape(found.data_text()), "", "")
    out.print(grid)
    if found.other:
        rest = Table(title="other differences", title_justify="left", box=box.SIMPLE_HEAD)
        for column in ("section", "key", "A", "B"):
            rest.add_column(column, overflow="fold")
        for c in found.other:
            rest.add_row(c.section, escape(c.key), escape(short_hex(c.a)), escape(short_hex(c.b)))
        out.print(rest)
    return 1


DIGEST = re.compile(r"\b([0-9a-f]{12})[0-9a-f]{52}\b")
"""A sha256 in hex: shown by its first 12 digits in tables."""


def short_hex(text: str) -> str:
    """``text`` with every sha256 cut to 12 hex digits (JSON and CSV keep them whole)."""
    return DIGEST.sub(r"\1", text)


def write_diff_csv(found: compare.Comparison) -> None:
    """The comparison as ``section,key,a,b,delta`` rows."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["section", "key", "a", "b", "delta"])
    for title, changes in (("settings", found.settings), ("metrics", found.metrics)):
        for change in changes:
            writer.writerow([title, change.key, change.a, change.b, change.delta])
    writer.writerow(
        ["data", "inputs differing", found.data_inputs, "", ",".join(found.data_differ)]
    )
    for c in found.other:
        writer.writerow([c.section, c.key, c.a, c.b, ""])


def cmd_plot(args: argparse.Namespace, directory: Path, out: Console) -> int:
    """Overlay the equity curves of backtest runs in one PNG."""
    loaded = [resolve(directory, ref) for ref in args.runs]
    prefixes = table.unique_prefixes(index.run_ids(directory))
    curves = []
    for path, m in loaded:
        row = row_of(path, m)
        source = plot.equity_file(row, {o.name: o.path for o in m.outputs})
        curves.append(plot.read_curve(source, plot.label_of(row, prefixes.get(m.run_id, m.run_id))))
    title = f"equity of {len(curves)} run(s)"
    target = args.out.expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(target, plot.overlay_png(curves, title))
    out.print(f"wrote {escape(str(target))} ({len(curves)} equity curve(s))")
    return 0


def cmd_verify(args: argparse.Namespace, directory: Path, out: Console) -> int:
    """Re-run a run; exit 0 when every output reproduced, else 1 with the reasons."""
    path, m = resolve(directory, args.run)
    out.print(f"verifying {m.run_id} ({m.script}) ...")
    with progress_bar(f"verifying {m.run_id}", quiet=False) as report_progress:
        report = verify.verify_run(
            path, timeout=args.timeout, keep_outputs=args.keep_outputs, progress=report_progress
        )
    for problem in report.problems:
        out.print(f"[red]✗[/] {escape(problem)}")
    for note in report.notes:
        out.print(f"[dim]note:[/] {escape(note)}")
    if report.rerun_manifest is not None:
        out.print(f"[dim]re-run recorded in {escape(str(report.rerun_manifest))}[/]")
    if report.reproduced:
        out.print(f"[green]reproduced[/]: {len(m.outputs)} output(s) identical to {m.run_id}")
        return 0
    out.print(f"[red]NOT reproduced[/]: {m.run_id}")
    return 1


def cmd_prune(args: argparse.Namespace, directory: Path, out: Console) -> int:
    """Delete old manifests and their results (see :mod:`cleanup`), or list them (--dry-run)."""
    script = None
    if args.script is not None:
        script = select.resolve_script(args.script, {r.script for r in query(directory).rows})
    done = cleanup.prune(
        directory,
        args.keep,
        script=script,
        per_script=not args.overall,
        keep_results=args.keep_results,
        dry_run=args.dry_run,
    )
    verb = "would remove" if args.dry_run else "removed"
    for path in done.manifests:
        results = done.results.get(path, [])
        also = f" and {len(results)} result file(s)" if results else ""
        out.print(f"{verb} {escape(path.name)}{also}")
    for result in done.result_paths():
        out.print(f"  {escape(layout.relative_to_home(result))}", highlight=False)
    results = done.result_paths()
    out.print(
        f"{verb} {len(done.manifests)} manifest(s) and {len(results)} result file(s), "
        f"{byte_size(done.size())}, from {directory}"
    )
    if done.shared or done.outside:
        out.print(
            f"kept {len(done.shared)} result file(s) a remaining run also recorded and "
            f"{len(done.outside)} outside {layout.results_dir()}"
        )
    return 0


WRITING_COMMANDS = ("verify", "prune")
"""Commands that write into the data home (a re-run's files, deletions)."""

COMMANDS: dict[str, Callable[[argparse.Namespace, Path, Console], int]] = {
    "list": cmd_list,
    "show": cmd_show,
    "diff": cmd_diff,
    "plot": cmd_plot,
    "verify": cmd_verify,
    "prune": cmd_prune,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, run the command, return the exit code (errors: one line on stderr)."""
    words = joined_sort(list(sys.argv[1:] if argv is None else argv))
    return run_command("qe-runs", lambda: dispatch(build_parser().parse_args(words)))


def joined_sort(argv: list[str]) -> list[str]:
    """``--sort -sharpe`` as ``--sort=-sharpe``: argparse would take ``-sharpe`` for a flag."""
    words: list[str] = []
    for word in argv:
        if words and words[-1] == "--sort" and word.startswith("-") and word != "--":
            words[-1] = f"--sort={word}"
        else:
            words.append(word)
    return words


def dispatch(args: argparse.Namespace) -> int:
    """Run the parsed command against its manifest folder."""
    if args.dir is None:
        check_data_home(writable=args.command in WRITING_COMMANDS)
    directory = args.dir if args.dir is not None else layout.manifests_dir()
    return COMMANDS[args.command](args, directory, console())
