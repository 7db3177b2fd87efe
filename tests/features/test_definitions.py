"""Feature values match their definitions, computed by hand on one ticker."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from quant_engine import config
from quant_engine.data.market_data import MarketData
from quant_engine.features import build_features

TICKER = "CCC"


@pytest.fixture(scope="module")
def full(market: MarketData) -> pd.DataFrame:
    """Full-mode features of the shared synthetic market."""
    return build_features(market, "full")


def one(features: pd.DataFrame, ticker: str = TICKER) -> pd.DataFrame:
    """One ticker's rows, indexed by date."""
    return features.xs(ticker, level="ticker")


def test_returns_and_momentum_are_log_price_differences(
    market: MarketData, full: pd.DataFrame
) -> None:
    log_close = np.log(market.bars[TICKER]["close"])
    rows = one(full)
    t = 200
    assert rows["ret_1d"].iloc[t] == pytest.approx(log_close.iloc[t] - log_close.iloc[t - 1])
    assert rows["ret_63d"].iloc[t] == pytest.approx(log_close.iloc[t] - log_close.iloc[t - 63])
    assert rows["mom_21d"].iloc[t] == pytest.approx(log_close.iloc[t - 5] - log_close.iloc[t - 21])
    assert rows["mom_252d"].iloc[600] == pytest.approx(
        log_close.iloc[600 - 21] - log_close.iloc[600 - 252]
    )
    assert rows["ret_63d"].iloc[:63].isna().all()


def test_volatility_volume_and_mean_reversion(market: MarketData, full: pd.DataFrame) -> None:
    bars = market.bars[TICKER]
    rows = one(full)
    t = 300
    daily = np.log(bars["close"]).diff()
    expected_vol = daily.iloc[t - 20 : t + 1].std() * math.sqrt(config.TRADING_DAYS_PER_YEAR)
    assert rows["vol_21d"].iloc[t] == pytest.approx(expected_vol)
    log_volume = np.log1p(bars["volume"]).iloc[t - 62 : t + 1]
    expected_z = (log_volume.iloc[-1] - log_volume.mean()) / log_volume.std()
    assert rows["volz_63d"].iloc[t] == pytest.approx(expected_z)
    close = bars["close"].iloc[t - 20 : t + 1]
    expected_mr = (close.iloc[-1] / close.mean() - 1) / daily.iloc[t - 20 : t + 1].std()
    assert rows["mr_21d"].iloc[t] == pytest.approx(expected_mr)


def test_cross_sectional_ranks_order_tickers_each_day(
    market: MarketData, full: pd.DataFrame
) -> None:
    day = full.xs(market.sessions[400], level="date")
    assert day["xrank_ret_5d"].idxmax() == day["ret_5d"].idxmax()
    assert day["xrank_ret_5d"].idxmin() == day["ret_5d"].idxmin()
    assert day["xrank_ret_5d"].max() == 1.0
    assert sorted(day["xrank_vol_21d"]) == [k / len(day) for k in range(1, len(day) + 1)]


def test_ranks_ignore_tickers_without_a_bar_that_day(
    market: MarketData, full: pd.DataFrame
) -> None:
    missing_day = market.bars["AAA"].index[100]
    assert missing_day not in market.bars["BBB"].index
    day = full.xs(missing_day, level="date")
    assert "BBB" not in day.index
    assert day["xrank_ret_5d"].max() == 1.0
    assert day["xrank_ret_5d"].min() == pytest.approx(1.0 / len(day))


def test_market_relative_features_use_the_proxy(full: pd.DataFrame) -> None:
    proxy = one(full, config.MARKET_PROXY).dropna()
    assert (proxy["excess_ret_21d"] == 0.0).all()
    assert proxy["beta_63d"].to_numpy() == pytest.approx(1.0)
    stock = one(full).dropna()
    assert stock["excess_ret_1d"].iloc[-1] == pytest.approx(
        stock["ret_1d"].iloc[-1] - proxy["ret_1d"].iloc[-1]
    )


def test_without_the_proxy_the_market_is_the_equal_weight_mean(market: MarketData) -> None:
    bars = {t: f for t, f in market.bars.items() if t != config.MARKET_PROXY}
    features = build_features(MarketData(bars, source="synthetic"), "full")
    day = features.xs(market.sessions[-1], level="date")
    assert len(day) == len(bars)
    assert day["excess_ret_1d"].mean() == pytest.approx(0.0, abs=1e-15)
    assert day["excess_ret_1d"].to_numpy() == pytest.approx(
        (day["ret_1d"] - day["ret_1d"].mean()).to_numpy()
    )


def test_synthetic_betas_are_recovered(full: pd.DataFrame) -> None:
    last = full.xs(full.index.get_level_values("date")[-1], level="date")
    assert last.loc["AAA", "beta_252d"] < last.loc["GGG", "beta_252d"]


def test_calendar_features_are_cyclic(full: pd.DataFrame) -> None:
    dates = pd.DatetimeIndex(full.index.get_level_values("date"))
    monday_january = full[(dates.day_of_week == 0) & (dates.month == 1)]
    assert (monday_january[["dow_sin", "moy_sin"]] == 0.0).all().all()
    assert (monday_january[["dow_cos", "moy_cos"]] == 1.0).all().all()
    radius = full["moy_sin"] ** 2 + full["moy_cos"] ** 2
    assert radius.to_numpy() == pytest.approx(1.0)


def test_a_zero_volume_bar_is_a_missing_volume_not_an_extreme_z_score(market: MarketData) -> None:
    t = 300
    frame = market.bars[TICKER].copy()
    frame.iloc[t, frame.columns.get_loc("volume")] = 0.0
    zeroed = MarketData({**market.bars, TICKER: frame}, source=market.source)
    z = one(build_features(zeroed, "core"))["volz_63d"]
    assert np.isnan(z.iloc[t])  # no z-score on the bar itself (it was about -8 before)
    # later windows skip it: the z-score of t+1 uses the 62 other volumes of its window
    log_volume = np.log1p(frame["volume"]).iloc[t - 61 : t + 2].drop(index=frame.index[t])
    expected = (log_volume.iloc[-1] - log_volume.mean()) / log_volume.std()
    assert z.iloc[t + 1] == pytest.approx(expected)
