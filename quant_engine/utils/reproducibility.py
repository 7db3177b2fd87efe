"""Reproducibility run manifests: the public façade of :mod:`quant_engine.runs`.

Every entry point records its run with :func:`record_run`; ``qe-runs`` (:func:`main`) lists,
shows, diffs, verifies and prunes the manifests. The machinery lives in :mod:`quant_engine.runs`
(model, recorder, lifecycle, store, provenance, redaction, hashing, verify, cli); this module
keeps the names callers and the console script use.
"""

from __future__ import annotations

from collections.abc import Sequence

from quant_engine.runs.lifecycle import RunTerminated
from quant_engine.runs.manifest import RunManifest, RunStatus
from quant_engine.runs.record import build_run_manifest, record_run, write_run_manifest
from quant_engine.runs.recorder import MarketDataLike, RunRecorder
from quant_engine.runs.verify import VERIFY_ENV_VAR

__all__ = [
    "VERIFY_ENV_VAR",
    "MarketDataLike",
    "RunManifest",
    "RunRecorder",
    "RunStatus",
    "RunTerminated",
    "build_run_manifest",
    "main",
    "record_run",
    "write_run_manifest",
]


def main(argv: Sequence[str] | None = None) -> int:
    """``qe-runs``: list, show, diff, verify and prune run manifests; returns the exit code."""
    from quant_engine.runs.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
