"""Model lab: trained model versions, their out-of-sample quality, and retraining decisions.

The retraining decision is defined once, in :mod:`quant_engine.retrain_decision`, and
re-exported here (listed in ``__all__``) so the generated TypeScript carries it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field

from quant_engine.retrain_decision import RetrainDecision

__all__ = [
    "FeatureMode",
    "ModelKind",
    "ModelLabOverview",
    "ModelVersion",
    "OosMetrics",
    "RetrainDecision",
]


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


class ModelLabOverview(BaseModel):
    """The model lab page: every registered version, newest first."""

    versions: list[ModelVersion]
    active_version_id: str | None = None
