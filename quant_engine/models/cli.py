"""qe-models: list, show, use and remove the versions in the model registry.

VERSION is a version id or a unique prefix of one (the "m-" is optional). Each feature mode has
its own current model: the one qe-predict --feature-mode MODE uses. "use" makes a version the
current of its mode and records that in a run manifest; "remove" deletes only versions that are
current for no mode. Exit codes: 0 ok; 1 the registry could not be read; 2 bad usage (unknown or
ambiguous VERSION, a version in use)."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from quant_engine import cli
from quant_engine.cli import new_parser
from quant_engine.models.registry import ModelMetadata, ModelRegistry

USE_SCRIPT = "models_use"
"""The script name ``qe-models use`` records its manifests under (``qe-runs list --script``)."""
WIDE = 200
"""Console width when stdout is not a terminal and COLUMNS is unset, so lines are not wrapped."""
Command = Callable[[argparse.Namespace, ModelRegistry, Console], int]
"""One subcommand: its parsed arguments, the registry and the console in; the exit code out."""
LIST_FIELDS = (
    "version_id",
    "feature_mode",
    "model_kind",
    "train_start",
    "train_end",
    "ic",
    "rank_ic",
    "hit_rate",
    "n_folds",
    "created_at",
    "current",
)


def build_parser() -> argparse.ArgumentParser:
    """The ``qe-models`` argument parser."""
    parser = new_parser("qe-models", __doc__)
    parser.add_argument(
        "--dir", type=Path, default=None, help="registry folder (default: $QE_HOME/models)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="every version, newest first, and the current of each mode")
    p.set_defaults(run=cmd_list)
    form = p.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    form.add_argument("--csv", action="store_true", help="CSV with a header instead of a table")
    p = sub.add_parser("show", help="one version in full")
    p.set_defaults(run=cmd_show)
    p.add_argument("version", metavar="VERSION", help="version id or unique prefix")
    p.add_argument("--json", action="store_true", help="the metadata as JSON")
    p = sub.add_parser("use", help="make a version the current model of its feature mode")
    p.set_defaults(run=cmd_use)
    p.add_argument("version", metavar="VERSION", help="version id or unique prefix")
    p = sub.add_parser("remove", help="delete a version that is current for no feature mode")
    p.set_defaults(run=cmd_remove)
    p.add_argument("version", metavar="VERSION", help="version id or unique prefix")
    return parser


def console() -> Console:
    """Rich console on stdout: the terminal's width, COLUMNS if set, else wide when piped."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit():
        return Console()
    return Console(width=WIDE)


def figure(value: float | None) -> str:
    """A metric in 3 significant digits; empty when undefined."""
    return "" if value is None else f"{value:.3g}"


def created_text(meta: ModelMetadata) -> str:
    """``YYYY-MM-DD HH:MM`` (UTC) of a version's creation; empty when not recorded."""
    return (meta.created_at or "")[:16].replace("T", " ")


def list_record(meta: ModelMetadata, currents: dict[str, str]) -> dict[str, Any]:
    """One version as a flat record (the ``--json`` and ``--csv`` row)."""
    return {
        "version_id": meta.version_id,
        "feature_mode": meta.feature_mode,
        "model_kind": meta.model_kind,
        "train_start": meta.train_start,
        "train_end": meta.train_end,
        "ic": meta.metrics.ic,
        "rank_ic": meta.metrics.rank_ic,
        "hit_rate": meta.metrics.hit_rate,
        "n_folds": meta.metrics.n_folds,
        "created_at": meta.created_at,
        "current": currents.get(meta.feature_mode) == meta.version_id,
    }


def cmd_list(args: argparse.Namespace, registry: ModelRegistry, out: Console) -> int:
    """Print every version newest first, marking the current one of each feature mode."""
    versions = registry.versions()
    currents = registry.currents()
    records = [list_record(meta, currents) for meta in versions]
    if args.json:
        for record in records:
            print(json.dumps(record))
        return 0
    if args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=LIST_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return 0
    if not versions:
        out.print(f"no models in {registry.root}: run qe-train first")
        return 0
    table = Table(
        title=f"models in {registry.root}", title_justify="left", box=None, pad_edge=False
    )
    for column, justify in (
        ("version", "left"),
        ("mode", "left"),
        ("estimator", "left"),
        ("trained on", "left"),
        ("IC", "right"),
        ("created (UTC)", "left"),
        ("current", "left"),
    ):
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for meta, record in zip(versions, records, strict=True):
        table.add_row(
            meta.version_id,
            escape(meta.feature_mode),
            escape(meta.model_kind),
            f"{meta.train_start} – {meta.train_end}",
            figure(meta.metrics.ic),
            created_text(meta),
            "[green]current[/]" if record["current"] else "",
        )
    out.print(table)
    missing = sorted(set(currents) - {r["feature_mode"] for r in records if r["current"]})
    for mode in missing:
        out.print(f"[red]current {escape(mode)} model {currents[mode]} is missing[/]")
    return 0


