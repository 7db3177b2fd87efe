"""Synthetic MarketData for feature tests: seeded random walks with gaps and a late listing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quant_engine.data.market_data import MarketData

TICKERS = ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "SPX")


def synthetic_market(
    tickers: tuple[str, ...] = TICKERS, years: int = 3, seed: int = 7
) -> MarketData:
    """Business-day OHLCV random walks; BBB misses a few bars and GGG lists a year late."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2015-01-02", periods=252 * years, name="date")
    market = rng.normal(0.0003, 0.01, len(dates))
    bars: dict[str, pd.DataFrame] = {}
    for i, ticker in enumerate(tickers):
        beta = 0.5 + 0.1 * i
        returns = beta * market + rng.normal(0.0, 0.012, len(dates))
        close = 20.0 * (i + 1) * np.exp(np.cumsum(returns))
        spread = np.abs(rng.normal(0.0, 0.005, len(dates)))
        frame = pd.DataFrame(
            {
                "open": close * (1 + rng.normal(0.0, 0.003, len(dates))),
                "high": close * (1 + spread + 0.004),
                "low": close * (1 - spread - 0.004),
                "close": close,
                "volume": rng.lognormal(13.0, 0.4, len(dates)).round(),
            },
            index=dates,
        )
        if ticker == "BBB":
            frame = frame.drop(frame.index[[100, 101, 300, 500]])
        if ticker == "GGG":
            frame = frame.iloc[252:]
        bars[ticker] = frame
    return MarketData(bars=bars, source="synthetic")


@pytest.fixture(scope="session")
def market() -> MarketData:
    """Eight tickers (the market proxy SPX among them) over three years."""
    return synthetic_market()
