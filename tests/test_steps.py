"""Picking a model: the mode's current model, else its newest; never a model of another mode."""

from __future__ import annotations

import pytest

from quant_engine import steps
from quant_engine.errors import CacheCorruptError, ModelNotFoundError
from quant_engine.features import build_features, forward_returns
from quant_engine.models import ModelRegistry, SavedModel, TrainResult, train_model
from tests.models.conftest import TICKERS, reverting_market


@pytest.fixture(scope="module")
def results() -> dict[str, TrainResult]:
    """Models on one synthetic market: minimal ridge, core ridge and core gbm."""
    market = reverting_market()
    labels = forward_returns(market, horizon=5)
    found = {}
    for name, mode, kind in (
        ("minimal", "minimal", "ridge"),
        ("core_ridge", "core", "ridge"),
        ("core_gbm", "core", "gbm"),
    ):
        found[name] = train_model(
            build_features(market, mode),
            labels,
            model_kind=kind,
            seed=3,
            horizon=5,
            embargo=5,
            n_folds=3,
        )
    return found


def save(registry: ModelRegistry, result: TrainResult, mode: str) -> SavedModel:
    return registry.save(
        result,
        feature_mode=mode,
        model_kind=result.model_kind,
        data_digest="d",
        seed=result.seed,
        tickers=TICKERS,
    )


def test_the_current_model_of_the_mode_wins_over_a_newer_one(
    results: dict[str, TrainResult],
) -> None:
    registry = ModelRegistry()
    ridge = save(registry, results["core_ridge"], "core")
    save(registry, results["core_gbm"], "core")
    registry.set_current(ridge.version_id)
    save(registry, results["minimal"], "minimal")
    picked = steps.select_model(registry, "core")
    assert (picked.version_id, picked.metadata.model_kind) == (ridge.version_id, "ridge")


def test_without_a_pointer_the_newest_model_of_the_mode_is_used(
    results: dict[str, TrainResult],
) -> None:
    registry = ModelRegistry()
    save(registry, results["core_ridge"], "core")
    gbm = save(registry, results["core_gbm"], "core")
    minimal = save(registry, results["minimal"], "minimal")
    (registry.root / "CURRENT-core").unlink()
    (registry.root / "CURRENT").write_text(f"{minimal.version_id}\n")
    assert steps.select_model(registry, "core").version_id == gbm.version_id


def test_a_model_of_another_mode_is_never_used(results: dict[str, TrainResult]) -> None:
    registry = ModelRegistry()
    save(registry, results["minimal"], "minimal")
    with pytest.raises(ModelNotFoundError, match="qe-train --feature-mode core"):
        steps.select_model(registry, "core")
    with pytest.raises(ModelNotFoundError, match="trained with --feature-mode minimal"):
        steps.select_model(registry, "core", registry.known_ids()[0][:6])


def test_a_current_pointer_to_a_missing_version_says_how_to_fix_it(
    results: dict[str, TrainResult],
) -> None:
    registry = ModelRegistry()
    save(registry, results["core_ridge"], "core")
    (registry.root / "CURRENT-core").write_text("m-ffffffffffff\n")
    with pytest.raises(CacheCorruptError, match="qe-models use VERSION"):
        steps.select_model(registry, "core")
