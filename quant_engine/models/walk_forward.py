"""The one out-of-sample scoring recipe: features → forward-return labels → purged walk-forward.

qe-backtest, qe-train and the autopilot all fit and score through here, so a candidate the
autopilot evaluates and qe-backtest run with the same settings trade the very same predictions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from quant_engine import config
from quant_engine.data.market_data import MarketData
from quant_engine.errors import DataError
from quant_engine.features.labels import forward_returns
from quant_engine.features.pipeline import build_features
from quant_engine.models.trainer import TrainResult, train_model
from quant_engine.utils.progress import ProgressCallback


@dataclass(frozen=True)
class WalkForwardSettings:
    """How the walk-forward is seeded and cut: label horizon, embargo and number of folds."""

    seed: int = config.DEFAULT_SEED
    horizon: int = config.LABEL_HORIZON_DAYS
    embargo: int = config.EMBARGO_DAYS
    n_folds: int = config.WALK_FORWARD_FOLDS


@dataclass(frozen=True)
class WalkForwardScores:
    """A walk-forward fit and its out-of-sample predictions as a dates x tickers frame."""

    fit: TrainResult
    scores: pd.DataFrame
    """Out-of-sample scores only, columns in the data's ticker order: what may be traded."""


def fit_walk_forward(
    data: MarketData,
    *,
    feature_mode: str,
    model_kind: str,
    settings: WalkForwardSettings | None = None,
    progress: ProgressCallback | None = None,
) -> TrainResult:
    """Features for ``feature_mode`` and forward-return labels, then a purged walk-forward fit.

    ``progress`` counts the fits (each fold, then the refit).
    """
    settings = settings or WalkForwardSettings()
    return train_model(
        build_features(data, feature_mode),
        forward_returns(data, settings.horizon),
        model_kind=model_kind,
        seed=settings.seed,
        horizon=settings.horizon,
        embargo=settings.embargo,
        n_folds=settings.n_folds,
        progress=progress,
    )


def score_walk_forward(
    data: MarketData,
    *,
    feature_mode: str,
    model_kind: str,
    settings: WalkForwardSettings | None = None,
    progress: ProgressCallback | None = None,
) -> WalkForwardScores:
    """The walk-forward fit and its out-of-sample scores, dates x the data's tickers.

    No score comes from a model that saw that day's label, so a backtest of them has no
    look-ahead. ``progress`` counts the fits. Raises ``DataError`` when the fit leaves no
    out-of-sample day to score.
    """
    fit = fit_walk_forward(
        data,
        feature_mode=feature_mode,
        model_kind=model_kind,
        settings=settings,
        progress=progress,
    )
    scores = fit.oos_predictions.unstack("ticker").reindex(columns=list(data.tickers))
    if scores.empty:
        raise DataError(
            f"{feature_mode}/{model_kind}: no out-of-sample predictions "
            f"({data.rows} ticker-days from {data.start.date()} to {data.end.date()})"
        )
    return WalkForwardScores(fit=fit, scores=scores)
