"""The run manifest model: what ran, on what code, data and environment, with what result.

Plain Pydantic types (pydantic + standard library only): the engine writes them through
:mod:`quant_engine.runs.record`, and the API re-exports them as wire types
(:mod:`quant_engine.api.schemas.runs`), so the dashboard reads the very same shape.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, JsonValue

__all__ = [
    "MANIFEST_SCHEMA_VERSION",
    "CodeInfo",
    "CommandInfo",
    "DataInput",
    "EnvironmentInfo",
    "ErrorInfo",
    "ModelRef",
    "ModelRole",
    "OutputFile",
    "RunManifest",
    "RunStatus",
]

MANIFEST_SCHEMA_VERSION = 1


class RunStatus(StrEnum):
    """Life cycle of a run: ``running`` at start, then exactly one final status.

    ``rejected``: the invocation was bad usage (exit 2), so nothing ran. ``dead`` is never
    written: readers derive it for a ``running`` record whose process is gone (killed, out of
    memory), see :mod:`quant_engine.runs.liveness`.
    """

    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    REJECTED = "rejected"
    DEAD = "dead"


FINISHED = frozenset({RunStatus.SUCCESS, RunStatus.FAILED, RunStatus.INTERRUPTED})
"""Statuses of runs that did their work and ended on their own terms."""


class ModelRole(StrEnum):
    """Whether a run loaded a model version or produced it."""

    READ = "read"
    WRITTEN = "written"


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True)


class CommandInfo(_Part):
    """How to run it again: ``<python> -m <module> <argv>`` (argv with secrets redacted)."""

    module: str
    argv: list[str]
    cwd: str
    python: str


class CodeInfo(_Part):
    """The code that ran: package version and, in a git checkout, commit and local changes."""

    package_version: str
    git_available: bool = False
    commit: str | None = None
    branch: str | None = None
    dirty: bool | None = None
    diff_sha256: str | None = Field(
        default=None, description="sha256 of `git diff HEAD` when dirty"
    )
    untracked: list[str] = Field(default_factory=list, description="first untracked files")
    untracked_count: int = 0
    git_error: str | None = None


class EnvironmentInfo(_Part):
    """Interpreter, machine, package versions, thread settings and allow-listed variables."""

    python_version: str
    python_implementation: str
    executable: str
    platform: str
    hostname: str
    pid: int
    cpu_count: int | None = None
    packages: dict[str, str | None] = Field(default_factory=dict)
    blas_threads: dict[str, str] = Field(default_factory=dict)
    env: dict[str, str] = Field(default_factory=dict)


class DataInput(_Part):
    """One input: where from, what range, and content hashes (of the loaded data and the file)."""

    name: str
    source: str
    tickers: list[str] = Field(default_factory=list)
    path: str | None = Field(default=None, description="relative to the data home when inside it")
    start: str | None = None
    end: str | None = None
    rows: int | None = None
    sha256: str
    file_sha256: str | None = Field(
        default=None, description="sha256 of the file, checked by verify"
    )
    size: int | None = None


class OutputFile(_Part):
    """One file (or folder) the run wrote, under its logical name."""

    name: str
    path: str = Field(description="relative to the data home when inside it")
    exists: bool = True
    size: int | None = None
    sha256: str | None = None
    files: int | None = Field(default=None, description="file count when the output is a folder")


class ModelRef(_Part):
    """A model version from the registry that the run read or wrote."""

    version_id: str
    role: ModelRole


class ErrorInfo(_Part):
    """Why a run did not succeed (a rejected invocation has no traceback)."""

    type: str
    message: str
    traceback: str | None = None


class RunManifest(BaseModel):
    """The complete record of one run of an entry point."""

    schema_version: int = MANIFEST_SCHEMA_VERSION
    run_id: str = Field(description="UTC µs timestamp-pid-random; sorts by start time")
    script: str
    status: RunStatus
    started_at: datetime
    process_start: str | None = Field(
        default=None,
        description="boot id and start time of the recording process: with environment.pid "
        "and hostname it tells a live run from a dead one",
    )
    finished_at: datetime | None = None
    duration_s: float | None = None
    command: CommandInfo | None = None
    verify_of: str | None = Field(default=None, description="run id this run re-executes (verify)")
    data_home: str
    cli_args: dict[str, JsonValue] = Field(default_factory=dict)
    resolved: dict[str, JsonValue] = Field(default_factory=dict)
    result: dict[str, JsonValue] = Field(default_factory=dict)
    config: dict[str, JsonValue] = Field(default_factory=dict)
    config_sha256: str
    code: CodeInfo
    environment: EnvironmentInfo
    seeds: dict[str, int] = Field(default_factory=dict)
    data: list[DataInput] = Field(default_factory=list)
    data_digests: dict[str, str] = Field(
        default_factory=dict, description="combined digest of each loaded market data set"
    )
    data_digest: str | None = Field(default=None, description="sha256 over every input's sha256")
    models: list[ModelRef] = Field(default_factory=list)
    model_version: str | None = Field(
        default=None, description="model written, else the model read"
    )
    outputs: list[OutputFile] = Field(default_factory=list)
    error: ErrorInfo | None = None
