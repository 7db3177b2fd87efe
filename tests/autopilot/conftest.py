"""A small seeded synthetic universe for autopilot tests: 8 tickers x 3 years of daily OHLCV."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from quant_engine.data.market_data import InputRecord, MarketData

N_TICKERS = 8
N_DAYS = 3 * 252
SEED = 7


def synthetic_market_data(seed: int = SEED, n_tickers: int = N_TICKERS) -> MarketData:
    """Random walks with ticker-specific drifts (a signal momentum features can find)."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2015-01-02", periods=N_DAYS, name="date")
    drifts = np.linspace(-0.0008, 0.0012, n_tickers)
    bars: dict[str, pd.DataFrame] = {}
    inputs = []
    for i in range(n_tickers):
        ticker = f"T{i:02d}"
        returns = drifts[i] + rng.normal(0.0, 0.015, N_DAYS)
        close = 50.0 * np.exp(np.cumsum(returns))
        spread = np.abs(rng.normal(0.0, 0.005, N_DAYS))
        frame = pd.DataFrame(
            {
                "open": close * (1.0 + rng.normal(0.0, 0.002, N_DAYS)),
                "high": close * (1.0 + spread + 0.003),
                "low": close * (1.0 - spread - 0.003),
                "close": close,
                "volume": rng.integers(100_000, 1_000_000, N_DAYS).astype(np.float64),
            },
            index=dates,
        )
        bars[ticker] = frame
        digest = hashlib.sha256(pd.util.hash_pandas_object(frame).to_numpy().tobytes())
        inputs.append(
            InputRecord(
                ticker=ticker,
                source="synthetic",
                path=f"memory://{ticker}",
                rows=len(frame),
                first=dates[0].date().isoformat(),
                last=dates[-1].date().isoformat(),
                sha256=digest.hexdigest(),
            )
        )
    return MarketData(bars=bars, source="synthetic", inputs=tuple(inputs))


@pytest.fixture(scope="session")
def autopilot_data() -> MarketData:
    """The shared synthetic universe (read-only: MarketData is frozen)."""
    return synthetic_market_data()
