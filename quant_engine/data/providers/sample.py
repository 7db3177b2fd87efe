"""The embedded offline ``sample`` source: two real index series and a synthetic stock universe.

Real: ``SPX`` (S&P 500) and ``COMP`` (NASDAQ Composite) daily OHLCV, 1999-2018, shipped by the
``arch`` package.

Synthetic ``S0000`` .. ``S0999`` on NYSE sessions ``SAMPLE_START`` .. ``SAMPLE_END``. Ticker i
(sector k = i mod 10) has daily log return::

    r_t = a_i + b_i m_t + g_i f_k,t + mu_i,t-1 + e_i,t - (REVERSAL / 5) * (e_i,t-1 + ... + e_i,t-5)

- ``m``: the real S&P 500 log return, so the names co-move with the market proxy (SPX);
- ``f_k``: ten sector factors, GARCH(1,1) with Student-t shocks;
- ``e_i``: idiosyncratic GARCH(1,1) with Student-t(5) shocks: fat tails, volatility clustering.

Weak predictable parts (on purpose, so models have something real to learn):

- short-term reversal: a fraction ``REVERSAL`` of each idiosyncratic shock is given back over
  the next five sessions (cross-sectional rank IC of the past 5-day return on the next 5 days
  is about -0.04);
- slow momentum: ``mu_i`` is a persistent AR(1) drift (half-life about 70 sessions), so recent
  trends weakly continue (rank IC of the past 60 days on the next 20 about +0.03).

About 30% of the names list after the start and 3% delist early. Opens gap from the previous
close by part of the day's move; highs/lows extend beyond max/min(open, close) by a half-normal
multiple of the day's volatility; log-volume loads on |r|/sigma plus AR(1) noise.

Reproducible by construction: a fixed base seed (never the run's ``--seed``), one random stream
per ticker index and per sector, and element-wise arithmetic only across tickers, so generating
S0005 alone gives exactly the series it has when all 1,000 are generated together.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from quant_engine import config
from quant_engine.errors import UnknownTickerError

__all__ = [
    "available_tickers",
    "describe",
    "fetch",
    "fetch_many",
    "sector_factors",
    "synthetic_tickers",
]

BASE_SEED = 20_190_104
"""Fixed seed of the synthetic universe: the data must not change with a run's --seed."""
SECTORS = 10
REVERSAL = 0.10
MOMENTUM_PHI = 0.99
MOMENTUM_SD = 0.0006
"""Stationary daily sd of the slow drift mu (about 15% a year across names)."""
LATE_LISTING_SHARE = 0.30
EARLY_DELISTING_SHARE = 0.03
CHUNK = 250
"""Tickers generated per vectorised batch (bounds memory; results do not depend on it)."""

_TICKER_STREAM, _SECTOR_STREAM = 1, 2
_REAL = {"SPX": "S&P 500 index", "COMP": "NASDAQ Composite index"}


def synthetic_tickers() -> tuple[str, ...]:
    """``S0000`` .. ``S{N-1}`` for N = config.SYNTHETIC_TICKER_COUNT."""
    return tuple(f"S{i:04d}" for i in range(config.SYNTHETIC_TICKER_COUNT))


def available_tickers() -> tuple[str, ...]:
    """Every ticker the sample source can produce: the real ones first."""
    return (*config.REAL_SAMPLE_TICKERS, *synthetic_tickers())


def synthetic_index(ticker: str) -> int:
    """Index i of a synthetic ticker ``S{i:04d}``; UnknownTickerError otherwise."""
    if len(ticker) == 5 and ticker[0] == "S" and ticker[1:].isdigit():
        index = int(ticker[1:])
        if index < config.SYNTHETIC_TICKER_COUNT:
            return index
    shown = ", ".join(available_tickers()[:6])
    raise UnknownTickerError(
        f"ticker {ticker!r} is not in the sample source; available: {shown} ... "
        f"S{config.SYNTHETIC_TICKER_COUNT - 1:04d}"
    )


def describe(ticker: str) -> str:
    """One line on where a sample ticker comes from."""
    if ticker in _REAL and ticker in config.REAL_SAMPLE_TICKERS:
        return f"real: {_REAL[ticker]} via arch"
    return f"synthetic: sector {synthetic_index(ticker) % SECTORS}"


