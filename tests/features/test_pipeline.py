"""build_features: modes nest, rows follow the bars, and nothing looks ahead."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from quant_engine import config
from quant_engine.data.market_data import MarketData
from quant_engine.features import build_features, feature_names, mode_of
from quant_engine.features.definitions import GROUPS, MODE_GROUPS, Panel
from quant_engine.features.pipeline import panel_from, stack_wide


def perturbed_after(data: MarketData, cutoff: pd.Timestamp, seed: int = 1) -> MarketData:
    """Same bars up to ``cutoff``; every price and volume after it scaled by random factors."""
    rng = np.random.default_rng(seed)
    bars = {}
    for ticker, original in data.bars.items():
        frame = original.copy()
        after = frame.index > cutoff
        factor = rng.uniform(0.5, 1.5, after.sum())
        for column in ("open", "high", "low", "close"):
            frame.loc[after, column] = frame.loc[after, column] * factor
        frame.loc[after, "volume"] = frame.loc[after, "volume"] * rng.uniform(0.1, 10, after.sum())
        bars[ticker] = frame
    return MarketData(bars=bars, source=data.source)


def truncated_at(data: MarketData, cutoff: pd.Timestamp) -> MarketData:
    """Only the bars up to and including ``cutoff``."""
    bars = {ticker: frame.loc[:cutoff] for ticker, frame in data.bars.items()}
    return MarketData(bars=bars, source=data.source)


def without(data: MarketData, ticker: str) -> MarketData:
    """``data`` minus one ticker."""
    return MarketData({t: f for t, f in data.bars.items() if t != ticker}, source=data.source)


@pytest.mark.parametrize("mode", config.FEATURE_MODES)
@pytest.mark.parametrize("proxy", [True, False], ids=["with-proxy", "equal-weight-market"])
def test_no_feature_up_to_t_depends_on_data_after_t(
    market: MarketData, mode: str, proxy: bool
) -> None:
    data = market if proxy else without(market, config.MARKET_PROXY)
    base = build_features(data, mode)
    for cutoff in (data.sessions[300], data.sessions[600]):
        up_to = base.loc[:cutoff]
        changed = build_features(perturbed_after(data, cutoff), mode)
        pd.testing.assert_frame_equal(changed.loc[:cutoff], up_to, check_exact=True)
        assert not changed.loc[cutoff + pd.Timedelta(days=1) :].equals(
            base.loc[cutoff + pd.Timedelta(days=1) :]
        ), "the perturbation should change later features"
        truncated = build_features(truncated_at(data, cutoff), mode)
        pd.testing.assert_frame_equal(truncated, up_to, check_exact=True)


def test_modes_nest_minimal_in_core_in_full(market: MarketData) -> None:
    frames = {mode: build_features(market, mode) for mode in config.FEATURE_MODES}
    for smaller, larger in zip(config.FEATURE_MODES, config.FEATURE_MODES[1:], strict=False):
        assert set(feature_names(smaller)) < set(feature_names(larger))
        shared = list(feature_names(smaller))
        pd.testing.assert_frame_equal(frames[larger][shared], frames[smaller], check_exact=True)


def test_feature_mode_registry_matches_config() -> None:
    assert tuple(MODE_GROUPS) == config.FEATURE_MODES
    assert feature_names("minimal") == (
        "ret_1d",
        "ret_5d",
        "ret_21d",
        "ret_63d",
        "mom_21d",
        "mom_63d",
    )
    assert len(set(feature_names("full"))) == len(feature_names("full"))


def test_each_group_computes_exactly_its_declared_names(market: MarketData) -> None:
    panel = panel_from(market)
    for group in GROUPS.values():
        assert set(group.compute(panel)) == set(group.names), group.name


@pytest.mark.parametrize("mode", config.FEATURE_MODES)
def test_frame_shape_index_and_dtypes(market: MarketData, mode: str) -> None:
    features = build_features(market, mode)
    assert list(features.columns) == list(feature_names(mode))
    assert features.index.names == ["date", "ticker"]
    assert features.index.is_monotonic_increasing
    assert features.index.is_unique
    assert all(dtype == np.float64 for dtype in features.dtypes)
    assert len(features) == market.rows
    assert mode_of(features.columns) == mode


def test_rows_exist_only_where_the_ticker_has_a_bar(market: MarketData) -> None:
    features = build_features(market, "core")
    for ticker, frame in market.bars.items():
        dates = features.xs(ticker, level="ticker").index
        assert dates.equals(pd.DatetimeIndex(frame.index)), ticker


def test_features_are_eventually_complete_for_every_ticker(market: MarketData) -> None:
    features = build_features(market, "full")
    last = features.xs(market.end, level="date")
    assert sorted(last.index) == sorted(market.tickers)
    assert last.notna().all().all()


def test_unknown_mode_names_the_mode_and_the_choices(market: MarketData) -> None:
    with pytest.raises(ValueError, match=r"'maximal'.*minimal, core, full"):
        build_features(market, "maximal")
    with pytest.raises(ValueError, match="maximal"):
        feature_names("maximal")


def test_mode_of_unknown_columns_is_none() -> None:
    assert mode_of(["ret_1d"]) is None
    assert mode_of(reversed(feature_names("core"))) is None


def test_panel_sorts_tickers(market: MarketData) -> None:
    reordered = MarketData(dict(reversed(list(market.bars.items()))), source=market.source)
    panel: Panel = panel_from(reordered)
    assert list(panel.close.columns) == sorted(market.tickers)
    pd.testing.assert_frame_equal(build_features(reordered, "core"), build_features(market, "core"))


def test_stack_wide_takes_frames_one_at_a_time_onto_the_present_cells() -> None:
    dates = pd.bdate_range("2024-01-01", periods=3, name="date")
    present = pd.DataFrame(
        [[True, False], [True, True], [False, True]], index=dates, columns=["A", "B"]
    )
    earlier: list[weakref.ref[pd.DataFrame]] = []

    def frames() -> Iterator[pd.DataFrame]:
        for scale in (1.0, 10.0):
            gc.collect()
            assert all(ref() is None for ref in earlier)  # the one before was let go
            frame = pd.DataFrame(scale * np.arange(6.0).reshape(3, 2), index=dates)
            frame.columns = pd.Index(["B", "A"])  # columns out of order
            earlier.append(weakref.ref(frame))
            yield frame
            del frame

    long = stack_wide(["x", "y"], frames(), present)
    assert list(long.index) == [(dates[0], "A"), (dates[1], "A"), (dates[1], "B"), (dates[2], "B")]
    assert long["x"].tolist() == [1.0, 3.0, 2.0, 4.0]  # column A is the frame's second column
    assert long["y"].tolist() == [10.0, 30.0, 20.0, 40.0]
    assert len(earlier) == 2
    with pytest.raises(ValueError, match="1 frames for the 2 columns"):
        stack_wide(["x", "y"], [present.astype(float)], present)
    with pytest.raises(ValueError, match="more frames than the 1 columns"):
        stack_wide(["x"], [present.astype(float)] * 2, present)
