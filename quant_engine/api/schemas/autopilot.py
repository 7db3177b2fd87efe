"""Autopilot: candidate strategies, the newest decision's leaderboard, and promotion decisions."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from .backtests import PortfolioRule
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


class GuardVerdict(BaseModel):
    """One guard's verdict on a candidate, in plain words."""

    name: str = Field(description="Guard name, e.g. min_trades.")
    passed: bool
    detail: str | None = Field(
        description="The figure against the bar, in words; null in decisions from older versions."
    )


class CandidateResult(BaseModel):
    """One leaderboard row: a candidate's figures on the selection window and guard verdicts."""

    candidate: Candidate
    rank: int = Field(ge=1, description="By Sharpe, highest first.")
    sharpe: float | None = Field(description="Annualised Sharpe on the selection window.")
    deflated_sharpe: float | None = Field(
        description="Probability the Sharpe is real after every trial run on this data."
    )
    max_drawdown: float | None
    total_return: float | None
    entries_exits: int = Field(ge=0, description="Trades that open or close a position.")
    holdout_sharpe: float | None = Field(
        description="Annualised Sharpe on the holdout; null without a holdout."
    )
    passed_guards: bool
    guards: list[GuardVerdict]
    beats_incumbent: bool | None = Field(
        description="Clears the incumbent's Sharpe plus the margin; null for the incumbent "
        "itself, with no incumbent, or in decisions from older versions."
    )


class GuardThresholds(BaseModel):
    """The bars of a decision; null when the decision file predates the guard."""

    min_trades: int | None = None
    max_drawdown: float | None = None
    min_deflated_sharpe: float | None = None
    margin_sharpe: float | None = None
    max_pbo: float | None = None
    holdout_fraction: float | None = None


class PromotionDecision(BaseModel):
    """Whether the best candidate replaced the incumbent strategy, and why."""

    promoted: bool
    demoted: bool = Field(
        default=False,
        description="The incumbent failed a guard on this data and was taken out of force.",
    )
    reasons: list[str]
    candidate_id: str | None = Field(description="Best candidate; null when none passed.")
    incumbent_id: str | None = Field(description="Strategy in force before the decision.")
    window: tuple[dt.date, dt.date]
    sharpe_margin: float | None = Field(
        default=None, description="Candidate Sharpe minus incumbent Sharpe."
    )
    decided_at: dt.datetime


class AutopilotCycle(BaseModel):
    """The leaderboard of one decision: every candidate's row, the bars, and the trial counts."""

    decision_id: str
    decision: PromotionDecision
    guards: GuardThresholds
    n_trials: int = Field(ge=0, description="Trials the deflated Sharpe counted.")
    prior_trials: int = Field(ge=0, description="Of those, trials from earlier runs.")
    effective_trials: float | None = Field(
        description="Participation ratio of this run's return correlations."
    )
    pbo: float | None = Field(description="CSCV probability of backtest overfitting.")
    holdout_days: int = Field(ge=0, description="Days held out of the selection; 0 for none.")
    results: list[CandidateResult] = Field(description="Every candidate, by rank.")


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
    latest_cycle: AutopilotCycle | None = Field(
        default=None, description="The newest decision's leaderboard; null before any decision."
    )
