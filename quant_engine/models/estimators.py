"""The scikit-learn estimator behind each model kind in ``config.MODEL_KINDS``."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from quant_engine import config

RIDGE_ALPHA = 10.0
"""L2 penalty on standardised features: mild shrinkage for many correlated features."""
GBM_MAX_ITER = 100
GBM_LEARNING_RATE = 0.05
GBM_MAX_LEAF_NODES = 15
GBM_MIN_SAMPLES_LEAF = 200
GBM_L2 = 1.0
"""Small, regularised boosting: daily returns are noisy, and the demo must stay fast."""
GBM_MAX_FEATURES = 0.8
"""Share of features each split may consider, drawn at random from the seed: a little
decorrelation between trees, and the reason ``--seed`` changes a gbm model. Ridge has nothing
random, so its seed changes nothing."""
SCALER_CHUNK_ROWS = 1 << 18
"""Rows the scaler sees at a time while it is fitted and applied: its temporaries stay a few
tens of megabytes however many rows a fit has."""


class Estimator(Protocol):
    """What the trainer and predictor need of a model: scikit-learn's fit/predict."""

    def fit(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> Any: ...

    def predict(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...


def native_threads() -> AbstractContextManager[Any]:
    """Bound OpenMP/BLAS threads to ``config.MODEL_THREADS`` for a fit or predict."""
    limits: AbstractContextManager[Any] = threadpool_limits(limits=config.MODEL_THREADS)
    return limits


def make_estimator(kind: str, seed: int) -> Estimator:
    """A fresh, unfitted estimator of ``kind``; ``seed`` fixes its randomness (gbm's feature
    subsampling; ridge is deterministic)."""
    if kind == "ridge":
        estimator: Estimator = make_pipeline(
            StandardScaler(),
            Ridge(alpha=RIDGE_ALPHA, copy_X=False),  # its input is the scaler's own copy
        )
        return estimator
    if kind == "gbm":
        boosted: Estimator = HistGradientBoostingRegressor(
            max_iter=GBM_MAX_ITER,
            learning_rate=GBM_LEARNING_RATE,
            max_leaf_nodes=GBM_MAX_LEAF_NODES,
            min_samples_leaf=GBM_MIN_SAMPLES_LEAF,
            l2_regularization=GBM_L2,
            max_features=GBM_MAX_FEATURES,
            early_stopping=False,
            random_state=seed,
        )
        return boosted
    choices = ", ".join(config.MODEL_KINDS)
    raise ValueError(f"unknown model kind {kind!r}: choose one of {choices}")


def fit_on_scratch(
    kind: str, seed: int, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
) -> Estimator:
    """A fresh estimator of ``kind`` fitted on ``x``, ``y``; ``x`` is overwritten.

    ``x`` must be the caller's own copy. A standardising pipeline (ridge) fits its scaler
    chunk by chunk and standardises ``x`` in place before the model fits on it, so a fit needs
    no memory beyond ``x`` itself: at thousands of tickers over many years the scaler's
    whole-array temporaries would otherwise double or triple the peak.
    """
    estimator = make_estimator(kind, seed)
    with native_threads():
        if isinstance(estimator, Pipeline) and isinstance(estimator[0], StandardScaler):
            scaler, model = estimator[0], estimator[-1]
            chunks = [
                slice(start, start + SCALER_CHUNK_ROWS)
                for start in range(0, len(x), SCALER_CHUNK_ROWS)
            ]
            for chunk in chunks:
                scaler.partial_fit(x[chunk])
            for chunk in chunks:
                x[chunk] = scaler.transform(x[chunk])
            model.fit(x, y)
        else:
            estimator.fit(x, y)
    return estimator
