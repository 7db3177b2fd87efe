"""make_estimator: one estimator per configured kind, seeded, and a clear error otherwise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_info

from quant_engine import config
from quant_engine.models import make_estimator, train_model
from quant_engine.models.estimators import (
    GBM_MAX_ITER,
    SCALER_CHUNK_ROWS,
    fit_on_scratch,
    native_threads,
)


def test_every_configured_kind_builds_and_learns_a_linear_signal() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 3))
    y = 0.5 * x[:, 0] + rng.normal(scale=0.1, size=2000)
    for kind in config.MODEL_KINDS:
        estimator = make_estimator(kind, seed=1)
        estimator.fit(x, y)
        assert np.corrcoef(estimator.predict(x), y)[0, 1] > 0.9, kind


def test_ridge_predictions_do_not_depend_on_feature_units() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 3))
    y = x[:, 0] - 0.5 * x[:, 1] + rng.normal(scale=0.1, size=500)
    units = np.array([1000.0, 1.0, 0.001])
    plain = make_estimator("ridge", seed=1).fit(x, y).predict(x)
    rescaled = make_estimator("ridge", seed=1).fit(x * units, y).predict(x * units)
    np.testing.assert_allclose(rescaled, plain, rtol=1e-6)


def test_gbm_fits_the_same_model_twice_for_one_seed() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1000, 3))
    y = 0.5 * x[:, 0] + rng.normal(scale=0.1, size=1000)
    first = make_estimator("gbm", seed=123).fit(x, y).predict(x)
    second = make_estimator("gbm", seed=123).fit(x, y).predict(x)
    np.testing.assert_array_equal(first, second)


def test_gbm_runs_every_boosting_round() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1000, 3))
    gbm = make_estimator("gbm", seed=1)
    assert isinstance(gbm, HistGradientBoostingRegressor)
    gbm.fit(x, x[:, 0])
    assert gbm.n_iter_ == GBM_MAX_ITER


def test_unknown_kind_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"'svm'.*ridge, gbm"):
        make_estimator("svm", seed=1)


def test_native_threads_are_bounded_by_config() -> None:
    make_estimator("gbm", seed=1)  # loads scikit-learn's OpenMP runtime
    with native_threads():
        pools = threadpool_info()
    assert pools, "expected at least one native thread pool (OpenMP or BLAS)"
    assert {pool["num_threads"] for pool in pools} == {config.MODEL_THREADS}


def test_gbm_seed_changes_the_model_and_one_seed_repeats_it() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 6))
    y = x @ np.array([0.5, -0.3, 0.2, 0.1, 0.0, 0.0]) + rng.normal(size=2000)
    one = make_estimator("gbm", seed=1).fit(x, y).predict(x)
    forty_two = make_estimator("gbm", seed=42).fit(x, y).predict(x)
    again = make_estimator("gbm", seed=42).fit(x, y).predict(x)
    assert not np.allclose(one, forty_two)
    np.testing.assert_array_equal(forty_two, again)


def test_ridge_is_deterministic_whatever_the_seed() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 3))
    y = x[:, 0] + rng.normal(size=500)
    one = make_estimator("ridge", seed=1).fit(x, y).predict(x)
    np.testing.assert_array_equal(one, make_estimator("ridge", seed=42).fit(x, y).predict(x))


def test_seed_reaches_a_trained_gbm_model(minimal_xy: tuple[pd.DataFrame, pd.Series]) -> None:
    features, labels = minimal_xy

    def scores(seed: int) -> pd.Series:
        result = train_model(features, labels, model_kind="gbm", seed=seed, n_folds=2)
        return result.oos_predictions

    assert not np.allclose(scores(1), scores(42))
    pd.testing.assert_series_equal(scores(42), scores(42))


@pytest.mark.parametrize("kind", config.MODEL_KINDS)
def test_a_fit_on_scratch_predicts_like_a_plain_fit(kind: str) -> None:
    rng = np.random.default_rng(4)
    rows = 2 * SCALER_CHUNK_ROWS + 123  # the scaler sees three chunks, the last one short
    x = rng.normal(loc=[5.0, -2.0, 0.0], scale=[3.0, 0.5, 1e-3], size=(rows, 3))
    y = x[:, 0] - 40.0 * x[:, 1] + rng.normal(size=rows)
    plain = make_estimator(kind, seed=2).fit(x, y)
    scratch = fit_on_scratch(kind, 2, x.copy(), y)
    probe = x[:1000]
    np.testing.assert_allclose(scratch.predict(probe), plain.predict(probe), rtol=1e-9)
    assert np.array_equal(probe, x[:1000])  # prediction leaves its input alone


def test_training_leaves_the_callers_features_untouched(
    minimal_xy: tuple[pd.DataFrame, pd.Series],
) -> None:
    features, labels = minimal_xy
    before = features.copy()
    train_model(features, labels, model_kind="ridge")
    pd.testing.assert_frame_equal(features, before)
