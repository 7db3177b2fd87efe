"""Feature build, training and prediction time for the default universe size (26 x 15 years)."""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.harness import Result, best_of
from quant_engine import config
from quant_engine.data.market_data import MarketData
from quant_engine.features import build_features, forward_returns
from quant_engine.models import ModelRegistry, predict_latest, train_model

TICKERS = len(config.DEFAULT_UNIVERSE)
YEARS = 15


def synthetic(tickers: int = TICKERS, years: int = YEARS, seed: int = 0) -> MarketData:
    """Random-walk OHLCV on business days; independent of the data layer's sample source."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2004-01-02", periods=config.TRADING_DAYS_PER_YEAR * years, name="date")
    close = 50.0 * np.exp(np.cumsum(rng.normal(0.0003, 0.015, (len(dates), tickers)), axis=0))
    volume = rng.lognormal(13.0, 0.5, (len(dates), tickers)).round()
    bars = {
        f"S{j:04d}": pd.DataFrame(
            {
                "open": close[:, j],
                "high": close[:, j] * 1.01,
                "low": close[:, j] * 0.99,
                "close": close[:, j],
                "volume": volume[:, j],
            },
            index=dates,
        )
        for j in range(tickers)
    }
    return MarketData(bars=bars, source="synthetic")


def time_models(
    registry: ModelRegistry, features: pd.DataFrame, labels: pd.Series, size: str
) -> list[Result]:
    """Training (walk-forward + refit) and latest-prediction seconds per model kind."""
    results: list[Result] = []
    mode = config.DEFAULT_FEATURE_MODE
    for kind in config.MODEL_KINDS:
        train = partial(train_model, features, labels, model_kind=kind)
        note = f"{mode} features, {config.WALK_FORWARD_FOLDS} folds + refit, {size}"
        results.append(Result(f"train_model {kind}", best_of(train, repeat=2), "s", note=note))
        version = registry.save(
            train(),
            feature_mode=mode,
            model_kind=kind,
            data_digest="",
            seed=config.DEFAULT_SEED,
            tickers=[],
        )
        predict = partial(predict_latest, registry.load(version.version_id), features)
        results.append(Result(f"predict_latest {kind}", best_of(predict, repeat=3), "s"))
    return results


def run() -> list[Result]:
    """Seconds per step on 26 tickers x 15 years (best of a few runs)."""
    data = synthetic()
    size = f"{TICKERS} tickers x {YEARS} y = {data.rows:,} ticker-days"
    results = [
        Result(
            f"build_features {mode}",
            best_of(partial(build_features, data, mode), 3),
            "s",
            note=size,
        )
        for mode in config.FEATURE_MODES
    ]
    results.append(Result("forward_returns", best_of(partial(forward_returns, data), 3), "s"))
    features = build_features(data, config.DEFAULT_FEATURE_MODE)
    with tempfile.TemporaryDirectory() as scratch:  # never touch the user's registry
        results += time_models(ModelRegistry(Path(scratch)), features, forward_returns(data), size)
    return results
