"""Backtests: portfolio rules, performance metrics, equity curves and run summaries."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field, RootModel

from .model_lab import FeatureMode, ModelKind


class PortfolioRule(StrEnum):
    """How predictions become positions."""

    TOP_K = "top_k"
    LONG_SHORT = "long_short"


class BacktestMetrics(BaseModel):
    """Performance of a backtest after costs; returns and volatility are fractions, not percent."""

    total_return: float
    annual_return: float
    volatility: float = Field(ge=0, description="Annualised standard deviation of daily returns.")
    sharpe: float
    sortino: float | None = Field(description="Null when there was no downside day.")
    max_drawdown: float = Field(ge=0, le=1, description="Largest peak-to-trough loss, positive.")
    turnover: float = Field(ge=0, description="Mean daily one-way turnover.")
    hit_rate: float = Field(ge=0, le=1)
    n_trades: int = Field(ge=0)
    n_days: int = Field(ge=0)
    exposure: float = Field(ge=0, description="Mean gross exposure.")


class EquityPoint(BaseModel):
    """One day of the equity curve."""

    date: dt.date
    equity: float = Field(description="Portfolio value, starting at 1.0.")
    daily_return: float
    drawdown: float = Field(ge=0, le=1)


class BacktestSummary(BaseModel):
    """A finished backtest: what ran, on which window, and how it did."""

    run_id: str = Field(description="Id of the run manifest that produced it.")
    created_at: dt.datetime
    model_version: str | None = None
    model_kind: ModelKind
    feature_mode: FeatureMode
    portfolio_rule: PortfolioRule
    top_k: int | None = Field(default=None, ge=1, description="Set when the rule is top_k.")
    tickers: list[str]
    window: tuple[dt.date, dt.date] = Field(description="First and last trading day, inclusive.")
    cost_bps: float = Field(ge=0)
    slippage_bps: float = Field(ge=0)
    metrics: BacktestMetrics = Field(description="Net of costs and slippage.")


class BacktestDetail(BaseModel):
    """A backtest with its daily equity curve and the metrics of each year."""

    summary: BacktestSummary
    equity_curve: list[EquityPoint]
    yearly: dict[str, BacktestMetrics] = Field(
        default_factory=dict, description="Metrics per calendar year, keyed by the year."
    )


class BacktestList(RootModel[list[BacktestSummary]]):
    """Backtest summaries, newest first."""
