"""Run manifests on the wire: the manifest model itself, plus the run list the dashboard pages.

The manifest and its parts are defined once, in :mod:`quant_engine.runs.manifest`, and
re-exported here (all of its ``__all__``) so the generated TypeScript carries them.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, JsonValue

from quant_engine.runs import manifest
from quant_engine.runs.manifest import *  # noqa: F403  (its __all__ is the list of wire parts)
from quant_engine.runs.manifest import RunStatus

__all__ = ["RunList", "RunSummary"]
__all__ += manifest.__all__


class RunSummary(BaseModel):
    """One run in a list: what ran, when, how it ended and its headline result."""

    run_id: str
    script: str
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None = None
    duration_s: float | None = None
    model_version: str | None = None
    verify_of: str | None = None
    result: dict[str, JsonValue] = Field(default_factory=dict)
    error: str | None = Field(default=None, description="One line, set when the run failed.")


class RunList(BaseModel):
    """A page of runs, newest first, and the manifest files that could not be read."""

    runs: list[RunSummary]
    total: int = Field(ge=0, description="Runs matching the filters, before paging.")
    unreadable: list[str] = Field(
        default_factory=list, description="Names of manifest files that failed to parse."
    )
