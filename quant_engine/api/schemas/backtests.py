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
    gross_equity: float | None = Field(
        default=None, description="Portfolio value before costs (null in older runs)."
    )
    benchmark: float | None = Field(
        default=None, description="The benchmark's value on the same sessions (null when none)."
    )


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


class ReturnFigures(BaseModel):
    """Return figures of one daily return series (fractions, annualised where it says so)."""

    annual_return: float
    total_return: float
    volatility: float
    sharpe: float
    max_drawdown: float
    mean_return_per_year: float


class GrossAndNet(BaseModel):
    """The same strategy before and after costs, and what trading cost per year."""

    gross: ReturnFigures
    net: ReturnFigures
    costs_per_year: float = Field(description="Mean daily cost × trading days: gross − net.")
    turnover_per_year: float


class BenchmarkComparison(BaseModel):
    """The benchmark's own figures and the strategy's (net) figures against it."""

    name: str = Field(description="`equal_weight` (the universe) or an index ticker.")
    total_return: float
    annual_return: float
    sharpe: float
    max_drawdown: float
    excess_return: float = Field(description="Annualised mean daily active return.")
    tracking_error: float
    information_ratio: float
    beta: float


class YearIc(BaseModel):
    """The scores' information coefficient over one calendar year."""

    ic: float
    rank_ic: float
    days: int = Field(ge=0)


class BacktestDetail(BaseModel):
    """A backtest with its daily equity curve, gross and net figures, its benchmark and IC."""

    summary: BacktestSummary
    equity_curve: list[EquityPoint]
    yearly: dict[str, BacktestMetrics] = Field(
        default_factory=dict, description="Metrics per calendar year, keyed by the year."
    )
    gross_and_net: GrossAndNet | None = Field(default=None, description="Null in older runs.")
    benchmark: BenchmarkComparison | None = Field(default=None, description="Null when none.")
    ic_by_year: dict[str, YearIc] = Field(
        default_factory=dict, description="Model runs only, keyed by the year."
    )


class BacktestList(RootModel[list[BacktestSummary]]):
    """Backtest summaries, newest first."""
