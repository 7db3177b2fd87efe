"""The live record of one run: what it resolved, read, wrote and produced, written at start and end.

Inputs are hashed when added (what was read, not what is there later); outputs are hashed when
the run finishes. Methods are thread-safe, so a run's workers may report concurrently.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from quant_engine import layout
from quant_engine.runs import liveness, store
from quant_engine.runs.hashing import data_digest, home_path, path_digest
from quant_engine.runs.lifecycle import outcome
from quant_engine.runs.manifest import (
    DataInput,
    ErrorInfo,
    ModelRef,
    ModelRole,
    OutputFile,
    RunManifest,
    RunStatus,
)
from quant_engine.runs.redaction import redact_mapping


class InputRecordLike(Protocol):
    """What a run manifest needs from ``quant_engine.data.market_data.InputRecord``."""

    @property
    def ticker(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def rows(self) -> int: ...
    @property
    def first(self) -> str: ...
    @property
    def last(self) -> str: ...
    @property
    def sha256(self) -> str: ...


class MarketDataLike(Protocol):
    """What a run manifest needs from ``quant_engine.data.market_data.MarketData``."""

    @property
    def source(self) -> str: ...
    @property
    def inputs(self) -> Sequence[InputRecordLike]: ...
    @property
    def digest(self) -> str: ...


class RunRecorder:
    """The handle a run reports to; ``reproducibility.record_run`` creates, starts, finishes it."""

    def __init__(self, manifest: RunManifest, directory: Path) -> None:
        self.manifest = manifest
        self.directory = directory
        self.manifest_path: Path | None = None
        self._clock = time.monotonic()
        self._lock = threading.Lock()
        self._resolved: dict[str, Any] = dict(manifest.resolved)
        self._result: dict[str, Any] = {}
        self._seeds: dict[str, int] = dict(manifest.seeds)
        self._data: list[DataInput] = []
        self._digests: dict[str, str] = {}
        self._models: list[ModelRef] = []
        self._outputs: dict[str, Path] = {}

    @property
    def run_id(self) -> str:
        """This run's unique id."""
        return self.manifest.run_id

    def start(self) -> Path:
        """Write the ``running`` manifest, stamped with this process's start token.

        The token (with pid and host) lets readers tell a killed run from a live one. No folder
        fsync: the file is superseded at finish. Latest pointers wait for a success.
        """
        token = liveness.start_token(os.getpid())
        self.manifest = self.manifest.model_copy(update={"process_start": token})
        self.manifest_path = store.write_new(self.manifest, self.directory, durable=False)
        return self.manifest_path

    def resolve(self, **values: Any) -> None:
        """Record settings the run actually used (JSON-safe; secret-named values redacted)."""
        with self._lock:
            self._resolved.update(redact_mapping(values))

    def set_result(self, **values: Any) -> None:
        """Record result figures (shown by ``qe-runs show``)."""
        with self._lock:
            self._result.update(redact_mapping(values))

    def add_seed(self, name: str, seed: int) -> None:
        """Record a random seed the run used."""
        with self._lock:
            self._seeds[name] = int(seed)

    def add_market_data(self, data: MarketDataLike, name: str = "market_data") -> None:
        """Record one input per ticker of ``data`` and its combined digest under ``name``."""
        records = [
            DataInput(
                name=f"{name}:{r.ticker}",
                source=r.source,
                tickers=[r.ticker],
                path=layout.relative_to_home(home_path(r.path)) if r.path else None,
                start=r.first,
                end=r.last,
                rows=r.rows,
                sha256=r.sha256,
                **file_facts(r.path),
            )
            for r in data.inputs
        ]
        with self._lock:
            if name in self._digests:
                raise ValueError(f"market data {name!r} is already recorded for this run")
            self._digests[name] = data.digest
            self._data.extend(records)

    def add_input(self, name: str, path: Path | str) -> None:
        """Record (and hash) an input file or folder the run read."""
        size, digest, _ = path_digest(Path(path))
        if digest is None:
            raise FileNotFoundError(f"input {name!r} does not exist: {path}")
        record = DataInput(
            name=name,
            source="file",
            path=layout.relative_to_home(path),
            sha256=digest,
            file_sha256=digest,
            size=size,
        )
        with self._lock:
            self._data.append(record)

    def add_model(self, version_id: str, role: ModelRole | str = ModelRole.READ) -> None:
        """Record a model version the run read or wrote."""
        with self._lock:
            self._models.append(ModelRef(version_id=version_id, role=ModelRole(role)))

    def add_output(self, name: str, path: Path | str) -> None:
        """Record a file (or folder) the run wrote under a logical name; hashed at finish."""
        with self._lock:
            if name in self._outputs:
                raise ValueError(f"output {name!r} is already recorded for this run")
            self._outputs[name] = Path(path)

    def snapshot(self, status: RunStatus, error: ErrorInfo | None = None) -> RunManifest:
        """The manifest as it stands, with ``status`` (outputs hashed now)."""
        with self._lock:
            outputs = [output_file(name, path) for name, path in self._outputs.items()]
            written = [m.version_id for m in self._models if m.role is ModelRole.WRITTEN]
            read = [m.version_id for m in self._models if m.role is ModelRole.READ]
            finished = datetime.now(UTC) if status is not RunStatus.RUNNING else None
            return self.manifest.model_copy(
                update={
                    "status": status,
                    "finished_at": finished,
                    "duration_s": round(time.monotonic() - self._clock, 6) if finished else None,
                    "resolved": dict(self._resolved),
                    "result": dict(self._result),
                    "seeds": dict(self._seeds),
                    "data": list(self._data),
                    "data_digests": dict(self._digests),
                    "data_digest": data_digest(self._data),
                    "models": list(self._models),
                    "model_version": (written or read)[-1] if written or read else None,
                    "outputs": outputs,
                    "error": error,
                }
            )

    def finish(self, exc: BaseException | None = None) -> Path:
        """Rewrite the manifest with the final status for ``exc`` (None: success)."""
        status, error = outcome(exc)
        self.manifest = self.snapshot(status, error)
        if self.manifest_path is None:  # never started: write the final record as a new file
            self.manifest_path = store.publish(self.manifest, self.directory)
            return self.manifest_path
        store.rewrite(self.manifest, self.manifest_path)
        store.update_latest(self.directory, self.manifest_path, self.manifest)
        return self.manifest_path


def file_facts(path: str | None) -> dict[str, Any]:
    """``file_sha256`` and ``size`` of an input's file (home-relative or absolute), if a file."""
    if not path:
        return {}
    file = home_path(path)
    size, digest, _ = path_digest(file) if file.is_file() else (None, None, None)
    return {"file_sha256": digest, "size": size} if digest is not None else {}


def output_file(name: str, path: Path) -> OutputFile:
    """An output's record: path relative to the data home, size and sha256."""
    size, digest, files = path_digest(path)
    return OutputFile(
        name=name,
        path=layout.relative_to_home(path),
        exists=digest is not None,
        size=size,
        sha256=digest,
        files=files,
    )