def cmd_show(args: argparse.Namespace, registry: ModelRegistry, out: Console) -> int:
    """Print one version's metadata, files and whether it is current."""
    version_id = registry.match(args.version)
    meta = registry.read_metadata(version_id)
    current_of_mode = registry.current_version(meta.feature_mode)
    if args.json:
        payload = {**meta.model_dump(mode="json"), "current": current_of_mode == version_id}
        print(json.dumps(payload, indent=2, sort_keys=True))
        return 0
    is_current = current_of_mode == version_id
    m = meta.metrics
    rows: dict[str, str] = {
        "feature mode": meta.feature_mode,
        "estimator": meta.model_kind,
        "current": (
            f"yes, for feature mode {meta.feature_mode}"
            if is_current
            else f"no (current {meta.feature_mode} model: {current_of_mode or 'none'})"
        ),
        "created (UTC)": created_text(meta),
        "trained on": f"{meta.train_start} – {meta.train_end}, {meta.n_rows} rows",
        "out-of-sample": (
            f"IC {figure(m.ic)}, rank IC {figure(m.rank_ic)}, hit rate {figure(m.hit_rate)} "
            f"({m.n_obs} obs, {m.n_folds} folds)"
        ),
        "label": f"{meta.horizon}-day forward return, embargo {meta.embargo} days",
        "seed": str(meta.seed),
        "tickers": f"{len(meta.tickers)}: {', '.join(meta.tickers)}",
        "features": f"{len(meta.feature_names)}: {', '.join(meta.feature_names)}",
        "data digest": meta.data_digest,
    }
    for name, path in registry.paths(version_id).items():
        size = f"{path.stat().st_size:,} bytes" if path.is_file() else "missing"
        rows[f"file: {name}"] = f"{path} ({size})"
    table = Table(title=f"model {version_id}", show_header=False, title_justify="left")
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for label, value in rows.items():
        table.add_row(label, escape(value))
    out.print(table)
    return 0


def cmd_use(args: argparse.Namespace, registry: ModelRegistry, out: Console) -> int:
    """Make a version the current of its feature mode, recorded in a run manifest."""
    from quant_engine.runs.record import record_run

    version_id = registry.match(args.version)
    meta = registry.read_metadata(version_id)
    with record_run(args, USE_SCRIPT) as run:
        previous = registry.current_version(meta.feature_mode)
        run.resolve(
            version=version_id,
            feature_mode=meta.feature_mode,
            model_kind=meta.model_kind,
            registry=str(registry.root),
        )
        run.add_model(version_id, role="read")
        registry.set_current(version_id)
        run.set_result(current=version_id, feature_mode=meta.feature_mode, previous=previous)
    was = "already current" if previous == version_id else f"was {previous or 'none'}"
    out.print(
        f"model {version_id} ({escape(meta.model_kind)}) is now the current "
        f"{escape(meta.feature_mode)} model ({was}); recorded in {run.manifest_path}"
    )
    return 0


def cmd_remove(args: argparse.Namespace, registry: ModelRegistry, out: Console) -> int:
    """Delete a version nothing uses; refuse (exit 2, with the reason) otherwise."""
    version_id = registry.match(args.version)
    folder = registry.remove(version_id)
    out.print(f"removed model {version_id} ({folder})")
    return 0


WRITING_COMMANDS = (cmd_use, cmd_remove)
"""Subcommands that change the registry: they need a writable data home."""


def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``qe-models``: parse ``argv``, run the command, return the exit code.

    Settings are checked first, ``--help`` included, so a bad ``QE_*`` value is one line, exit 2.
    """

    def body() -> int:
        args = build_parser().parse_args(argv)
        if args.dir is None:
            cli.check_data_home(writable=args.run in WRITING_COMMANDS)
        command: Command = args.run
        return command(args, ModelRegistry(args.dir), console())

    return cli.run_command("qe-models", body)


if __name__ == "__main__":
    raise SystemExit(main())
