"""The shared main() of the data-pipeline scripts: parse, log, run under a manifest, exit code.

Like ``quant_engine.entrypoint.run_entry_point`` but for files in ``scripts/`` (their manifest
has no ``python -m`` command, as they are not modules of the package). Exit codes: 0 ok,
1 the run failed (one line; the traceback is in the manifest), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quant_engine.utils.reproducibility import RunRecorder

Job = Callable[[argparse.Namespace, "RunRecorder"], Callable[[], None]]
"""A job runs, records its result, and returns what prints the human summary."""


def run_recorded(
    script: str, parser: argparse.ArgumentParser, argv: Sequence[str] | None, job: Job
) -> int:
    """Run ``job`` for ``script`` under a run manifest and return the exit code."""
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help is 0, a bad flag is 2
        return exc.code if isinstance(exc.code, int) else 2
    from quant_engine.entrypoint import configure_logging
    from quant_engine.errors import QuantEngineError
    from quant_engine.utils.reproducibility import record_run

    configure_logging(args.verbose, args.quiet)
    try:
        with record_run(args, script_name=script) as recorder:
            summarise = job(args, recorder)
    except QuantEngineError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # one line for the user; the traceback is in the run manifest
        print(f"{parser.prog}: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        summarise()
    return 0
