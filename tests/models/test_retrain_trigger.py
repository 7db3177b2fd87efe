"""RetrainTrigger: each rule is judged (passed or failed) or not judged with why, on built data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from quant_engine import config, layout
from quant_engine.data.market_data import MarketData
from quant_engine.errors import UsageError
from quant_engine.features import build_features, forward_returns
from quant_engine.models import LoadedModel, ModelRegistry, RetrainTrigger, train_model
from quant_engine.retrain_decision import (
    RetrainDecision,
    RetrainRule,
    RuleStatus,
    RuleVerdict,
    not_judged,
    verdict_summary,
)

FLIP_AT = 504
AFTER_TRAINING = 60
"""Sessions the stationary model's data stops before the market's end."""
MODE = "core"
XY = tuple[pd.DataFrame, pd.Series]
Truncate = Callable[[MarketData, int], MarketData]
Fixture = tuple[LoadedModel, MarketData]


def model_on(data: MarketData, root: Path) -> LoadedModel:
    """A ridge model trained on ``data`` (core features), saved under ``root`` and loaded."""
    features, labels = build_features(data, MODE), forward_returns(data, horizon=5)
    result = train_model(
        features, labels, model_kind="ridge", seed=1, horizon=5, embargo=5, n_folds=4
    )
    registry = ModelRegistry(root)
    registry.save(
        result, feature_mode=MODE, model_kind="ridge", data_digest="d", seed=1, tickers=["T0"]
    )
    return registry.load()


def trained_at(model: LoadedModel) -> dt.datetime:
    """When the registry saved ``model`` (its training time)."""
    assert model.metadata.created_at is not None
    return dt.datetime.fromisoformat(model.metadata.created_at)


def soon_after(model: LoadedModel) -> dt.datetime:
    """One second after ``model`` was trained."""
    return trained_at(model) + dt.timedelta(seconds=1)


def xy(data: MarketData) -> XY:
    """Core features and 5-day labels."""
    return build_features(data, MODE), forward_returns(data, horizon=5)


def rule(decision: RetrainDecision, name: RetrainRule) -> RuleVerdict:
    """The verdict of one rule."""
    (found,) = [v for v in decision.rules if v.rule is name]
    return found


@pytest.fixture(scope="module")
def stationary(
    tmp_path_factory: pytest.TempPathFactory,
    make_market: Callable[..., MarketData],
    truncate: Truncate,
) -> Fixture:
    """A model trained up to 60 sessions before the end of a market that never changes."""
    data = make_market()
    seen = truncate(data, len(data.sessions) - AFTER_TRAINING)
    return model_on(seen, tmp_path_factory.mktemp("stationary")), data


@pytest.fixture(scope="module")
def flipped(
    tmp_path_factory: pytest.TempPathFactory,
    make_market: Callable[..., MarketData],
    truncate: Truncate,
) -> Fixture:
    """A model trained on two years of mean reversion, which then turns into momentum."""
    data = make_market(flip_at=FLIP_AT)
    return model_on(truncate(data, FLIP_AT), tmp_path_factory.mktemp("flipped")), data


def shifted_after_training(model: LoadedModel, features: pd.DataFrame) -> pd.DataFrame:
    """``features`` with every feature moved up by 3 training std after the training window."""
    after = features.index.get_level_values("date") > pd.Timestamp(model.metadata.train_end)
    shifted = features.copy()
    for name, stats in model.metadata.feature_stats.items():
        shifted.loc[after, name] = shifted.loc[after, name] + 3.0 * stats.std
    return shifted


def unlabelled_after_training(model: LoadedModel, labels: pd.Series) -> pd.Series:
    """``labels`` with every label after the training window unknown (NaN)."""
    return labels.where(labels.index.get_level_values("date") <= model.metadata.train_end)


def lenient(**strict: float) -> RetrainTrigger:
    """A trigger whose rules never fire, except those given in ``strict``."""
    kwargs: dict[str, float] = {
        "max_age_days": 10_000,
        "min_ic": -2.0,
        "ic_decay": 0.0,
        "max_drift": 1e9,
    }
    kwargs.update(strict)
    return RetrainTrigger(**kwargs)  # type: ignore[arg-type]


def test_no_model_is_due() -> None:
    decision = RetrainTrigger().evaluate(
        None,
        pd.DataFrame(),
        pd.Series(dtype=float),
        as_of=dt.date(2020, 1, 1),
        now=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    assert decision.due
    assert decision.reasons == ["no model"]
    assert decision.model_version is None
    assert verdict_summary(decision) == {}
    assert not_judged(decision) == []


def test_a_fresh_model_on_an_unchanged_market_passes_every_rule(stationary: Fixture) -> None:
    model, data = stationary
    decision = RetrainTrigger().evaluate(
        model, *xy(data), as_of=data.end.date(), now=soon_after(model)
    )
    assert not decision.due, decision.reasons
    assert [v.rule for v in decision.rules] == list(RetrainRule)
    assert {v.status for v in decision.rules} == {RuleStatus.PASSED}, decision.rules
    assert decision.metrics["recent_obs"] >= config.RETRAIN_MIN_OBS  # type: ignore[operator]
    assert decision.metrics["ic_dates"] >= config.RETRAIN_MIN_IC_DATES  # type: ignore[operator]
    assert decision.metrics["ic_p_value"] >= config.RETRAIN_IC_ALPHA  # type: ignore[operator]
    assert decision.metrics["training_ic"] == model.metadata.metrics.ic
    ic = rule(decision, RetrainRule.IC_DECAY)
    assert ic.value == decision.metrics["recent_ic"]
    assert ic.threshold == pytest.approx(config.RETRAIN_IC_DECAY * model.metadata.metrics.ic)  # type: ignore[operator]
    drift = rule(decision, RetrainRule.DRIFT)
    assert drift.value == decision.metrics["drift"]
    assert drift.threshold == config.RETRAIN_MAX_DRIFT


def test_age_counts_from_training_time_not_the_last_labelled_date(stationary: Fixture) -> None:
    """Data two months past the training window, model trained a second ago: age 0 days."""
    model, data = stationary
    as_of = data.end.date() + dt.timedelta(days=60)
    decision = RetrainTrigger().evaluate(model, *xy(data), as_of=as_of, now=soon_after(model))
    age = rule(decision, RetrainRule.AGE)
    assert age.status is RuleStatus.PASSED
    assert age.value == 0
    assert age.threshold == config.RETRAIN_MAX_AGE_DAYS
    assert decision.metrics["model_age_days"] == 0
    assert decision.metrics["data_days_after_training"] > config.RETRAIN_MAX_AGE_DAYS  # type: ignore[operator]


def test_a_model_trained_long_ago_fails_age_alone(stationary: Fixture) -> None:
    model, data = stationary
    days = config.RETRAIN_MAX_AGE_DAYS + 1
    now = trained_at(model) + dt.timedelta(days=days, hours=1)
    decision = lenient(max_age_days=config.RETRAIN_MAX_AGE_DAYS).evaluate(
        model, *xy(data), as_of=data.end.date(), now=now
    )
    assert decision.due
    assert [v.status for v in decision.rules] == [
        RuleStatus.FAILED,
        RuleStatus.PASSED,
        RuleStatus.PASSED,
    ]
    assert decision.reasons == [rule(decision, RetrainRule.AGE).detail]
    assert decision.reasons[0].startswith(f"model age {days} days > ")


def test_age_is_not_judged_when_the_training_time_is_unknown(stationary: Fixture) -> None:
    model, data = stationary
    undated = dataclasses.replace(
        model, metadata=model.metadata.model_copy(update={"created_at": None})
    )
    decision = RetrainTrigger().evaluate(
        undated, *xy(data), as_of=data.end.date(), now=soon_after(model)
    )
    age = rule(decision, RetrainRule.AGE)
    assert age.status is RuleStatus.NOT_JUDGED
    assert age.detail == "training time not recorded"
    assert decision.metrics["model_age_days"] is None


def test_a_flipped_relationship_fails_ic_decay_significantly(flipped: Fixture) -> None:
    model, data = flipped
    decision = lenient(min_ic=config.RETRAIN_MIN_IC, ic_decay=config.RETRAIN_IC_DECAY).evaluate(
        model, *xy(data), as_of=data.end.date(), now=soon_after(model)
    )
    assert decision.due
    ic = rule(decision, RetrainRule.IC_DECAY)
    assert ic.status is RuleStatus.FAILED
    assert decision.reasons == [ic.detail]
    assert ic.detail.startswith("recent IC")
    assert decision.metrics["ic_p_value"] < config.RETRAIN_IC_ALPHA  # type: ignore[operator]
    assert decision.metrics["recent_ic"] < 0 < decision.metrics["training_ic"]  # type: ignore[operator]
    assert decision.metrics["hit_rate"] < 0.5  # type: ignore[operator]


def test_before_the_flip_the_same_model_passes_ic_decay(flipped: Fixture) -> None:
    model, data = flipped
    as_of = data.sessions[FLIP_AT - 1].date()
    decision = lenient(min_ic=config.RETRAIN_MIN_IC, ic_decay=config.RETRAIN_IC_DECAY).evaluate(
        model, *xy(data), as_of=as_of, now=soon_after(model)
    )
    assert not decision.due
    assert rule(decision, RetrainRule.IC_DECAY).status is not RuleStatus.FAILED


def test_ic_decay_is_not_judged_without_new_labelled_rows(stationary: Fixture) -> None:
    model, data = stationary
    features, labels = xy(data)
    decision = RetrainTrigger().evaluate(
        model,
        features,
        unlabelled_after_training(model, labels),
        as_of=data.end.date(),
        now=soon_after(model),
    )
    ic = rule(decision, RetrainRule.IC_DECAY)
    assert ic.status is RuleStatus.NOT_JUDGED
    assert ic.detail == f"0 of {config.RETRAIN_MIN_OBS} new labelled rows"
    assert ic.value is None
    summary = verdict_summary(decision)
    assert summary["ic_decay"] == f"not judged: 0 of {config.RETRAIN_MIN_OBS} new labelled rows"
    assert summary["age"].startswith("passed: model age 0 days")
    assert not_judged(decision) == ["ic_decay"]


def test_ic_decay_is_not_judged_on_too_few_dates(stationary: Fixture, truncate: Truncate) -> None:
    """Enough labelled rows but too few dates for the significance test."""
    model, data = stationary
    end = len(data.sessions) - AFTER_TRAINING + 15  # 15 labelled dates x 8 tickers
    short = truncate(data, end)
    decision = RetrainTrigger().evaluate(
        model, *xy(short), as_of=short.end.date(), now=soon_after(model)
    )
    assert decision.metrics["recent_obs"] >= config.RETRAIN_MIN_OBS  # type: ignore[operator]
    ic = rule(decision, RetrainRule.IC_DECAY)
    assert ic.status is RuleStatus.NOT_JUDGED
    assert ic.detail.endswith(
        f"of {config.RETRAIN_MIN_IC_DATES} dates with an IC ({decision.metrics['recent_obs']} rows)"
    )
    assert ic.value == decision.metrics["recent_ic"] is not None


def test_shifted_features_fail_drift(stationary: Fixture) -> None:
    model, data = stationary
    features, labels = xy(data)
    decision = lenient(max_drift=config.RETRAIN_MAX_DRIFT).evaluate(
        model,
        shifted_after_training(model, features),
        labels,
        as_of=data.end.date(),
        now=soon_after(model),
    )
    assert decision.due
    drift = rule(decision, RetrainRule.DRIFT)
    assert drift.status is RuleStatus.FAILED
    assert decision.reasons == [drift.detail]
    assert drift.detail.startswith("feature drift")
    assert drift.value == pytest.approx(3.0, rel=0.2)


def test_drift_is_judged_on_features_alone(stationary: Fixture) -> None:
    """No label after the training window: drift still fails, IC decay is not judged."""
    model, data = stationary
    features, labels = xy(data)
    decision = lenient(max_drift=config.RETRAIN_MAX_DRIFT).evaluate(
        model,
        shifted_after_training(model, features),
        unlabelled_after_training(model, labels),
        as_of=data.end.date(),
        now=soon_after(model),
    )
    assert decision.due
    assert decision.metrics["recent_obs"] == 0
    assert rule(decision, RetrainRule.DRIFT).status is RuleStatus.FAILED
    assert rule(decision, RetrainRule.IC_DECAY).status is RuleStatus.NOT_JUDGED
    assert decision.metrics["drift"] == pytest.approx(3.0, rel=0.2)


def test_drift_is_not_judged_on_too_few_feature_rows(
    stationary: Fixture, truncate: Truncate
) -> None:
    model, data = stationary
    short = truncate(data, len(data.sessions) - AFTER_TRAINING + 5)
    decision = RetrainTrigger().evaluate(
        model, *xy(short), as_of=short.end.date(), now=soon_after(model)
    )
    drift = rule(decision, RetrainRule.DRIFT)
    assert drift.status is RuleStatus.NOT_JUDGED
    rows = decision.metrics["drift_obs"]
    assert 0 < rows < config.RETRAIN_MIN_OBS  # type: ignore[operator]
    assert drift.detail == f"{rows} of {config.RETRAIN_MIN_OBS} new feature rows"
    assert not decision.due


def test_data_after_as_of_is_ignored(flipped: Fixture, truncate: Truncate) -> None:
    model, data = flipped
    cutoff = FLIP_AT + 100
    as_of = data.sessions[cutoff - 1].date()
    trigger, now = RetrainTrigger(), soon_after(model)
    full = trigger.evaluate(model, *xy(data), as_of=as_of, now=now)
    seen = trigger.evaluate(model, *xy(truncate(data, cutoff)), as_of=as_of, now=now)
    assert full == seen
    assert full.metrics["recent_obs"] > 0  # type: ignore[operator]


def test_save_metadata_is_public_and_writes_decision_and_thresholds(
    stationary: Fixture, tmp_path: Path
) -> None:
    model, data = stationary
    trigger = RetrainTrigger()
    decision = trigger.evaluate(model, *xy(data), as_of=data.end.date(), now=soon_after(model))
    path = trigger.save_metadata(decision, tmp_path / "retrain" / "decision.json")
    assert path == tmp_path / "retrain" / "decision.json"
    payload = json.loads(path.read_text())
    assert set(payload) == {"decision", "thresholds"}
    assert set(payload["decision"]) == {
        "due",
        "reasons",
        "rules",
        "metrics",
        "as_of",
        "model_version",
    }
    assert [r["rule"] for r in payload["decision"]["rules"]] == ["age", "ic_decay", "drift"]
    assert set(payload["thresholds"]) == {
        "max_age_days",
        "ic_decay",
        "min_ic",
        "ic_alpha",
        "min_ic_dates",
        "max_drift",
        "min_obs",
    }
    assert payload["decision"]["due"] is decision.due
    assert payload["decision"]["model_version"] == model.version_id
    assert payload["thresholds"]["max_age_days"] == config.RETRAIN_MAX_AGE_DAYS
    assert payload["thresholds"]["max_drift"] == config.RETRAIN_MAX_DRIFT
    assert payload["thresholds"]["ic_alpha"] == config.RETRAIN_IC_ALPHA
    assert path.read_text() == json.dumps(payload, sort_keys=True, indent=2) + "\n"


def test_no_private_save_metadata_exists_anywhere() -> None:
    assert not hasattr(RetrainTrigger, "_save_metadata")
    root = layout.repo_root()
    sources = [
        *root.joinpath("quant_engine").rglob("*.py"),
        *root.joinpath("scripts").rglob("*.py"),
    ]
    offenders = [str(p) for p in sources if "_save_metadata" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_features_of_another_mode_are_a_usage_error(stationary: Fixture) -> None:
    model, data = stationary
    with pytest.raises(UsageError, match=r"feature mode 'core'.*mode 'minimal'"):
        RetrainTrigger().evaluate(
            model,
            build_features(data, "minimal"),
            forward_returns(data, horizon=5),
            as_of=data.end.date(),
            now=soon_after(model),
        )
