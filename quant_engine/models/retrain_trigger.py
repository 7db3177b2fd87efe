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
from quant_engine.models.daily_ic import daily_correlations, hit_rate
from quant_engine.models.ic_decay import ic_below_floor
from quant_engine.models.predictor import check_features, predict_rows
from quant_engine.models.registry import LoadedModel
from quant_engine.models.trainer import complete_rows
from quant_engine.retrain_decision import RetrainDecision, RetrainRule, RuleStatus, RuleVerdict
from quant_engine.utils.atomic import write_bytes_atomic

__all__ = ["NO_MODEL", "RetrainDecision", "RetrainTrigger"]

NO_MODEL = "no model"
Metrics = dict[str, float | int | None]


@dataclasses.dataclass(frozen=True, kw_only=True)
class RetrainTrigger:
    """Retraining is due when there is no model or ANY rule is judged and fails.

    Each rule is reported as passed, failed or not judged (with why):

    1. age: ``now`` minus the time the model was trained (its registry ``created_at``) exceeds
       ``max_age_days`` whole days; not judged when the training time is not recorded;
    2. IC decay: over the *new labelled rows* (dated after the training window, labels fully
       known by ``as_of``) the mean daily IC is below ``floor = max(min_ic, ic_decay x
       training IC)`` (just ``min_ic`` if the training IC is undefined) with one-sided
       significance ``ic_alpha`` (t-test, Newey-West errors with horizon - 1 lags). Not judged
       with fewer than ``min_obs`` new labelled rows or ``min_ic_dates`` dates with an IC;
    3. drift: over the feature rows dated after the training window up to ``as_of`` (no labels
       needed), the mean over features of ``|recent mean - training mean| / training std``
       exceeds ``max_drift`` (zero-std features skipped); not judged with fewer than ``min_obs``
       complete feature rows.
    """

    max_age_days: int = config.RETRAIN_MAX_AGE_DAYS
    ic_decay: float = config.RETRAIN_IC_DECAY
    min_ic: float = config.RETRAIN_MIN_IC
    ic_alpha: float = config.RETRAIN_IC_ALPHA
    min_ic_dates: int = config.RETRAIN_MIN_IC_DATES
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
        now: dt.datetime,
    ) -> RetrainDecision:
        """Apply the rules in the class docstring to data known on ``as_of``, age at ``now``."""
        metrics: Metrics = {
            "model_age_days": None,
            "data_days_after_training": None,
            "training_ic": None,
            "recent_ic": None,
            "ic_p_value": None,
            "ic_dates": 0,
            "hit_rate": None,
            "drift": None,
            "drift_obs": 0,
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
        train_end = pd.Timestamp(meta.train_end)
        metrics["data_days_after_training"] = (as_of - train_end.date()).days
        dates = features.index.get_level_values("date")
        visible = features[(dates > train_end) & (dates <= pd.Timestamp(as_of))][names]
        verdicts = [
            self.judge_age(model, now, metrics),
            self.judge_ic_decay(model, visible, labels, as_of, metrics),
            self.judge_drift(model, visible, metrics),
        ]
        reasons = [v.detail for v in verdicts if v.status is RuleStatus.FAILED]
        return RetrainDecision(
            due=bool(reasons),
            reasons=reasons,
            rules=verdicts,
            metrics=metrics,
            as_of=as_of.isoformat(),
            model_version=model.version_id,
        )

    def judge_age(self, model: LoadedModel, now: dt.datetime, metrics: Metrics) -> RuleVerdict:
        """Rule 1: whole days since the model was trained, against ``max_age_days``."""
        limit = float(self.max_age_days)
        trained = model.metadata.created_at
        if trained is None:
            return verdict(RetrainRule.AGE, None, None, limit, "training time not recorded")
        trained_at = dt.datetime.fromisoformat(trained)
        if trained_at.tzinfo is None:
            trained_at = trained_at.replace(tzinfo=dt.UTC)
        age = (now - trained_at).days
        metrics["model_age_days"] = age
        stamp = trained_at.strftime("%Y-%m-%d %H:%M UTC")
        if age > self.max_age_days:
            text = f"model age {age} days > {self.max_age_days} (trained {stamp})"
        else:
            text = f"model age {age} days <= {self.max_age_days} (trained {stamp})"
        return verdict(RetrainRule.AGE, age > self.max_age_days, float(age), limit, text)

    def judge_ic_decay(
        self,
        model: LoadedModel,
        visible: pd.DataFrame,
        labels: pd.Series,
        as_of: dt.date,
        metrics: Metrics,
    ) -> RuleVerdict:
        """Rule 2: is the recent daily IC significantly below the floor?"""
        meta = model.metadata
        training_ic = meta.metrics.ic
        metrics["training_ic"] = training_ic
        floor = (
            self.min_ic if training_ic is None else max(self.min_ic, self.ic_decay * training_ic)
        )
        rule = RetrainRule.IC_DECAY
        known = self.labels_known_by(labels, as_of, meta.horizon)
        x, y = complete_rows(visible, known)
        metrics["recent_obs"] = len(x)
        if len(x) < self.min_obs:
            text = f"{len(x)} of {self.min_obs} new labelled rows"
            return verdict(rule, None, None, floor, text)
        scores = predict_rows(model, x)
        metrics["hit_rate"] = hit_rate(scores, y)
        daily = daily_correlations(scores, y, rank=False)
        metrics["ic_dates"] = len(daily)
        if len(daily):
            metrics["recent_ic"] = float(daily.mean())
        if len(daily) < self.min_ic_dates:
            text = f"{len(daily)} of {self.min_ic_dates} dates with an IC ({len(x)} rows)"
            return verdict(rule, None, metrics["recent_ic"], floor, text)
        test = ic_below_floor(daily.to_numpy(), floor, horizon=meta.horizon)
        metrics["ic_p_value"] = test.p_value
        failed = test.p_value < self.ic_alpha
        relation = "<" if failed else ">="
        text = (
            f"recent IC {test.mean:.4f} vs floor {floor:.4f}: p={test.p_value:.3f} {relation} "
            f"alpha {self.ic_alpha} over {test.n_dates} dates ({len(x)} rows)"
        )
        return verdict(rule, failed, test.mean, floor, text)

    def judge_drift(
        self, model: LoadedModel, visible: pd.DataFrame, metrics: Metrics
    ) -> RuleVerdict:
        """Rule 3: mean absolute standardised shift of new feature rows (no labels needed)."""
        rows = visible.replace([np.inf, -np.inf], np.nan).dropna()
        metrics["drift_obs"] = len(rows)
        limit = self.max_drift
        if len(rows) < self.min_obs:
            text = f"{len(rows)} of {self.min_obs} new feature rows"
            return verdict(RetrainRule.DRIFT, None, None, limit, text)
        drift = self.drift(model, rows)
        metrics["drift"] = drift
        if drift is None:
            text = "no feature varied in training"
            return verdict(RetrainRule.DRIFT, None, None, limit, text)
        failed = drift > limit
        relation = ">" if failed else "<="
        text = f"feature drift {drift:.3f} {relation} {limit} over {len(rows)} rows"
        return verdict(RetrainRule.DRIFT, failed, drift, limit, text)

    @staticmethod
    def labels_known_by(labels: pd.Series, as_of: dt.date, horizon: int) -> pd.Series:
        """Labels whose forward window ends on or before ``as_of`` (the rest are unknown then)."""
        dates = pd.DatetimeIndex(labels.index.get_level_values("date"))
        sessions = dates.unique().sort_values()
        position = int(sessions.searchsorted(pd.Timestamp(as_of), side="right")) - horizon
        if position <= 0:
            return labels.iloc[:0]
        return labels[dates <= sessions[position - 1]]

    @staticmethod
    def drift(model: LoadedModel, rows: pd.DataFrame) -> float | None:
        """Mean absolute z-shift of the means of ``rows`` from training; None if none varied."""
        shifts = []
        for name in model.metadata.feature_names:
            stats = model.metadata.feature_stats[name]
            if stats.std > 0:
                shifts.append(abs(float(rows[name].mean()) - stats.mean) / stats.std)
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


def verdict(
    rule: RetrainRule, failed: bool | None, value: float | None, limit: float, detail: str
) -> RuleVerdict:
    """A rule's verdict: ``failed`` None means not judged."""
    if failed is None:
        status = RuleStatus.NOT_JUDGED
    else:
        status = RuleStatus.FAILED if failed else RuleStatus.PASSED
    return RuleVerdict(rule=rule, status=status, value=value, threshold=limit, detail=detail)
