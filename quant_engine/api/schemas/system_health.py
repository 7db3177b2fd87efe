"""System health: the state of each component behind ``GET /api/system-health``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field


class HealthStatus(StrEnum):
    """Overall state: ``degraded`` still serves requests, ``down`` does not."""

    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"


class ComponentHealth(BaseModel):
    """One dependency of the server, e.g. the data cache or the model registry."""

    name: str
    status: HealthStatus
    detail: str | None = Field(default=None, description="Why it is not ok; no secrets.")
    latency_ms: float | None = Field(default=None, ge=0)
    checked_at: dt.datetime


class SystemHealth(BaseModel):
    """The server and every component it depends on; status is the worst component's."""

    status: HealthStatus
    version: str
    uptime_s: float = Field(ge=0)
    components: list[ComponentHealth]
    checked_at: dt.datetime
