"""Labels are h-bar forward returns, aligned with the features and using only t..t+h."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quant_engine.data.market_data import MarketData
from quant_engine.features import build_features, forward_returns


def test_label_is_forward_return_over_the_horizon(market: MarketData) -> None:
    labels = forward_returns(market, horizon=5)
    close = market.bars["AAA"]["close"]
    aaa = labels.xs("AAA", level="ticker")
    assert labels.name == "label"
    assert aaa.iloc[10] == pytest.approx(close.iloc[15] / close.iloc[10] - 1)
    assert aaa.iloc[-5:].isna().all()
    assert aaa.iloc[:-5].notna().all()


def test_labels_share_the_feature_index(market: MarketData) -> None:
    assert forward_returns(market).index.equals(build_features(market, "minimal").index)


def test_label_counts_grid_sessions_and_uses_the_last_known_close_in_a_gap(
    market: MarketData,
) -> None:
    close = market.bars["BBB"]["close"]
    # BBB misses the two sessions right after its 100th bar (close.index[99])
    labels = forward_returns(market, horizon=3).xs("BBB", level="ticker")
    # from bar 98, three sessions ahead is the second missing session: the last known close
    assert labels.loc[close.index[98]] == pytest.approx(close.iloc[99] / close.iloc[98] - 1)
    # from bar 99, three sessions ahead is the bar after the gap
    assert labels.loc[close.index[99]] == pytest.approx(close.iloc[100] / close.iloc[99] - 1)


def test_label_uses_only_closes_t_to_t_plus_h(market: MarketData) -> None:
    t, h = 200, 5
    ticker = "DDD"
    base = forward_returns(market, horizon=h).xs(ticker, level="ticker").iloc[t]
    frame = market.bars[ticker].copy()
    outside = np.r_[0:t, t + h + 1 : len(frame)]
    frame.iloc[outside, frame.columns.get_loc("close")] *= 3.0
    changed = MarketData({**market.bars, ticker: frame}, source=market.source)
    assert forward_returns(changed, horizon=h).xs(ticker, level="ticker").iloc[t] == base
    frame.iloc[t + h, frame.columns.get_loc("close")] *= 1.1
    moved = MarketData({**market.bars, ticker: frame}, source=market.source)
    assert forward_returns(moved, horizon=h).xs(ticker, level="ticker").iloc[t] != base


def test_horizon_must_be_positive(market: MarketData) -> None:
    with pytest.raises(ValueError, match="horizon"):
        forward_returns(market, horizon=0)


def test_labels_are_nan_only_at_the_end(market: MarketData) -> None:
    labels = forward_returns(market, horizon=5)
    known = labels.groupby(level="ticker").apply(lambda s: int(s.notna().sum()))
    sizes = pd.Series({t: len(f) - 5 for t, f in market.bars.items()})
    pd.testing.assert_series_equal(known.sort_index(), sizes.sort_index(), check_names=False)
