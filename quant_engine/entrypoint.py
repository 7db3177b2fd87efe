"""The shared runner of every ``run_*.py``: parse flags, log, record a manifest, run, summarise.

Exit codes: 0 ok; 1 the run failed (one line on stderr naming the file of a disk error; the
traceback with ``-v``, and in the manifest when it could be written); 2 bad usage (argparse
errors, bad environment values, a bad data home, unknown tickers, missing credentials); 130
interrupted by Ctrl-C, 143 by SIGTERM. Heavy imports happen inside
the job, after parsing, so ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from quant_engine import config, layout
from quant_engine.cli import check_data_home
from quant_engine.errors import QuantEngineError, error_line, os_error_line
from quant_engine.utils.progress import stderr_console

if TYPE_CHECKING:
    from quant_engine.runs.recorder import RunRecorder


class RunReport(NamedTuple):
    """What a run's work hands back: a title, labelled figures, and the files it wrote.

    A NamedTuple rather than a dataclass: ``dataclasses`` would add ``inspect`` to ``--help``.
    """

    title: str
    rows: Mapping[str, object] | None = None
    outputs: Mapping[str, Path] | None = None


RunWork = Callable[[argparse.Namespace, "RunRecorder"], "RunReport | Callable[[], None]"]
"""An entry point's work: returns a RunReport, or a function printing its own report on success."""


def run_entry_point(
    script: str,
    build_parser: Callable[[], argparse.ArgumentParser],
    argv: Sequence[str] | None,
    job: RunWork,
    *,
    as_module: bool = True,
) -> int:
    """Run ``job`` for ``script`` under a run manifest; return the exit code.

    ``as_module=False`` is for tools in ``scripts/``: they are files, not package modules, so
    the manifest records no ``python -m`` command for ``qe-runs verify`` to replay.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    prog = ""
    try:
        parser = build_parser()
        prog = parser.prog
        config.check_environment()
        args = parser.parse_args(argv)
        check_data_home(writable=True)
    except QuantEngineError as exc:
        print(f"{prog or command_name(script)}: error: {error_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except SystemExit as exc:  # argparse: --help is 0, a bad flag is 2
        return exc.code if isinstance(exc.code, int) else 2
    configure_logging(args.verbose, args.quiet)

    from quant_engine.runs.record import record_run

    run: RunRecorder | None = None
    try:
        module = f"quant_engine.{script}" if as_module else None
        with record_run(args, script_name=script, module=module, argv=argv) as run:
            summary = job(args, run)
    except KeyboardInterrupt as exc:  # Ctrl-C is 130; SIGTERM (RunTerminated) carries 143
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return int(getattr(exc, "exit_code", 130))
    except QuantEngineError as exc:
        _report_failure(parser.prog, exc, args.verbose, run=None)
        return exc.exit_code
    except Exception as exc:
        _report_failure(parser.prog, exc, args.verbose, run=run)
        return 1
    if not args.quiet:
        report(with_dropped_tickers(summary, run.manifest.result), run.manifest_path)
    return 0


DROPPED_TICKERS = "dropped_tickers"
"""Manifest result key listing requested tickers with no rows in the run's window."""


def with_dropped_tickers(
    summary: RunReport | Callable[[], None], result: Mapping[str, object]
) -> RunReport | Callable[[], None]:
    """``summary`` with a row naming the requested tickers the run had no rows for, if any."""
    dropped = result.get(DROPPED_TICKERS)
    if not dropped or not isinstance(summary, RunReport):
        return summary
    rows = {**(summary.rows or {}), "dropped tickers (no rows in the window)": dropped}
    return summary._replace(rows=rows)


def command_name(script: str) -> str:
    """What the user typed to run ``quant_engine.<script>``: its console script (``qe-train``),
    else ``python -m quant_engine.<script>``."""
    from importlib.metadata import entry_points

    target = f"{__package__}.{script}:main"
    names = [ep.name for ep in entry_points(group="console_scripts") if ep.value == target]
    return names[0] if names else f"python -m {__package__}.{script}"


def report(summary: RunReport | Callable[[], None], manifest_path: Path | None) -> None:
    """Print a job's summary table, or call the job's own report printer."""
    if isinstance(summary, RunReport):
        print_summary(summary, manifest_path)
    else:
        summary()


def _report_failure(
    prog: str, exc: BaseException, verbose: int, *, run: RunRecorder | None
) -> None:
    """One line on stderr; an unexpected error (``run`` given) gets the traceback hint, which
    mentions the manifest only when the run's manifest really holds the error."""
    import traceback

    from quant_engine.runs.redaction import redact_text

    if verbose:
        print(redact_text("".join(traceback.format_exception(exc))), end="", file=sys.stderr)
    if isinstance(exc, QuantEngineError):
        text = error_line(exc)
    elif isinstance(exc, OSError) and exc.filename is not None:
        text = os_error_line(exc)
    else:
        text = f"{type(exc).__name__}: {error_line(exc)}"
    hint = ""
    if run is not None and not verbose:
        where = "; it is also in the run manifest" if manifest_has_error(run) else ""
        hint = f" (-v for the traceback{where})"
    print(f"{prog}: error: {redact_text(text)}{hint}", file=sys.stderr)


def manifest_has_error(run: RunRecorder) -> bool:
    """True when the run's manifest file exists and records the run's error."""
    from quant_engine.runs.store import load_manifest

    if run.manifest_path is None:
        return False
    try:
        return load_manifest(run.manifest_path).error is not None
    except QuantEngineError:
        return False


def configure_logging(verbose: int, quiet: bool) -> None:
    """Rich logging on stderr: WARNING by default, INFO with -v, DEBUG with -vv, ERROR with -q;
    URL credentials are hidden in every line."""
    import logging

    from rich.logging import RichHandler

    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    from quant_engine.runs.redaction import RedactingFilter

    handler = RichHandler(console=stderr_console(), show_path=False, show_time=False)
    handler.addFilter(RedactingFilter())
    logging.basicConfig(level=level, handlers=[handler], format="%(message)s", force=True)


def output_dir(args: argparse.Namespace, run: RunRecorder) -> Path:
    """``--output-dir`` if given, else ``$QE_HOME/results/<script>/<run_id>`` of ``run``; made."""
    chosen: Path | None = args.output_dir
    default = layout.results_dir() / run.manifest.script / run.run_id
    path = chosen if chosen is not None else default
    path.mkdir(parents=True, exist_ok=True)
    return path


def print_summary(summary: RunReport, manifest_path: Path | None) -> None:
    """A short table of the run's figures and every file it wrote, on stdout."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=summary.title, show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    for label, value in (summary.rows or {}).items():
        table.add_row(label, format_value(value))
    for name, path in (summary.outputs or {}).items():
        table.add_row(f"output: {name}", str(path))
    if manifest_path is not None:
        table.add_row("manifest", str(manifest_path))
    Console(soft_wrap=True).print(table)


def format_value(value: object) -> str:
    """Human formatting for a summary cell: floats to 4 significant digits."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={format_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)
