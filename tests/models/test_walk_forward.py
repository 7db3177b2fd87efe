"""The shared walk-forward scoring: out-of-sample only, the data's tickers, settings honoured."""

from __future__ import annotations

import pandas as pd
import pytest

from quant_engine import config
from quant_engine.data.market_data import MarketData
from quant_engine.errors import DataError
from quant_engine.models import WalkForwardSettings, score_walk_forward
from tests.models.conftest import truncated

SETTINGS = WalkForwardSettings(seed=3, horizon=5, embargo=5, n_folds=4)


def test_scores_are_the_out_of_sample_predictions_dates_by_tickers(market: MarketData) -> None:
    reordered = MarketData(
        {t: market.bars[t] for t in reversed(market.tickers)}, source=market.source
    )
    scored = score_walk_forward(
        reordered, feature_mode="minimal", model_kind="ridge", settings=SETTINGS
    )
    assert list(scored.scores.columns) == list(reversed(market.tickers))
    stacked = scored.scores.stack().rename("prediction")
    oos = scored.fit.oos_predictions
    pd.testing.assert_series_equal(
        stacked.sort_index(), oos.reorder_levels(stacked.index.names).sort_index()
    )
    # The first block only ever trains: nothing from it is scored.
    assert scored.scores.index[0] > market.sessions[len(market.sessions) // (SETTINGS.n_folds + 1)]


def test_settings_reach_the_fit_and_default_to_config(market: MarketData) -> None:
    wider = WalkForwardSettings(seed=9, horizon=5, embargo=20, n_folds=3)
    scored = score_walk_forward(market, feature_mode="minimal", model_kind="ridge", settings=wider)
    assert (scored.fit.seed, scored.fit.embargo, scored.fit.metrics.n_folds) == (9, 20, 3)
    default = WalkForwardSettings()
    assert (default.seed, default.horizon, default.embargo, default.n_folds) == (
        config.DEFAULT_SEED,
        config.LABEL_HORIZON_DAYS,
        config.EMBARGO_DAYS,
        config.WALK_FORWARD_FOLDS,
    )


def test_too_little_data_is_a_data_error(market: MarketData) -> None:
    with pytest.raises(DataError, match="too little data"):
        score_walk_forward(truncated(market, 40), feature_mode="minimal", model_kind="ridge")
