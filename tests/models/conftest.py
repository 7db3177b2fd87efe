"""Synthetic markets with a planted, learnable signal for model tests (no data layer needed)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from quant_engine.data.market_data import MarketData
from quant_engine.features import build_features, forward_returns
from quant_engine.models import LoadedModel, ModelRegistry, SavedModel, TrainResult, train_model

TICKERS = tuple(f"T{i}" for i in range(8))
YEARS = 3
SESSIONS = 252 * YEARS


def reverting_market(
    *, seed: int = 11, phi: float = -0.15, flip_at: int | None = None, sessions: int = SESSIONS
) -> MarketData:
    """Daily log return = phi x (sum of the last 5 returns) + noise, per ticker.

    With ``phi < 0`` last week's losers bounce back: ``ret_5d`` predicts forward returns. From
    session ``flip_at`` on, ``phi`` changes sign, so a model trained before it stops working.
    """
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2016-01-04", periods=sessions, name="date")
    common = rng.normal(0.0002, 0.006, sessions)
    bars: dict[str, pd.DataFrame] = {}
    for i, ticker in enumerate(TICKERS):
        noise = rng.normal(0.0, 0.012, sessions)
        returns = np.zeros(sessions)
        for t in range(sessions):
            coefficient = -phi if flip_at is not None and t >= flip_at else phi
            returns[t] = coefficient * returns[max(t - 5, 0) : t].sum() + noise[t] + common[t]
        close = (30.0 + 10.0 * i) * np.exp(np.cumsum(returns))
        bars[ticker] = pd.DataFrame(
            {
                "open": close,
                "high": close * 1.01,
                "low": close * 0.99,
                "close": close,
                "volume": rng.lognormal(12.0, 0.3, sessions).round(),
            },
            index=dates,
        )
    return MarketData(bars=bars, source="synthetic")


def truncated(data: MarketData, sessions: int) -> MarketData:
    """The first ``sessions`` bars of every ticker."""
    return MarketData({t: f.iloc[:sessions] for t, f in data.bars.items()}, source=data.source)


@pytest.fixture(scope="session")
def market() -> MarketData:
    """Eight mean-reverting tickers over three years."""
    return reverting_market()


@pytest.fixture(scope="session")
def minimal_xy(market: MarketData) -> tuple[pd.DataFrame, pd.Series]:
    """Minimal-mode features and 5-day forward-return labels of ``market``."""
    return build_features(market, "minimal"), forward_returns(market, horizon=5)


@pytest.fixture(scope="session")
def trained(minimal_xy: tuple[pd.DataFrame, pd.Series]) -> TrainResult:
    """A ridge model trained on ``minimal_xy``."""
    features, labels = minimal_xy
    return train_model(
        features, labels, model_kind="ridge", seed=3, horizon=5, embargo=5, n_folds=4
    )


@pytest.fixture(scope="session")
def loaded(trained: TrainResult, tmp_path_factory: pytest.TempPathFactory) -> LoadedModel:
    """``trained`` saved to a registry of its own and read back."""
    registry = ModelRegistry(tmp_path_factory.mktemp("registry"))
    registry.save(
        trained,
        feature_mode="minimal",
        model_kind="ridge",
        data_digest="digest",
        seed=3,
        tickers=TICKERS,
    )
    return registry.load()


SAVED_TICKERS = ("T0", "T1", "T2")


def save(
    registry: ModelRegistry, result: TrainResult, digest: str = "abc123", mode: str = "minimal"
) -> SavedModel:
    """Save ``result`` (trained on feature mode ``mode``) with fixed provenance."""
    return registry.save(
        result,
        feature_mode=mode,
        model_kind=result.model_kind,
        data_digest=digest,
        seed=result.seed,
        tickers=SAVED_TICKERS,
        extra={"years": 3},
    )


MarketFactory = Callable[..., MarketData]


@pytest.fixture(scope="session")
def make_market() -> MarketFactory:
    """The ``reverting_market`` generator, for tests that need a variant."""
    return reverting_market


@pytest.fixture(scope="session")
def truncate() -> Callable[[MarketData, int], MarketData]:
    """The ``truncated`` helper: the first n bars of every ticker."""
    return truncated


@pytest.fixture(scope="session")
def core_trained(market: MarketData) -> TrainResult:
    """A ridge model trained on the core features of ``market`` (another mode than ``trained``)."""
    return train_model(
        build_features(market, "core"),
        forward_returns(market, horizon=5),
        model_kind="ridge",
        seed=3,
        horizon=5,
        embargo=5,
        n_folds=4,
    )
