"""Models: purged walk-forward training, a versioned registry, prediction, retrain decisions.

Names load on first use, so reading the registry (``qe-models``, the API) does not import the
estimator stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quant_engine.models.estimators import make_estimator
    from quant_engine.models.predictor import predict_latest, score_panel, write_predictions
    from quant_engine.models.registry import LoadedModel, ModelMetadata, ModelRegistry, SavedModel
    from quant_engine.models.retrain_trigger import RetrainDecision, RetrainTrigger
    from quant_engine.models.split import PurgedWalkForward
    from quant_engine.models.trainer import TrainResult, train_model
    from quant_engine.models.walk_forward import (
        WalkForwardScores,
        WalkForwardSettings,
        fit_walk_forward,
        score_walk_forward,
    )

HOMES = {
    "LoadedModel": "registry",
    "ModelMetadata": "registry",
    "ModelRegistry": "registry",
    "PurgedWalkForward": "split",
    "RetrainDecision": "retrain_trigger",
    "RetrainTrigger": "retrain_trigger",
    "SavedModel": "registry",
    "TrainResult": "trainer",
    "WalkForwardScores": "walk_forward",
    "WalkForwardSettings": "walk_forward",
    "fit_walk_forward": "walk_forward",
    "make_estimator": "estimators",
    "predict_latest": "predictor",
    "score_panel": "predictor",
    "score_walk_forward": "walk_forward",
    "train_model": "trainer",
    "write_predictions": "predictor",
}
"""Each public name and the module (in this package) that defines it."""

__all__ = [
    "LoadedModel",
    "ModelMetadata",
    "ModelRegistry",
    "PurgedWalkForward",
    "RetrainDecision",
    "RetrainTrigger",
    "SavedModel",
    "TrainResult",
    "WalkForwardScores",
    "WalkForwardSettings",
    "fit_walk_forward",
    "make_estimator",
    "predict_latest",
    "score_panel",
    "score_walk_forward",
    "train_model",
    "write_predictions",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access."""
    home = HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
