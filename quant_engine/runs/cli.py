"""``qe-runs`` (``python -m quant_engine.utils.reproducibility``): list, show, diff, verify, prune.

RUN is a manifest path, ``latest`` / ``latest:<script>``, a run id, a unique run-id prefix or
the 6-hex short id. Exit codes: 0 ok (verify: reproduced; diff: no differences); 1 not ok
(verify: not reproduced; diff: the runs differ); 2 bad usage (unknown or ambiguous RUN ...).
``latest`` is the newest finished successful run. A ``running`` run whose process is gone is
shown ``dead``. ``prune --keep N`` keeps the newest N finished runs of each script (``--global``:
N overall; ``--script S``: only S's) and never removes a live run, a latest pointer's target or
the run that wrote the model the registry serves.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from quant_engine import layout
from quant_engine.cli import (
    check_data_home,
    folder_path,
    new_parser,
    non_negative_int,
    positive_int,
    run_command,
)
from quant_engine.errors import DataError, UsageError
from quant_engine.runs import store, verify
from quant_engine.runs.manifest import RunManifest, RunStatus
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


def build_parser() -> argparse.ArgumentParser:
    """The ``qe-runs`` argument parser."""
    parser = new_parser("qe-runs", "List, show, diff, verify and prune run manifests.")
    parser.add_argument(
        "--dir",
        type=folder_path,
        default=None,
        help="manifest folder (default: $QE_HOME/manifests)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="runs, newest first")
    p.add_argument("--script", help="only this entry point's runs")
    p.add_argument("--status", choices=[s.value for s in RunStatus], help="only this status")
    p.add_argument("-n", "--limit", type=positive_int, default=None, help="at most N runs")
    p.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    p = sub.add_parser("show", help="one run in full")
    p.add_argument("run", help="path, latest[:script], run id or unique prefix")
    p.add_argument("--json", action="store_true", help="the manifest's JSON, status as read now")
    p = sub.add_parser("diff", help="what changed between two runs")
    p.add_argument("a", help="first run")
    p.add_argument("b", help="second run")
    p = sub.add_parser("verify", help="re-run a run in a sandbox data home and compare its outputs")
    p.add_argument("run", help="path, latest[:script], run id or unique prefix")
    p.add_argument("--timeout", type=float, default=None, help="seconds before giving up")
    p.add_argument(
        "--keep-outputs", action="store_true", help="keep the re-run's sandbox data home"
    )
    p = sub.add_parser("prune", help="delete old manifests")
    p.add_argument(
        "--keep", type=non_negative_int, required=True, help="newest N finished runs to keep"
    )
    p.add_argument("--script", help="prune only this entry point's runs")
    p.add_argument("--global", dest="overall", action="store_true", help="keep N overall")
    p.add_argument("--dry-run", action="store_true", help="only say what would go")
    return parser


def console() -> Console:
    """Rich console on stdout; wide when piped, so lines stay greppable."""
    return Console() if sys.stdout.isatty() else Console(width=PIPE_WIDTH)


def resolve(directory: Path, ref: str) -> tuple[Path, RunManifest]:
    """Find and load RUN; UsageError (exit 2) when it names no readable manifest."""
    path = store.find_manifest(directory, ref)
    try:
        return path, store.load_manifest(path)
    except DataError as exc:
        raise UsageError(str(exc)) from None


def cmd_list(args: argparse.Namespace, directory: Path, out: Console) -> int:
    """Print runs newest first, filtered by script and status."""
    status = RunStatus(args.status) if args.status is not None else None
    found = store.scan(directory, script=args.script, status=status)
    rows = found.entries[: args.limit]
    if found.unreadable:
        names = ", ".join(p.name for p in found.unreadable)
        print(
            f"qe-runs: skipped {len(found.unreadable)} unreadable file(s): {names}", file=sys.stderr
        )
    if args.json:
        for path, m in rows:
            summary = m.model_dump(
                mode="json", include={"run_id", "script", "status", "started_at", "duration_s"}
            )
            print(json.dumps({**summary, "path": str(path)}))
        return 0
    table = Table(title=f"runs in {directory}")
    for column in ("run id", "script", "status", "started (UTC)", "duration", "result", "commit"):
        table.add_column(column, no_wrap=column in ("run id", "started (UTC)"))
    for _, m in rows:
        table.add_row(
            m.run_id,
            escape(m.script) + (" [dim](verify)[/]" if m.verify_of else ""),
            f"[{STATUS_STYLE[m.status]}]{m.status.value}[/]",
            m.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            f"{m.duration_s:.2f}s" if m.duration_s is not None else "",
            escape(", ".join(f"{k}={v}" for k, v in list(m.result.items())[:3])),
            commit_text(m),
        )
    out.print(table)
    return 0


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
            table.add_row(escape(str(key)), escape(verify.show(value)))
    return table


def cmd_show(args: argparse.Namespace, directory: Path, out: Console) -> int:
    """Print one run: raw JSON, or a readable view."""
    path, m = resolve(directory, args.run)
    if args.json:
        print(store.dump_manifest(m).decode(), end="")
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
    for title, values in (("resolved", m.resolved), ("result", m.result)):
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


def cmd_diff(args: argparse.Namespace, directory: Path, out: Console) -> int:
    """Print what changed between two runs; exit 1 when anything did."""
    _, a = resolve(directory, args.a)
    _, b = resolve(directory, args.b)
    changes = verify.diff_manifests(a, b)
    if not changes:
        out.print(f"no differences between {a.run_id} and {b.run_id}")
        return 0
    table = Table(title=f"A = {a.run_id}   B = {b.run_id}")
    for column in ("section", "key", "A", "B"):
        table.add_column(column)
    for c in changes:
        table.add_row(c.section, escape(c.key), escape(c.a), escape(c.b))
    out.print(table)
    return 1


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
    """Delete old manifests (see :func:`store.prune` for what stays), or list them (--dry-run)."""
    removed = store.prune(
        directory, args.keep, script=args.script, per_script=not args.overall, dry_run=args.dry_run
    )
    verb = "would remove" if args.dry_run else "removed"
    for path in removed:
        out.print(f"{verb} {escape(path.name)}")
    out.print(f"{verb} {len(removed)} file(s) from {directory}")
    return 0


WRITING_COMMANDS = ("verify", "prune")
"""Commands that write into the data home (a re-run's files, deletions)."""

COMMANDS: dict[str, Callable[[argparse.Namespace, Path, Console], int]] = {
    "list": cmd_list,
    "show": cmd_show,
    "diff": cmd_diff,
    "verify": cmd_verify,
    "prune": cmd_prune,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, run the command, return the exit code (errors: one line on stderr)."""
    return run_command("qe-runs", lambda: dispatch(build_parser().parse_args(argv)))


def dispatch(args: argparse.Namespace) -> int:
    """Run the parsed command against its manifest folder."""
    if args.dir is None:
        check_data_home(writable=args.command in WRITING_COMMANDS)
    directory = args.dir if args.dir is not None else layout.manifests_dir()
    return COMMANDS[args.command](args, directory, console())
