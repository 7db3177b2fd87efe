"""Signals: the model's cross-sectional scores for one trading day."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from .model_lab import FeatureMode


class SignalRow(BaseModel):
    """One ticker's score on one day; rank 1 is the most attractive."""

    date: dt.date
    ticker: str
    score: float = Field(description="Predicted forward return over the label horizon.")
    rank: int = Field(ge=1)


class SignalSet(BaseModel):
    """All scores of one prediction run, best first."""

    as_of: dt.date = Field(description="Last session whose data the features used.")
    model_version: str
    feature_mode: FeatureMode
    horizon_days: int = Field(ge=1)
    rows: list[SignalRow]
    run_id: str | None = Field(default=None, description="Run manifest of the prediction.")
