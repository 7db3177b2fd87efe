"""Compute jobs: submit a backtest or a training run, then poll its status."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from .backtests import PortfolioRule
from .model_lab import FeatureMode, ModelKind


class JobKind(StrEnum):
    """What a job runs."""

    BACKTEST = "backtest"
    TRAIN = "train"


class JobStatus(StrEnum):
    """Life cycle of a job: queued, running, then exactly one final status."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobRequest(BaseModel):
    """The body of ``POST /api/compute/jobs``; a null field means the server's default."""

    model_config = ConfigDict(extra="forbid", json_schema_mode_override="validation")

    kind: JobKind
    tickers: list[str] | None = Field(default=None, description="Null: the default universe.")
    years: int | None = Field(default=None, ge=1, le=100, description="Lookback in years.")
    feature_mode: FeatureMode | None = None
    model_kind: ModelKind | None = None
    portfolio_rule: PortfolioRule | None = None
    seed: int | None = Field(default=None, ge=0)
    tags: list[str] = Field(default_factory=list, description="Free labels shown in the job list.")


class Job(BaseModel):
    """A submitted job as the server tracks it."""

    job_id: str
    kind: JobKind
    status: JobStatus
    request: JobRequest
    submitted_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    progress: float = Field(default=0.0, ge=0, le=1)
    run_id: str | None = Field(default=None, description="Manifest of the run, once it started.")
    error: str | None = Field(default=None, description="One line, set when the job failed.")
