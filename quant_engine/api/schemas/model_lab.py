"""Model lab: trained model versions, their out-of-sample quality, and retraining decisions."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field


class FeatureMode(StrEnum):
    """Feature sets, each a superset of the one before."""

    MINIMAL = "minimal"
    CORE = "core"
    FULL = "full"


class ModelKind(StrEnum):
    """Model families the trainer can fit."""

    RIDGE = "ridge"
    GBM = "gbm"


class OosMetrics(BaseModel):
    """Out-of-sample quality of a model's predictions over its walk-forward test folds."""

    ic: float | None = Field(
        description="Mean Pearson correlation of prediction and forward return; null if undefined."
    )
    rank_ic: float | None = Field(
        description="Mean Spearman correlation of prediction and return; null if undefined."
    )
    hit_rate: float | None = Field(
        ge=0, le=1, description="Share of predictions with the right sign; null if undefined."
    )
    n_obs: int = Field(ge=0, description="Ticker-days scored.")


class ModelVersion(BaseModel):
    """One trained model in the registry, with everything needed to reproduce it."""

    version_id: str
    created_at: dt.datetime
    feature_mode: FeatureMode
    model_kind: ModelKind
    train_start: dt.date
    train_end: dt.date
    oos: OosMetrics = Field(description="Walk-forward out-of-sample metrics.")
    data_digest: str = Field(description="sha256 of the market data the model was trained on.")
    seed: int
    tickers: list[str]
    active: bool = Field(default=False, description="True for the version predictions use.")


class RetrainDecision(BaseModel):
    """Whether the active model should be retrained, and why."""

    retrain: bool
    reasons: list[str] = Field(description="Every trigger that fired; empty when none did.")
    version_id: str | None = Field(description="The version checked; null before any training.")
    model_age_days: int | None = None
    training_ic: float | None = None
    recent_ic: float | None = None
    feature_drift: float | None = Field(
        default=None, description="Mean absolute standardised shift of the features."
    )
    checked_at: dt.datetime


class ModelLabOverview(BaseModel):
    """The model lab page: every registered version, newest first."""

    versions: list[ModelVersion]
    active_version_id: str | None = None
