"""Decide whether the current model should be retrained, by a documented rule; save the verdict."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quant_engine import config
from quant_engine.models.predictor import check_features, predict_rows
from quant_engine.models.registry import LoadedModel
from quant_engine.models.trainer import complete_rows, hit_rate, information_coefficient
from quant_engine.retrain_decision import RetrainDecision
from quant_engine.utils.atomic import write_bytes_atomic

__all__ = ["NO_MODEL", "RetrainDecision", "RetrainTrigger"]

NO_MODEL = "no model"


@dataclasses.dataclass(frozen=True, kw_only=True)
class RetrainTrigger:
    """Retraining is due when ANY of these holds (each adds a reason):

    1. there is no model (``"no model"``);
    2. age: ``as_of`` minus the model's last training date exceeds ``max_age_days`` calendar
       days (data time, not wall-clock time, so decisions are reproducible);
    3. IC decay: the mean daily IC of the model's scores on the *new labelled rows* (dated
       after the training window, labels fully known by ``as_of``) is below
       ``max(min_ic, ic_decay * training IC)`` (just ``min_ic`` if the training IC is undefined);
    4. drift: over feature rows dated after the training window up to ``as_of``, the mean over
       features of ``|recent mean - training mean| / training std`` exceeds ``max_drift``
       (features with zero training std are skipped).

    Rules 3 and 4 are judged only once there are at least ``min_obs`` new labelled rows: before
    that, retraining would see the same training rows and rebuild the same model. Their metrics
    are still reported when computable (drift needs ``min_obs`` recent feature rows).
    """

    max_age_days: int = config.RETRAIN_MAX_AGE_DAYS
    ic_decay: float = config.RETRAIN_IC_DECAY
    min_ic: float = config.RETRAIN_MIN_IC
    max_drift: float = config.RETRAIN_MAX_DRIFT
    min_obs: int = config.RETRAIN_MIN_OBS

    def thresholds(self) -> dict[str, float | int]:
        """The rule's parameters, as recorded next to every decision."""
        return dataclasses.asdict(self)

    def evaluate(
        self,
        model: LoadedModel | None,
        features: pd.DataFrame,
        labels: pd.Series,
        *,
        as_of: dt.date,
    ) -> RetrainDecision:
        """Apply the rule in the class docstring using only data known on ``as_of``."""
        metrics: dict[str, float | int | None] = {
            "model_age_days": None,
            "recent_ic": None,
            "training_ic": None,
            "hit_rate": None,
            "drift": None,
            "recent_obs": 0,
        }
        if model is None:
            return RetrainDecision(
                due=True,
                reasons=[NO_MODEL],
                metrics=metrics,
                as_of=as_of.isoformat(),
                model_version=None,
            )
        meta = model.metadata
        names = check_features(model, features)
        reasons: list[str] = []
        age = (as_of - dt.date.fromisoformat(meta.train_end)).days
        metrics["model_age_days"] = age
        if age > self.max_age_days:
            reasons.append(f"model age {age} days > {self.max_age_days}")

        train_end = pd.Timestamp(meta.train_end)
        dates = features.index.get_level_values("date")
        visible = features[(dates > train_end) & (dates <= pd.Timestamp(as_of))]
        training_ic = meta.metrics.ic
        metrics["training_ic"] = training_ic

        known = self.labels_known_by(labels, as_of, meta.horizon)
        x, y = complete_rows(visible[names], known)
        metrics["recent_obs"] = len(x)
        if len(x) >= self.min_obs:  # enough new labelled rows to judge rules 3 and 4
            scores = predict_rows(model, x)
            recent_ic = information_coefficient(scores, y)
            metrics["recent_ic"] = recent_ic
            metrics["hit_rate"] = hit_rate(scores, y)
            floor = (
                self.min_ic
                if training_ic is None
                else max(self.min_ic, self.ic_decay * training_ic)
            )
            if recent_ic is not None and recent_ic < floor:
                reasons.append(f"recent IC {recent_ic:.4f} < {floor:.4f} over {len(x)} rows")

        drift = self.drift(model, visible)
        metrics["drift"] = drift
        judged = len(x) >= self.min_obs
        if judged and drift is not None and drift > self.max_drift:
            reasons.append(f"feature drift {drift:.3f} > {self.max_drift}")
        return RetrainDecision(
            due=bool(reasons),
            reasons=reasons,
            metrics=metrics,
            as_of=as_of.isoformat(),
            model_version=model.version_id,
        )

    @staticmethod
    def labels_known_by(labels: pd.Series, as_of: dt.date, horizon: int) -> pd.Series:
        """Labels whose forward window ends on or before ``as_of`` (the rest are unknown then)."""
        dates = pd.DatetimeIndex(labels.index.get_level_values("date"))
        sessions = dates.unique().sort_values()
        position = int(sessions.searchsorted(pd.Timestamp(as_of), side="right")) - horizon
        if position <= 0:
            return labels.iloc[:0]
        return labels[dates <= sessions[position - 1]]

    def drift(self, model: LoadedModel, recent: pd.DataFrame) -> float | None:
        """Mean absolute z-shift of recent feature means from training; None if too few rows."""
        names = list(model.metadata.feature_names)
        values = recent[names].replace([np.inf, -np.inf], np.nan).dropna()
        if len(values) < self.min_obs:
            return None
        shifts = []
        for name in names:
            stats = model.metadata.feature_stats[name]
            if stats.std > 0:
                shifts.append(abs(float(values[name].mean()) - stats.mean) / stats.std)
        return float(np.mean(shifts)) if shifts else None

    def save_metadata(self, decision: RetrainDecision, path: Path) -> Path:
        """Write the decision and these thresholds to ``path`` as JSON, atomically."""
        payload: dict[str, Any] = {
            "decision": decision.model_dump(mode="json"),
            "thresholds": self.thresholds(),
        }
        text = json.dumps(payload, sort_keys=True, indent=2) + "\n"
        write_bytes_atomic(path, text.encode("utf-8"))
        return path
