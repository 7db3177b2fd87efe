"""The sample source: real SPX/COMP, and a deterministic synthetic universe that looks real."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quant_engine import config
from quant_engine.data.ohlcv import normalize_ohlcv_columns
from quant_engine.data.providers import sample
from quant_engine.errors import UnknownTickerError

UNIVERSE = [f"S{i:04d}" for i in range(200)]


@pytest.fixture(scope="module")
def universe() -> dict[str, pd.DataFrame]:
    return sample.fetch_many(UNIVERSE)


@pytest.fixture(scope="module")
def returns(universe: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.DataFrame({t: np.log(f["close"]).diff() for t, f in universe.items()})


def test_available_tickers_are_the_real_ones_then_the_synthetic_ones() -> None:
    tickers = sample.available_tickers()
    assert tickers[:2] == config.REAL_SAMPLE_TICKERS
    assert tickers[2] == "S0000"
    assert tickers[-1] == f"S{config.SYNTHETIC_TICKER_COUNT - 1:04d}"
    assert len(tickers) == 2 + config.SYNTHETIC_TICKER_COUNT


@pytest.mark.parametrize("ticker", ["AAPL", "S1000", "S12", "s0001"])
def test_unknown_ticker_is_refused_with_the_available_ones(ticker: str) -> None:
    with pytest.raises(UnknownTickerError, match="available: SPX, COMP, S0000"):
        sample.fetch(ticker)


def test_describe() -> None:
    assert sample.describe("SPX") == "real: S&P 500 index via arch"
    assert sample.describe("COMP").startswith("real: NASDAQ")
    assert sample.describe("S0013") == "synthetic: sector 3"


@pytest.mark.parametrize(("ticker", "last_close"), [("SPX", 2506.85), ("COMP", 6635.28)])
def test_real_series_cover_1999_to_2018(ticker: str, last_close: float) -> None:
    frame = normalize_ohlcv_columns(sample.fetch(ticker), strict=True)
    assert frame.index[0] == pd.Timestamp(config.SAMPLE_START)
    assert frame.index[-1] == pd.Timestamp(config.SAMPLE_END)
    assert len(frame) == 5031
    assert frame["close"].iloc[-1] == pytest.approx(last_close, abs=0.01)


def test_a_ticker_alone_equals_the_same_ticker_in_bulk(universe: dict[str, pd.DataFrame]) -> None:
    alone = sample.fetch("S0105")
    pd.testing.assert_frame_equal(alone, universe["S0105"])


def test_generation_is_repeatable_and_ignores_global_random_state() -> None:
    np.random.seed(1)
    first = sample.fetch_many(["S0003", "S0999"])
    np.random.seed(2)
    second = sample.fetch_many(["S0999", "S0003"])
    for ticker in ("S0003", "S0999"):
        pd.testing.assert_frame_equal(first[ticker], second[ticker])
    assert not first["S0003"]["close"].equals(first["S0999"]["close"])


def test_ohlc_is_consistent_for_every_generated_row(universe: dict[str, pd.DataFrame]) -> None:
    for ticker, frame in universe.items():
        normalize_ohlcv_columns(frame, strict=True, name=ticker)


def test_sessions_are_nyse_sessions_and_listings_differ(universe: dict[str, pd.DataFrame]) -> None:
    from quant_engine.data.calendar import missing_sessions

    firsts = pd.Series({t: f.index[0] for t, f in universe.items()})
    lasts = pd.Series({t: f.index[-1] for t, f in universe.items()})
    assert (firsts > pd.Timestamp(config.SAMPLE_START)).mean() > 0.15
    assert (lasts < pd.Timestamp(config.SAMPLE_END)).sum() >= 1
    assert len(missing_sessions(universe["S0000"].index)) == 0


def test_returns_have_fat_tails(returns: pd.DataFrame) -> None:
    pearson_kurtosis = returns.kurt() + 3.0
    assert pearson_kurtosis.median() > 3.5


def test_volatility_clusters(returns: pd.DataFrame) -> None:
    acf = [returns[t].abs().autocorr(1) for t in returns]
    assert np.median(acf) > 0.05


def test_names_co_move(returns: pd.DataFrame) -> None:
    corr = returns.iloc[:, :50].corr().to_numpy()
    assert np.nanmean(corr[np.triu_indices_from(corr, 1)]) > 0.1


def test_volume_rises_with_absolute_return(universe: dict[str, pd.DataFrame]) -> None:
    frame = universe["S0007"]
    move = np.log(frame["close"]).diff().abs()
    assert np.log(frame["volume"]).corr(move) > 0.2


def test_short_term_reversal_is_weak_but_present(returns: pd.DataFrame) -> None:
    """Past-5-day return ranks predict the next 5 days negatively (the learnable signal)."""
    filled = returns.fillna(0.0)
    past = filled.rolling(5).sum()
    future = filled[::-1].rolling(5).sum()[::-1].shift(-1)
    ic = past.rank(axis=1).corrwith(future.rank(axis=1), axis=1).iloc[::5]
    assert -0.1 < ic.mean() < -0.01
