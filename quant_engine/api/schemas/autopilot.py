"""Autopilot: candidate strategies, their walk-forward results, and promotion decisions."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from .backtests import BacktestMetrics, PortfolioRule
from .model_lab import FeatureMode, ModelKind


class Candidate(BaseModel):
    """One strategy configuration the autopilot evaluates."""

    candidate_id: str
    feature_mode: FeatureMode
    model_kind: ModelKind
    portfolio_rule: PortfolioRule
    top_k: int | None = Field(default=None, ge=1)
    params: dict[str, float | int | str | bool] = Field(
        default_factory=dict, description="Model hyper-parameters."
    )


class CandidateResult(BaseModel):
    """A candidate's walk-forward evaluation."""

    candidate: Candidate
    window: tuple[dt.date, dt.date] = Field(description="Evaluated sessions, inclusive.")
    metrics: BacktestMetrics
    deflated_sharpe: float = Field(
        ge=0, le=1, description="Probability the Sharpe is real after the trials run."
    )
    folds: int = Field(ge=1)
    passed_guards: bool
    failed_guards: list[str] = Field(default_factory=list)


class PromotionDecision(BaseModel):
    """Whether the best candidate replaced the incumbent strategy, and why."""

    promoted: bool
    reasons: list[str]
    candidate_id: str | None = Field(description="Best candidate; null when none passed.")
    incumbent_id: str | None = Field(description="Strategy in force before the decision.")
    window: tuple[dt.date, dt.date]
    sharpe_margin: float | None = Field(
        default=None, description="Candidate Sharpe minus incumbent Sharpe."
    )
    decided_at: dt.datetime


class AutopilotCycle(BaseModel):
    """One autopilot run: every candidate's result and the decision taken."""

    cycle_id: str
    started_at: dt.datetime
    results: list[CandidateResult]
    decision: PromotionDecision


class Incumbent(BaseModel):
    """The strategy in force: the candidate last promoted and its metrics at promotion."""

    candidate: Candidate
    metrics: dict[str, float | None] = Field(description="Backtest metrics when promoted.")
    decided_at: dt.datetime
    decision_id: str


class AutopilotOverview(BaseModel):
    """The autopilot page: the incumbent and the latest decisions, newest first."""

    incumbent: Incumbent | None = Field(description="Null before the first promotion.")
    decisions: list[PromotionDecision]
    total_decisions: int = Field(default=0, ge=0)