def real_frame(ticker: str) -> pd.DataFrame:
    """The real OHLCV shipped by ``arch`` (original column names)."""
    if ticker == "SPX":
        from arch.data import sp500

        return pd.DataFrame(sp500.load())
    from arch.data import nasdaq

    return pd.DataFrame(nasdaq.load())


@lru_cache(maxsize=1)
def sessions() -> pd.DatetimeIndex:
    """NYSE sessions of the sample period (the calendar is imported only when generating)."""
    from quant_engine.data.calendar import nyse_sessions

    return nyse_sessions(config.SAMPLE_START, config.SAMPLE_END)


def frozen(array: np.ndarray) -> np.ndarray:
    """``array`` made read-only, so a cached path cannot be changed by a caller."""
    array.flags.writeable = False
    return array


@lru_cache(maxsize=1)
def market_factor() -> np.ndarray:
    """Daily log returns of the real S&P 500 on the sample sessions (0 on the first)."""
    close = real_frame("SPX")["Close"]
    close.index = pd.DatetimeIndex(close.index).as_unit("ns")
    logged = np.log(close.reindex(sessions()).ffill().bfill().to_numpy(dtype="float64"))
    return frozen(np.concatenate([[0.0], np.diff(logged)]))


def garch_paths(
    shocks: np.ndarray, variance: np.ndarray, alpha: float, beta: float
) -> tuple[np.ndarray, np.ndarray]:
    """GARCH(1,1) returns and variances (series x time) from unit-variance ``shocks``."""
    omega = variance * (1.0 - alpha - beta)
    returns = np.empty_like(shocks)
    variances = np.empty_like(shocks)
    sig2 = variance.copy()
    prev = np.zeros_like(variance)
    for t in range(shocks.shape[1]):
        sig2 = omega + alpha * (prev * prev) + beta * sig2
        prev = np.sqrt(sig2) * shocks[:, t]
        returns[:, t] = prev
        variances[:, t] = sig2
    return returns, variances


def student_t(rng: np.random.Generator, df: float, size: int) -> np.ndarray:
    """Student-t draws scaled to unit variance."""
    draws: np.ndarray = rng.standard_t(df, size) * np.sqrt((df - 2.0) / df)
    return draws


@lru_cache(maxsize=1)
def sector_factors() -> np.ndarray:
    """Ten sector factor return paths (sector x time), about 12% a year each."""
    n = len(sessions())
    rngs = [np.random.default_rng([BASE_SEED, _SECTOR_STREAM, k]) for k in range(SECTORS)]
    shocks = np.stack([student_t(rng, 6.0, n) for rng in rngs])
    variance = np.full(SECTORS, (0.12**2) / config.TRADING_DAYS_PER_YEAR)
    returns, _ = garch_paths(shocks, variance, alpha=0.06, beta=0.92)
    return frozen(returns)


def ticker_draws(index: int, n: int) -> tuple[dict[str, float], np.ndarray]:
    """Per-ticker parameters and the (7, n) noise block, from ticker ``index``'s own stream."""
    rng = np.random.default_rng([BASE_SEED, _TICKER_STREAM, index])
    u = rng.random(4)
    first = int(u[1] * 0.8 * n) if u[0] < LATE_LISTING_SHARE else 0
    end = n
    if u[2] < EARLY_DELISTING_SHARE:
        end = first + 250 + int(u[3] * max(n - first - 500, 1))
    normals = rng.standard_normal(6)
    idio_vol = float(np.clip(0.28 * np.exp(0.35 * normals[1]), 0.12, 0.6))
    idio_var = idio_vol**2 / config.TRADING_DAYS_PER_YEAR
    params = {
        "first": first,
        "end": end,
        "beta": float(np.clip(1.0 + 0.3 * normals[0], 0.2, 2.2)),
        "sector_load": 0.5 + rng.random(),
        "idio_var": idio_var,
        "log_price0": np.log(40.0) + 0.6 * normals[2],
        "log_volume0": np.log(1.0e6) + 1.0 * normals[3],
        "drift": 0.00005 + 0.0001 * normals[4] + 0.5 * idio_var,
        "mu0": MOMENTUM_SD * normals[5],
    }
    noise = np.empty((7, n))
    noise[0] = student_t(rng, 5.0, n)
    rng.standard_normal(out=noise[1:])
    return params, noise


