"""Dashboard: the landing page's one-call summary of health, model, signals and results."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from .autopilot import PromotionDecision
from .backtests import BacktestSummary
from .model_lab import ModelVersion
from .signals import SignalRow
from .system_health import HealthStatus


class DashboardSummary(BaseModel):
    """Everything the landing page shows, as of the latest cached session."""

    as_of: dt.date | None = Field(description="Latest cached session; null with an empty cache.")
    health: HealthStatus
    active_model: ModelVersion | None = None
    latest_backtest: BacktestSummary | None = None
    top_signals: list[SignalRow] = Field(default_factory=list, description="Best first.")
    last_promotion: PromotionDecision | None = None
    running_jobs: int = Field(default=0, ge=0)
    cached_tickers: int = Field(default=0, ge=0)
