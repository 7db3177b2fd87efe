"""RetrainTrigger: each documented reason fires on its own, fresh models are left alone."""

from __future__ import annotations

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

FLIP_AT = 504
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


def xy(data: MarketData) -> XY:
    """Core features and 5-day labels."""
    return build_features(data, MODE), forward_returns(data, horizon=5)


@pytest.fixture(scope="module")
def stationary(
    tmp_path_factory: pytest.TempPathFactory,
    make_market: Callable[..., MarketData],
    truncate: Truncate,
) -> Fixture:
    """A model trained up to 15 sessions before the end of a market that never changes."""
    data = make_market()
    seen = truncate(data, len(data.sessions) - 15)
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


def lenient(**strict: float) -> RetrainTrigger:
    """A trigger whose rules never fire, except those given in ``strict``."""
    kwargs: dict[str, float] = {"max_age_days": 10_000, "min_ic": -2.0, "max_drift": 1e9}
    kwargs.update(strict)
    return RetrainTrigger(**kwargs)  # type: ignore[arg-type]


def test_no_model_is_due() -> None:
    decision = RetrainTrigger().evaluate(
        None, pd.DataFrame(), pd.Series(dtype=float), as_of=dt.date(2020, 1, 1)
    )
    assert decision.due
    assert decision.reasons == ["no model"]
    assert decision.model_version is None


def test_a_fresh_model_on_an_unchanged_market_is_not_due(
    stationary: Fixture,
) -> None:
    model, data = stationary
    decision = RetrainTrigger().evaluate(model, *xy(data), as_of=data.end.date())
    assert not decision.due, decision.reasons
    assert decision.metrics["model_age_days"] <= config.RETRAIN_MAX_AGE_DAYS  # type: ignore[operator]
    assert decision.metrics["recent_obs"] >= config.RETRAIN_MIN_OBS  # type: ignore[operator]
    assert decision.metrics["recent_ic"] is not None
    assert decision.metrics["drift"] is not None
    assert decision.metrics["training_ic"] == model.metadata.metrics.ic


def test_right_after_training_there_is_too_little_new_data_to_judge(
    stationary: Fixture, truncate: Truncate
) -> None:
    model, data = stationary
    seen = truncate(data, len(data.sessions) - 15)
    decision = RetrainTrigger().evaluate(model, *xy(seen), as_of=seen.end.date())
    assert not decision.due
    assert decision.metrics["recent_ic"] is None
    assert decision.metrics["drift"] is None


def test_an_old_model_is_due_for_age_alone(stationary: Fixture) -> None:
    model, data = stationary
    as_of = data.end.date() + dt.timedelta(days=60)
    decision = lenient(max_age_days=config.RETRAIN_MAX_AGE_DAYS).evaluate(
        model, *xy(data), as_of=as_of
    )
    assert decision.due
    assert len(decision.reasons) == 1
    assert decision.reasons[0].startswith("model age")


def test_a_flipped_relationship_is_due_for_ic_decay(
    flipped: Fixture,
) -> None:
    model, data = flipped
    decision = lenient(min_ic=config.RETRAIN_MIN_IC, ic_decay=config.RETRAIN_IC_DECAY).evaluate(
        model, *xy(data), as_of=data.end.date()
    )
    assert decision.due
    assert len(decision.reasons) == 1
    assert decision.reasons[0].startswith("recent IC")
    assert decision.metrics["recent_ic"] < 0 < decision.metrics["training_ic"]  # type: ignore[operator]
    assert decision.metrics["hit_rate"] < 0.5  # type: ignore[operator]


def test_before_the_flip_the_same_model_is_fine(flipped: Fixture) -> None:
    model, data = flipped
    as_of = data.sessions[FLIP_AT - 1].date()
    decision = lenient(min_ic=config.RETRAIN_MIN_IC, ic_decay=config.RETRAIN_IC_DECAY).evaluate(
        model, *xy(data), as_of=as_of
    )
    assert not decision.due


def test_shifted_features_are_due_for_drift(stationary: Fixture) -> None:
    model, data = stationary
    features, labels = xy(data)
    shifted = shifted_after_training(model, features)
    decision = lenient(max_drift=config.RETRAIN_MAX_DRIFT).evaluate(
        model, shifted, labels, as_of=data.end.date()
    )
    assert decision.due
    assert len(decision.reasons) == 1
    assert decision.reasons[0].startswith("feature drift")
    assert decision.metrics["drift"] == pytest.approx(3.0, rel=0.2)


def test_drift_without_new_labels_is_reported_but_not_acted_on(stationary: Fixture) -> None:
    """Retraining before new labels arrive would rebuild the same model, so it is not due."""
    model, data = stationary
    features, labels = xy(data)
    shifted = shifted_after_training(model, features)
    unknown = labels.where(labels.index.get_level_values("date") <= model.metadata.train_end)
    decision = lenient(max_drift=config.RETRAIN_MAX_DRIFT).evaluate(
        model, shifted, unknown, as_of=data.end.date()
    )
    assert not decision.due
    assert decision.metrics["recent_obs"] == 0
    assert decision.metrics["drift"] == pytest.approx(3.0, rel=0.2)


def test_data_after_as_of_is_ignored(flipped: Fixture, truncate: Truncate) -> None:
    model, data = flipped
    cutoff = FLIP_AT + 100
    as_of = data.sessions[cutoff - 1].date()
    trigger = RetrainTrigger()
    full = trigger.evaluate(model, *xy(data), as_of=as_of)
    seen = trigger.evaluate(model, *xy(truncate(data, cutoff)), as_of=as_of)
    assert full == seen
    assert full.metrics["recent_obs"] > 0


def test_save_metadata_is_public_and_writes_decision_and_thresholds(
    stationary: Fixture, tmp_path: Path
) -> None:
    model, data = stationary
    trigger = RetrainTrigger()
    decision = trigger.evaluate(model, *xy(data), as_of=data.end.date())
    path = trigger.save_metadata(decision, tmp_path / "retrain" / "decision.json")
    assert path == tmp_path / "retrain" / "decision.json"
    payload = json.loads(path.read_text())
    assert set(payload) == {"decision", "thresholds"}
    assert set(payload["decision"]) == {"due", "reasons", "metrics", "as_of", "model_version"}
    assert set(payload["thresholds"]) == {
        "max_age_days",
        "ic_decay",
        "min_ic",
        "max_drift",
        "min_obs",
    }
    assert payload["decision"]["due"] is decision.due
    assert payload["decision"]["model_version"] == model.version_id
    assert payload["thresholds"]["max_age_days"] == config.RETRAIN_MAX_AGE_DAYS
    assert payload["thresholds"]["max_drift"] == config.RETRAIN_MAX_DRIFT
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
        )
