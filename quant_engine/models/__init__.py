"""Models: purged walk-forward training, a versioned registry, prediction, retrain decisions."""

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
