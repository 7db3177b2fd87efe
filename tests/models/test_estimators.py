"""make_estimator: one estimator per configured kind, seeded, and a clear error otherwise."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_info

from quant_engine import config
from quant_engine.models import make_estimator
from quant_engine.models.estimators import native_threads


def test_every_configured_kind_builds_and_learns_a_linear_signal() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 3))
    y = 0.5 * x[:, 0] + rng.normal(scale=0.1, size=2000)
    for kind in config.MODEL_KINDS:
        estimator = make_estimator(kind, seed=1)
        estimator.fit(x, y)
        assert np.corrcoef(estimator.predict(x), y)[0, 1] > 0.9, kind


def test_ridge_is_scaled_and_gbm_is_seeded() -> None:
    ridge = make_estimator("ridge", seed=1)
    assert isinstance(ridge, Pipeline)
    assert [name for name, _ in ridge.steps] == ["standardscaler", "ridge"]
    gbm = make_estimator("gbm", seed=123)
    assert isinstance(gbm, HistGradientBoostingRegressor)
    assert gbm.random_state == 123
    assert gbm.early_stopping is False


def test_unknown_kind_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"'svm'.*ridge, gbm"):
        make_estimator("svm", seed=1)


def test_native_threads_are_bounded_by_config() -> None:
    make_estimator("gbm", seed=1)  # loads scikit-learn's OpenMP runtime
    with native_threads():
        pools = threadpool_info()
    assert pools, "expected at least one native thread pool (OpenMP or BLAS)"
    assert {pool["num_threads"] for pool in pools} == {config.MODEL_THREADS}
