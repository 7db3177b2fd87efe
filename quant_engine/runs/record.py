"""Recording a run: every entry point records what ran, on what, with what result.

Use :func:`record_run` around a run: it writes a ``running`` manifest at start (into
``layout.manifests_dir()``), collects what the run reports (resolved settings, seeds, inputs,
models, outputs, results), and at the end rewrites the same file in place, atomically, with the
final status: ``success``, ``failed`` (type, message, traceback) or ``interrupted`` (Ctrl-C, or
SIGTERM, which is turned into :class:`RunTerminated` while inside). The exception propagates.

The manifest records ``command`` = ``python -m <module> <argv>``; ``qe-runs verify RUN`` re-runs it
with ``--output-dir <tmp>`` and ``QE_VERIFY_OF=<run id>`` set, which this module stores as
``verify_of`` (such re-runs do not move the latest pointers).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from quant_engine import config, layout
from quant_engine.runs import store
from quant_engine.runs.lifecycle import SignalGuard
from quant_engine.runs.manifest import CommandInfo, RunManifest, RunStatus
from quant_engine.runs.provenance import collect_provenance
from quant_engine.runs.recorder import RunRecorder
from quant_engine.runs.redaction import redact_argv, redact_mapping
from quant_engine.runs.verify import VERIFY_ENV_VAR

__all__ = ["build_run_manifest", "new_manifest", "new_run_id", "record_run", "write_run_manifest"]


def new_run_id(now: datetime | None = None) -> str:
    """``<UTC µs timestamp>-<pid>-<6 hex>``: unique under concurrency and sortable by start."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{moment:%Y%m%dT%H%M%S.%fZ}-{os.getpid()}-{secrets.token_hex(3)}"


def cli_args_of(args: argparse.Namespace | Mapping[str, Any] | None) -> dict[str, Any]:
    """The parsed arguments as a JSON-safe, redacted mapping."""
    if args is None:
        return {}
    values = vars(args) if isinstance(args, argparse.Namespace) else dict(args)
    return redact_mapping(values)


def command_info(module: str, argv: Sequence[str] | None) -> CommandInfo:
    """How to re-run this process: ``python -m module argv`` (secret flag values redacted)."""
    args = list(sys.argv[1:] if argv is None else argv)
    return CommandInfo(
        module=module, argv=redact_argv(args), cwd=os.getcwd(), python=sys.executable
    )


def new_manifest(
    args: argparse.Namespace | Mapping[str, Any] | None,
    script_name: str,
    *,
    status: RunStatus,
    command: CommandInfo | None = None,
    resolved: Mapping[str, Any] | None = None,
) -> RunManifest:
    """A manifest with everything known before the run does its work."""
    started = datetime.now(UTC)
    code, environment = collect_provenance()
    cli_args = cli_args_of(args)
    seed = cli_args.get("seed")
    return RunManifest(
        run_id=new_run_id(started),
        script=script_name,
        status=status,
        started_at=started,
        command=command,
        verify_of=os.environ.get(VERIFY_ENV_VAR) or None,
        data_home=str(layout.data_home()),
        cli_args=cli_args,
        resolved=redact_mapping(resolved or {}),
        config=redact_mapping(config.snapshot()),
        config_sha256=config.snapshot_sha256(),
        code=code,
        environment=environment,
        seeds={"seed": seed} if isinstance(seed, int) and not isinstance(seed, bool) else {},
    )


def build_run_manifest(
    args: argparse.Namespace | Mapping[str, Any] | None, script_name: str, **extra: Any
) -> RunManifest:
    """A complete manifest for a run that has already finished; ``extra`` goes to ``resolved``.

    Prefer :func:`record_run`, which also tracks status, inputs and outputs.
    """
    manifest = new_manifest(args, script_name, status=RunStatus.SUCCESS, resolved=extra)
    return manifest.model_copy(update={"finished_at": manifest.started_at})


def write_run_manifest(
    manifest: RunManifest, output_dir: Path, filename: str | None = None
) -> Path:
    """Write a new manifest file (unique, atomic, never overwriting) and move latest pointers."""
    return store.publish(manifest, Path(output_dir), filename)


@contextlib.contextmanager
def record_run(
    args: argparse.Namespace | Mapping[str, Any] | None,
    script_name: str,
    *,
    module: str | None = None,
    argv: Sequence[str] | None = None,
    output_dir: Path | None = None,
) -> Iterator[RunRecorder]:
    """Record one run: ``running`` manifest now, final status on exit (exceptions re-raised)."""
    command = command_info(module, argv) if module is not None else None
    manifest = new_manifest(args, script_name, status=RunStatus.RUNNING, command=command)
    directory = Path(output_dir) if output_dir is not None else layout.manifests_dir()
    recorder = RunRecorder(manifest, directory)
    recorder.start()
    guard = SignalGuard()
    guard.install(signal.SIGTERM)
    try:
        yield recorder
    except BaseException as exc:
        guard.defer()
        try:
            recorder.finish(exc)
        except Exception as write_error:  # keep the run's own error as the one that surfaces
            exc.add_note(f"run manifest could not be finalised: {write_error}")
        finally:
            guard.restore()
        raise
    guard.defer()
    try:
        recorder.finish(None)
    finally:
        guard.restore()
    guard.raise_pending()
