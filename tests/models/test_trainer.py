"""train_model: walk-forward OOS metrics on a planted signal, purged folds, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quant_engine import config
from quant_engine.data.market_data import MarketData
from quant_engine.errors import DataError
from quant_engine.features import build_features, forward_returns
from quant_engine.models import PurgedWalkForward, TrainResult, train_model
from quant_engine.models.trainer import complete_rows, scorable_rows, walk_forward_folds
from tests.models.conftest import reverting_market

XY = tuple[pd.DataFrame, pd.Series]


def train(features: pd.DataFrame, labels: pd.Series, **overrides: object) -> TrainResult:
    """Ridge, seed 3, horizon/embargo 5, four folds, unless overridden."""
    kwargs: dict[str, object] = {
        "model_kind": "ridge",
        "seed": 3,
        "horizon": 5,
        "embargo": 5,
        "n_folds": 4,
    }
    kwargs.update(overrides)
    return train_model(features, labels, **kwargs)  # type: ignore[arg-type]


def test_planted_signal_is_found_out_of_sample(trained: TrainResult) -> None:
    assert trained.metrics.ic is not None
    assert trained.metrics.ic > 0.1
    assert trained.metrics.rank_ic is not None
    assert trained.metrics.rank_ic > 0.1
    assert trained.metrics.hit_rate is not None
    assert trained.metrics.hit_rate > 0.53
    assert trained.metrics.n_folds == 4
    assert trained.metrics.n_obs == len(trained.oos_predictions)


def test_pure_noise_has_no_out_of_sample_skill(minimal_xy: XY) -> None:
    features, labels = minimal_xy
    noise = pd.Series(
        np.random.default_rng(5).normal(size=len(labels)), index=labels.index, name="label"
    )
    result = train(features, noise.where(labels.notna()))
    assert result.metrics.ic is not None
    assert abs(result.metrics.ic) < 0.05


def test_incomplete_rows_are_dropped_and_the_window_recorded(
    minimal_xy: XY, trained: TrainResult
) -> None:
    features, labels = minimal_xy
    complete = features.notna().all(axis=1) & labels.notna()
    assert trained.n_rows == int(complete.sum())
    dates = features.index.get_level_values("date")[complete]
    assert trained.train_start == dates.min()
    assert trained.train_end == dates.max()
    assert trained.feature_names == tuple(features.columns)


def test_feature_stats_are_training_means_and_stds(minimal_xy: XY, trained: TrainResult) -> None:
    x, _ = complete_rows(*minimal_xy)
    mean, std = trained.feature_stats["ret_5d"]
    assert mean == pytest.approx(x["ret_5d"].mean())
    assert std == pytest.approx(x["ret_5d"].std(ddof=0))


def test_oos_predictions_cover_only_the_test_blocks(minimal_xy: XY, trained: TrainResult) -> None:
    x, _ = scorable_rows(*minimal_xy)
    dates = x.index.get_level_values("date")
    test_dates = {d for _, test in PurgedWalkForward(4, 5, 5).split(dates) for d in test}
    assert set(trained.oos_predictions.index.get_level_values("date")) == test_dates
    assert trained.oos_predictions.index.is_unique


def test_a_fold_ignores_labels_it_must_not_see(minimal_xy: XY, trained: TrainResult) -> None:
    """Labels in the purge window and in later blocks cannot change a fold's predictions."""
    features, labels = minimal_xy
    x, _ = scorable_rows(features, labels)
    folds = list(PurgedWalkForward(4, 5, 5).split(x.index.get_level_values("date")))
    _, second_test = folds[1]
    purged = x.index.get_level_values("date").unique().sort_values()
    purged = purged[purged < second_test.min()][-5:]
    dates = labels.index.get_level_values("date")
    hidden = (dates.isin(purged) | (dates > second_test.max())) & labels.notna()
    tampered = labels.mask(hidden, 1.0)
    changed = train(features, tampered)
    in_second = trained.oos_predictions.index.get_level_values("date").isin(second_test)
    pd.testing.assert_series_equal(
        changed.oos_predictions[in_second], trained.oos_predictions[in_second]
    )
    assert not changed.oos_predictions.equals(trained.oos_predictions)


def test_rows_without_a_label_are_still_scored_out_of_sample(minimal_xy: XY) -> None:
    """A ticker's last ``horizon`` bars have no label yet; they are scored all the same."""
    features, labels = minimal_xy
    result = train(features, labels)
    last_dates = features.index.get_level_values("date").unique().sort_values()[-5:]
    latest = features[features.index.get_level_values("date").isin(last_dates)].dropna()
    assert labels.reindex(latest.index).isna().all()  # no label yet
    assert latest.index.isin(result.oos_predictions.index).all()  # yet every row is scored
    assert result.metrics.n_obs == len(result.oos_predictions)


def test_training_is_deterministic(minimal_xy: XY, trained: TrainResult) -> None:
    again = train(*minimal_xy)
    pd.testing.assert_series_equal(again.oos_predictions, trained.oos_predictions)
    assert again.metrics == trained.metrics


def test_too_few_rows_is_a_data_error(minimal_xy: XY) -> None:
    features, labels = minimal_xy
    few = features.iloc[:150]
    with pytest.raises(DataError, match=rf"too little data.*need at least {config.MIN_TRAIN_ROWS}"):
        train(few, labels)


def test_too_few_dates_for_the_folds_is_a_data_error(minimal_xy: XY) -> None:
    features, labels = minimal_xy
    with pytest.raises(DataError, match=r"too little data.*needs at least"):
        train(features, labels, n_folds=20, horizon=30, embargo=30)


def test_unknown_model_kind_is_rejected_before_training(minimal_xy: XY) -> None:
    with pytest.raises(ValueError, match="unknown model kind 'svm'"):
        train(*minimal_xy, model_kind="svm")


def test_progress_counts_each_fold_then_the_refit(minimal_xy: XY) -> None:
    seen: list[tuple[int, int]] = []
    train(*minimal_xy, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_a_twelve_session_halt_leaves_no_training_label_ending_in_the_test_block() -> None:
    """Labels and the purge count the same grid sessions, so a halt cannot stretch a label."""
    data = reverting_market()
    features = build_features(data, "minimal")
    x, y = scorable_rows(features, forward_returns(data, 5))
    folds = walk_forward_folds(x, y, n_folds=4, horizon=5, embargo=5)
    test_start = x.index.get_level_values("date")[folds[1][1]].min()
    grid = data.sessions
    start = int(grid.get_loc(test_start))
    halt = grid[start - 12 : start]  # T3 has no bars for the 12 sessions before the test block
    bars = dict(data.bars)
    bars["T3"] = bars["T3"].drop(index=halt)
    halted = MarketData(bars=bars, source="synthetic")
    x, y = scorable_rows(build_features(halted, "minimal"), forward_returns(halted, 5))
    train, test = walk_forward_folds(x, y, n_folds=4, horizon=5, embargo=5)[1]
    assert x.index.get_level_values("date")[test].min() == test_start
    # every training label is unchanged when every close from the test block on is changed
    later = {
        t: f.assign(close=f["close"].where(f.index < test_start, f["close"] * 2.0))
        for t, f in bars.items()
    }
    moved = forward_returns(MarketData(bars=later, source="synthetic"), 5).reindex(x.index)
    pd.testing.assert_series_equal(moved[train], y[train], check_names=False)
    assert (y[train].index.get_level_values("ticker") == "T3").any()
