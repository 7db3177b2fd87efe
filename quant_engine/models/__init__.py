"""Models: purged walk-forward training, a versioned registry, prediction, retrain decisions."""

from quant_engine.models.estimators import make_estimator
from quant_engine.models.predictor import predict_latest, score_panel, write_predictions
from quant_engine.models.registry import LoadedModel, ModelMetadata, ModelRegistry, SavedModel
from quant_engine.models.retrain_trigger import RetrainDecision, RetrainTrigger
from quant_engine.models.split import PurgedWalkForward
from quant_engine.models.trainer import TrainResult, train_model

__all__ = [
    "LoadedModel",
    "ModelMetadata",
    "ModelRegistry",
    "PurgedWalkForward",
    "RetrainDecision",
    "RetrainTrigger",
    "SavedModel",
    "TrainResult",
    "make_estimator",
    "predict_latest",
    "score_panel",
    "train_model",
    "write_predictions",
]
