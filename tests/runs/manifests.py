"""Manifests written for tests: finished ones with a chosen run id, running ones with chosen
process facts."""

from __future__ import annotations

import os
from pathlib import Path

from quant_engine.runs import liveness, store
from quant_engine.runs.manifest import RunManifest, RunStatus
from quant_engine.runs.record import new_manifest
from quant_engine.utils.reproducibility import build_run_manifest


def make(script: str, stamp: str) -> RunManifest:
    """A finished manifest whose run id starts with ``stamp`` (controls ordering)."""
    m = build_run_manifest(None, script)
    return m.model_copy(update={"run_id": f"{stamp}-1-{os.urandom(3).hex()}"})


def running_as(tmp_path: Path, **environment: object) -> Path:
    """A ``running`` manifest of this process, with some recorded process facts replaced."""
    live = new_manifest(None, "probe", status=RunStatus.RUNNING)
    token = environment.pop("process_start", liveness.start_token(os.getpid()))
    env = live.environment.model_copy(update=environment)
    fake = live.model_copy(update={"environment": env, "process_start": token})
    return store.write_new(fake, tmp_path)
