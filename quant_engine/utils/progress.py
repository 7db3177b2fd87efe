"""How long work reports progress, and the one display that shows it.

The engine (data, models, backtest, autopilot) only calls a :data:`ProgressCallback` as it goes;
the commands decide whether to show it: :func:`progress_display` draws rich bars on stderr when
it is a terminal and nothing with ``--quiet`` or into a pipe or file. Rich is imported only there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.progress import Progress

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each item completes (and once with 0 first)."""


def ignore_progress(done: int, total: int) -> None:
    """The default progress callback: nothing to show."""


class ProgressCounter:
    """Counts items done across the stages of one piece of work and reports the running total.

    Stages that each count from zero report through one callback as one rising count.
    """

    def __init__(self, report: ProgressCallback | None, total: int) -> None:
        self.report = report or ignore_progress
        self.total = total
        self.done = 0
        self.report(0, total)

    def advance(self, count: int = 1) -> None:
        """Mark ``count`` more items done."""
        self.done = min(self.total, self.done + count)
        self.report(self.done, self.total)


def stderr_console() -> Any:
    """The console progress bars and logs draw on (stderr keeps stdout for results)."""
    from rich.console import Console

    return Console(stderr=True)


def progress_display(*, quiet: bool) -> Progress:
    """Rich progress bars on stderr; silent when ``quiet`` or when stderr is not a terminal (a
    log file or a scheduler gets no bar)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = stderr_console()
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet or not console.is_terminal,
    )


@contextmanager
def progress_bar(description: str, *, quiet: bool) -> Iterator[ProgressCallback]:
    """One long step's bar (see :func:`progress_display`), as the callback work reports to."""
    with progress_display(quiet=quiet) as bar:
        task = bar.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report
