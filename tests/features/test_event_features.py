"""Full mode carries cached event features: broadcast per day, flagged, never from the future."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from quant_engine.data.market_data import MarketData
from quant_engine.features.pipeline import build_features, feature_names, mode_of
from quant_engine.models.registry import ModelRegistry
from quant_engine.models.trainer import train_model

FED = ("kalshi_kxfed_ev", "kalshi_kxfed_prob_up")


def events_for(market: MarketData) -> pd.DataFrame:
    """Fed-rate event features priced only over the second half of the sample."""
    dates = market.sessions[len(market.sessions) // 2 :]
    values = np.linspace(4.0, 5.0, len(dates))
    frame = pd.DataFrame({FED[0]: values, FED[1]: values / 10.0}, index=dates)
    frame.index.name = "date"
    return frame


@pytest.fixture
def with_events(market: MarketData) -> MarketData:
    return dataclasses.replace(market, events=events_for(market))


def test_full_mode_appends_event_columns_and_flag(with_events: MarketData) -> None:
    features = build_features(with_events, "full")
    extra = list(features.columns[len(feature_names("full")) :])
    assert extra == ["kalshi_kxfed_available", *FED]
    assert mode_of(features.columns) == "full"


@pytest.mark.parametrize("mode", ["minimal", "core"])
def test_other_modes_ignore_events(with_events: MarketData, mode: str) -> None:
    assert list(build_features(with_events, mode).columns) == list(feature_names(mode))


def test_values_broadcast_per_day_and_zero_before_events(with_events: MarketData) -> None:
    features = build_features(with_events, "full")
    events = with_events.events
    assert events is not None
    first_priced = events.index[0]
    day = features.xs(events.index[10], level="date")
    assert (day[FED[0]] == events[FED[0]].iloc[10]).all()
    assert (day["kalshi_kxfed_available"] == 1.0).all()
    before = features[features.index.get_level_values("date") < first_priced]
    assert (before[list(FED)] == 0.0).all().all()
    assert (before["kalshi_kxfed_available"] == 0.0).all()
    assert not features[list(FED)].isna().any().any()


def test_changing_later_events_leaves_earlier_features_unchanged(
    with_events: MarketData,
) -> None:
    events = with_events.events
    assert events is not None
    cut = events.index[len(events) // 2]
    shifted = events.copy()
    shifted.loc[shifted.index > cut] += 100.0
    before = build_features(with_events, "full")
    after = build_features(dataclasses.replace(with_events, events=shifted), "full")
    upto = before.index.get_level_values("date") <= cut
    pd.testing.assert_frame_equal(before[upto], after[upto])
    assert not before[~upto].equals(after[~upto])


def test_a_model_trained_with_events_registers_as_full(with_events: MarketData) -> None:
    from quant_engine.features.labels import forward_returns

    result = train_model(
        build_features(with_events, "full"),
        forward_returns(with_events),
        model_kind="ridge",
        seed=1,
    )
    assert "kalshi_kxfed_ev" in result.feature_names
    version = ModelRegistry().save(
        result,
        feature_mode="full",
        model_kind="ridge",
        data_digest="d",
        seed=1,
        tickers=list(with_events.tickers),
    )
    assert ModelRegistry().load(version.version_id).metadata.feature_names == list(
        result.feature_names
    )