def ar1_paths(
    shocks: np.ndarray, phi: np.ndarray, scale: np.ndarray, initial: np.ndarray
) -> np.ndarray:
    """AR(1) paths y_t = phi * y_t-1 + scale * shock_t (series x time) from y_-1 = ``initial``."""
    paths = np.empty_like(shocks)
    level = initial.copy()
    for t in range(shocks.shape[1]):
        level = phi * level + scale * shocks[:, t]
        paths[:, t] = level
    return paths


def ticker_frame(
    p: dict[str, float],
    noise: np.ndarray,
    paths: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    sector: np.ndarray,
) -> pd.DataFrame:
    """One ticker's OHLCV from its parameters, noise and (idio, variance, mu, volume) paths."""
    idio, var, mu, vol_noise = paths
    n = idio.size
    give_back = np.zeros(n)
    for lag in range(1, 6):
        give_back[lag:] += idio[:-lag]
    r = p["drift"] + p["beta"] * market_factor() + p["sector_load"] * sector + idio
    r[1:] += mu[:-1]
    r -= (REVERSAL / 5.0) * give_back
    scale = np.sqrt(var + 1.0e-4)
    log_close = np.cumsum(r)
    first, end = int(p["first"]), int(p["end"])
    log_close += p["log_price0"] - log_close[first]
    log_open = log_close - 0.7 * r + 0.25 * scale * noise[3]  # the gap carries 30% of the move
    log_high = np.maximum(log_open, log_close) + 0.6 * scale * np.abs(noise[4])
    log_low = np.minimum(log_open, log_close) - 0.6 * scale * np.abs(noise[5])
    log_volume = p["log_volume0"] + 0.5 * np.abs(r) / scale + vol_noise + 0.1 * noise[6]
    columns = {
        "open": log_open,
        "high": log_high,
        "low": log_low,
        "close": log_close,
        "volume": log_volume,
    }
    data = {name: np.exp(values[first:end]) for name, values in columns.items()}
    data["volume"] = np.floor(data["volume"])
    return pd.DataFrame(data, index=sessions()[first:end])


def generate(indices: Sequence[int]) -> list[pd.DataFrame]:
    """OHLCV frames of synthetic tickers ``indices`` (one vectorised GARCH pass per chunk)."""
    n = len(sessions())
    frames: list[pd.DataFrame] = []
    for lo in range(0, len(indices), CHUNK):
        chunk = indices[lo : lo + CHUNK]
        draws = [ticker_draws(i, n) for i in chunk]
        params = [p for p, _ in draws]
        noise = np.stack([block for _, block in draws])  # (k, 7, n)
        variance = np.array([p["idio_var"] for p in params])
        idio, var = garch_paths(noise[:, 0], variance, alpha=0.07, beta=0.90)
        k = len(chunk)
        phi = np.repeat([MOMENTUM_PHI, 0.6], k)
        scale = np.repeat([MOMENTUM_SD * np.sqrt(1.0 - MOMENTUM_PHI**2), 0.28], k)
        initial = np.concatenate([[p["mu0"] for p in params], np.zeros(k)])
        slow = ar1_paths(np.concatenate([noise[:, 1], noise[:, 2]]), phi, scale, initial)
        for j, index in enumerate(chunk):
            paths = (idio[j], var[j], slow[j], slow[k + j])
            sector = sector_factors()[index % SECTORS]
            frames.append(ticker_frame(params[j], noise[j], paths, sector))
    return frames


def fetch_many(tickers: Sequence[str]) -> dict[str, pd.DataFrame]:
    """OHLCV for several sample tickers (synthetic ones generated together, which is faster)."""
    real = [t for t in tickers if t in config.REAL_SAMPLE_TICKERS]
    synthetic = [t for t in tickers if t not in real]
    indices = [synthetic_index(t) for t in synthetic]
    out = {t: real_frame(t) for t in real}
    out.update(zip(synthetic, generate(indices), strict=True))
    return {t: out[t] for t in tickers}


def fetch(ticker: str) -> pd.DataFrame:
    """OHLCV of one sample ticker; UnknownTickerError for anything else."""
    return fetch_many([ticker])[ticker]
