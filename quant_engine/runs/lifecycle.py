"""How a run ends: its final status and error record, and stop signals turned into exceptions.

A usage error (a :class:`~quant_engine.errors.QuantEngineError` with exit code 2: unknown
ticker, bad flag value, missing credential) ends the run ``rejected``, recorded with its one-line
message and no traceback: the invocation was refused, nothing broke, and health checks skip it.

While a run is recorded, SIGTERM raises :class:`RunTerminated` (a ``KeyboardInterrupt``, so the
run is ``interrupted`` and Ctrl-C handlers apply); while the final manifest is written, SIGINT
and SIGTERM are held and re-raised afterwards, so a stop never leaves a run looking ``running``.
"""

from __future__ import annotations

import signal
import threading
import traceback
from types import FrameType
from typing import Any

from quant_engine.errors import QuantEngineError
from quant_engine.runs.manifest import ErrorInfo, RunStatus
from quant_engine.runs.redaction import redact_text

USAGE_EXIT = 2
"""Exit code of bad usage: a run that ends with it was rejected, not failed."""


class RunTerminated(KeyboardInterrupt):
    """SIGTERM (or another stop signal) arrived inside :func:`record_run`: run interrupted."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """Conventional shell exit code for death by this signal (143 for SIGTERM)."""
        return 128 + self.signum


def outcome(exc: BaseException | None) -> tuple[RunStatus, ErrorInfo | None]:
    """Final status (and error record) for a run that ended with ``exc``."""
    if exc is None or (isinstance(exc, SystemExit) and exc.code in (0, None)):
        return RunStatus.SUCCESS, None
    kind = type(exc)
    name = kind.__qualname__
    rejected = isinstance(exc, QuantEngineError) and exc.exit_code == USAGE_EXIT
    error = ErrorInfo(
        type=name if kind.__module__ == "builtins" else f"{kind.__module__}.{name}",
        message=redact_text(str(exc)),
        traceback=None if rejected else redact_text("".join(traceback.format_exception(exc))),
    )
    if rejected:
        return RunStatus.REJECTED, error
    status = RunStatus.INTERRUPTED if isinstance(exc, KeyboardInterrupt) else RunStatus.FAILED
    return status, error


class SignalGuard:
    """Turns SIGTERM into :class:`RunTerminated` during a run (main thread only), and defers
    SIGINT/SIGTERM while the final manifest is written, re-raising them afterwards."""

    def __init__(self) -> None:
        self.active = threading.current_thread() is threading.main_thread()
        self.deferring = False
        self.pending: int | None = None
        self.previous: dict[int, Any] = {}

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """Signal handler: raise now, or remember for after the manifest is written."""
        if self.deferring:
            self.pending = self.pending or signum
            return
        raise RunTerminated(signum)

    def install(self, *signums: int) -> None:
        """Route ``signums`` to :meth:`handle`, remembering the handlers they replace."""
        if not self.active:
            return
        for signum in signums:
            self.previous.setdefault(signum, signal.getsignal(signum))
            signal.signal(signum, self.handle)

    def defer(self) -> None:
        """From now on, hold SIGINT/SIGTERM until :meth:`restore`."""
        self.deferring = True
        self.install(signal.SIGINT, signal.SIGTERM)

    def restore(self) -> None:
        """Reinstate the previous handlers."""
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        self.previous.clear()

    def raise_pending(self) -> None:
        """Raise the signal that arrived while deferring, if any."""
        if self.pending == signal.SIGINT:
            raise KeyboardInterrupt
        if self.pending is not None:
            raise RunTerminated(self.pending)
