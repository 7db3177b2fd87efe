"""Command-line plumbing of the audit tools (flags, errors, progress), apart from the engine's cli.

The audit reads the engine; it must not import it beyond ``layout`` and ``config`` (and the
``errors`` module config raises from), so a renamed or broken engine module becomes a finding
instead of a crash of the tool reporting it. Same behaviour as the engine's commands: one-line
usage errors (exit 2), one-line run-time errors (the error's exit code, 1 for an OSError).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from quant_engine import config, layout
from quant_engine.errors import ConfigError, QuantEngineError, error_line

ProgressCallback = Callable[[int, int], None]
"""``report(done, total)``: how far a piece of work has got."""


class OneLineErrorParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line naming the flag, then exit 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``<prog>: error: <message> (see --help)`` on stderr and exit 2."""
        first = message.strip().splitlines()[0] if message.strip() else message
        self.exit(2, f"{self.prog}: error: {first} (see {self.prog} --help)\n")


def new_parser(prog: str, description: str | None) -> argparse.ArgumentParser:
    """A tool's parser: ``prog`` names it, ``description`` is usually its ``__doc__``."""
    return OneLineErrorParser(
        prog=prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def run_command(prog: str, body: Callable[[], int]) -> int:
    """Run ``body`` after the environment check; a QuantEngineError or OSError is one line on
    stderr; argparse's own exits (0 for ``--help``, 2 for a bad flag) pass through."""
    try:
        config.check_environment()
        return body()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    except QuantEngineError as exc:
        print(f"{prog}: error: {error_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        print(f"{prog}: error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return 1


def positive_int(text: str) -> int:
    """argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def file_in_the_way(folder: Path) -> str | None:
    """Why ``folder`` cannot be a folder (``is a file``, ``is under a file (X)``), or None."""
    blocker = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if blocker is None or blocker.is_dir():
        return None
    return "is a file" if blocker == folder else f"is under a file ({blocker})"


def folder_path(text: str) -> Path:
    """argparse type: a folder to write into (it may not exist yet; no file in the way)."""
    path = Path(text).expanduser()
    in_the_way = file_in_the_way(path)
    if in_the_way:
        raise argparse.ArgumentTypeError(f"{text} {in_the_way}: expected a folder")
    return path


def file_path(text: str) -> Path:
    """argparse type: a file to write (it may not exist yet; not a folder, no file above it)."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder: expected a file name")
    folder_path(str(path.parent))
    return path


def check_data_home() -> Path:
    """The data home (the tools keep their caches there), made if missing; ConfigError naming
    the variable when it cannot be written."""
    home = layout.data_home()
    var = layout.HOME_ENV_VAR
    fix = f"set {var} to a writable folder"
    in_the_way = file_in_the_way(home)
    if in_the_way:
        raise ConfigError(f"{var}: {home} {in_the_way}; {fix}")
    try:
        home.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=home).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"{var}: {home} cannot be written ({reason}); {fix}") from None
    return home


class StepCounter:
    """Counts the steps of a command and reports the running total to a callback."""

    def __init__(self, report: ProgressCallback | None, total: int) -> None:
        self.report = report or (lambda done, total: None)
        self.total = total
        self.done = 0
        self.report(0, total)

    def advance(self) -> None:
        """One more step done."""
        self.done = min(self.total, self.done + 1)
        self.report(self.done, self.total)


@contextmanager
def step_bar(description: str) -> Iterator[ProgressCallback]:
    """A progress bar on stderr when it is a terminal (rich), else nothing; yields its callback."""
    if not sys.stderr.isatty():  # a log or CI: no bar, and no rich import to pay for
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as bar:
        task = bar.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report
