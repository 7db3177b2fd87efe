"""How long engine work reports progress without drawing anything itself.

The engine (data, models, backtest, autopilot) calls a :data:`ProgressCallback` as it goes; the
entry points decide whether and how to show it (a rich bar on a terminal, nothing otherwise).
"""

from __future__ import annotations

from collections.abc import Callable

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
